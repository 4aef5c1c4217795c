/**
 * The entities the marketplace stores, as the domain and the API see them (DESIGN.md §2 and §3). Types
 * only, in a module of their own, so the rules, the ports and the views all depend on it and never on
 * each other.
 */
import type {
  agencyKinds,
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
}
