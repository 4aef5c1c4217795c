/**
 * The entities the marketplace stores, as the domain and the API see them (DESIGN.md §2 and §3). Types
 * only, in a module of their own, so the rules, the ports and the views all depend on it and never on
 * each other.
 */
import type {
  agencyKinds,
  CaseStatus,
  Category,
  ContractStatus,
  contractMethods,
  Network,
  networks,
  ServiceStatus,
} from './vocabulary.js';

/** What every stored entity carries. */
export interface Entity {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
}

export interface Provider extends Entity {
  readonly name: string;
  readonly businessRegistrationNumber: string;
  readonly contactEmail: string;
}

export interface Agency extends Entity {
  readonly name: string;
  readonly institutionCode: string;
  readonly kind: (typeof agencyKinds)[number];
  readonly network: Network;
}

export interface PricePlan {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  readonly unitPriceKrw: number;
}

export interface Selection {
  readonly sessionNumber: number;
  readonly decidedAt: string;
  readonly validUntil: string;
}

export interface Service extends Entity {
  readonly providerId: string;
  readonly name: string;
  readonly summary: string;
  readonly category: Category;
  readonly ai: boolean;
  readonly networks: readonly (typeof networks)[number][];
  readonly csap: {
    readonly grade: string;
    readonly certificateNumber: string;
    readonly validUntil: string;
  } | null;
  readonly plans: readonly PricePlan[];
  readonly status: ServiceStatus;
  readonly selection: Selection | null;
  readonly updatedAt: string;
}

export interface Decision {
  readonly serviceId: string;
  readonly decision: 'SELECTED' | 'REJECTED';
  readonly reason: string;
  readonly decidedAt: string;
}

/** A review committee session; stored under its number as id. */
export interface ReviewSession extends Entity {
  readonly number: number;
  readonly date: string;
  readonly status: 'OPEN' | 'CLOSED';
  readonly agenda: readonly string[];
  readonly decisions: readonly Decision[];
}

export interface Contract extends Entity {
  readonly agencyId: string;
  readonly serviceId: string;
  /** The service version whose plan priced this contract; a later price change never alters it. */
  readonly serviceVersion: number;
  readonly providerId: string;
  readonly planId: string;
  readonly quantity: number;
  readonly months: number;
  readonly method: (typeof contractMethods)[number];
  /** Unit price × quantity × months, whole KRW, computed by the server. */
  readonly catalogAmountKrw: number;
  /** The catalog amount until the provider quotes, then the quote. */
  readonly amountKrw: number;
  readonly status: ContractStatus;
  readonly requestedAt: string;
  readonly quotedAt: string | null;
  readonly signedAt: string | null;
  readonly closedAt: string | null;
  readonly leadTimeDays: number | null;
  /** The procurement case it was requested from (DESIGN.md §7); only the case's award signs it. */
  readonly caseId: string | null;
  /** Why it was cancelled when a case did it: `NOT_CHOSEN` by an award, `CASE_CLOSED` by a close. */
  readonly cancelReason: 'NOT_CHOSEN' | 'CASE_CLOSED' | null;
  readonly amendments: readonly Amendment[];
  readonly renewalOf: string | null;
  readonly termination: Termination | null;
  /** The amount when signed, the base of the amendment limit; not part of the representation. */
  readonly signedAmountKrw?: number;
  /** The renewal of this contract asked for last (its id), so two renewals are never open at once. */
  readonly renewalId?: string;
}

export interface Amendment {
  readonly number: number;
  readonly quantity: number;
  readonly months: number;
  readonly amountKrw: number;
  readonly reason: string;
  readonly at: string;
}

export interface Termination {
  readonly reason: string | null;
  readonly requestedAt: string;
  readonly effectiveAt: string;
}

export interface SavedSearch {
  readonly id: string;
  readonly query: {
    readonly q?: string;
    readonly category?: string;
    readonly ai?: boolean;
    readonly network?: string;
    readonly csapGrade?: string;
  };
  readonly savedAt: string;
}

export interface ShortlistEntry {
  readonly serviceId: string;
  readonly note: string;
  readonly addedAt: string;
}

/** What an award or a close decided, recorded on the case before any contract moves. */
export interface CaseDecision {
  readonly outcome: 'AWARDED' | 'NO_AWARD' | 'CANCELLED';
  /** The contract to sign (an award), `null` for a close. */
  readonly contractId: string | null;
  readonly reason: string | null;
  readonly decidedAt: string;
}

/** A procurement case: the record of why an agency chose what it bought (DESIGN.md §7). */
export interface Case extends Entity {
  readonly agencyId: string;
  readonly title: string;
  readonly need: string;
  readonly quantity: number;
  readonly months: number;
  readonly budgetKrw: number | null;
  readonly status: CaseStatus;
  readonly searches: readonly SavedSearch[];
  readonly shortlist: readonly ShortlistEntry[];
  /** How many snapshots are locked (each its own immutable item). */
  readonly snapshots: number;
  readonly contractIds: readonly string[];
  readonly award: {
    readonly contractId: string;
    readonly amountKrw: number;
    readonly awardedAt: string;
  } | null;
  readonly outcome: { readonly reason: string; readonly at: string } | null;
  readonly updatedAt: string;
  /**
   * An award or close decided and not yet carried out (a saga's first write; see `case-decision.ts`); not
   * part of the representation. While it is set, nothing but carrying it out changes the case.
   */
  readonly pendingDecision?: CaseDecision | null;
}

/** One shortlisted service side by side with the others, at the case's quantity × months. */
export interface ComparisonItem {
  readonly serviceId: string;
  readonly serviceVersion: number;
  readonly name: string;
  readonly providerId: string;
  readonly providerName: string;
  readonly category: Category;
  readonly ai: boolean;
  readonly networks: readonly string[];
  readonly offeredOnAgencyNetwork: boolean;
  readonly listed: boolean;
  readonly csap: Service['csap'];
  readonly selection: Selection | null;
  readonly plans: readonly (PricePlan & { readonly amountKrw: number })[];
  readonly lowestAmountKrw: number | null;
  readonly withinBudget: boolean | null;
  readonly contractsSigned: number;
}

export interface Comparison {
  readonly quantity: number;
  readonly months: number;
  readonly items: readonly ComparisonItem[];
}

/** A case's record as locked at one moment: immutable, numbered from 1, stored as an item of its own. */
export interface CaseSnapshot extends Entity {
  readonly number: number;
  readonly caseId: string;
  readonly lockedAt: string;
  readonly lockedBy: { readonly sub: string; readonly org: string };
  readonly case: Pick<Case, 'title' | 'need' | 'quantity' | 'months' | 'budgetKrw'>;
  readonly searches: readonly {
    readonly id: string;
    readonly query: SavedSearch['query'];
    readonly matched: number;
    readonly results: readonly { readonly serviceId: string; readonly version: number }[];
  }[];
  readonly shortlist: readonly ShortlistEntry[];
  readonly comparison: Comparison;
  readonly sha256: string;
}
