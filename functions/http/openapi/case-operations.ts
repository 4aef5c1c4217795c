/**
 * The OpenAPI entries of the procurement-case routes and of the contract routes that came with them
 * (DESIGN.md §7): request schemas, answer schemas and one operation per route, merged into the document
 * by `document.ts`. A module of its own, so other additions to the document merge without touching these.
 */
import { closeInput, awardInput } from '../../domain/case-decision.js';
import { SNAPSHOT_CSV_HEADER } from '../../domain/case-record.js';
import { caseInput, caseListQuery, casePatch, quotesInput, searchInput } from '../../domain/case.js';
import { amendInput, renewInput, terminateInput } from '../../domain/contract.js';
import type { RouteKey } from '../../routes.js';
import * as answer from './case-representations.js';

export const caseRequestSchemas = {
  CaseInput: caseInput(),
  CasePatch: casePatch(),
  SearchInput: searchInput(),
  QuotesInput: quotesInput(),
  AwardInput: awardInput(),
  CloseInput: closeInput(),
  AmendInput: amendInput(),
  RenewInput: renewInput(),
  TerminateInput: terminateInput(),
} as const;

export const caseAnswerSchemas = {
  Case: answer.procurementCase,
  CasePage: answer.casePage,
  SavedSearch: answer.savedSearch,
  Comparison: answer.comparison,
  CaseSnapshot: answer.caseSnapshot,
  Quotes: answer.quotes,
} as const;

type CaseRouteKey =
  | Extract<RouteKey, `${string} /v1/cases${string}`>
  | 'POST /v1/contracts/{id}/amend'
  | 'POST /v1/contracts/{id}/renew';

interface CaseOperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly body?: keyof typeof caseRequestSchemas;
  readonly optionalBody?: true;
  readonly query?: ReturnType<typeof caseListQuery>;
  readonly success: keyof typeof caseAnswerSchemas | 'Contract';
  readonly creates?: true;
  readonly otherMediaTypes?: Readonly<Record<string, { readonly schema: Record<string, unknown> }>>;
}

const whileOpen = 'Only while the case is `OPEN` (else 409).';

export const caseOperations: Record<CaseRouteKey, CaseOperationSpec> = {
  'POST /v1/cases': {
    operationId: 'openCase',
    summary: 'Open a procurement case (OPEN)',
    description: 'The record of how the calling agency chooses what it buys, kept in the ledger.',
    body: 'CaseInput',
    success: 'Case',
    creates: true,
  },
  'GET /v1/cases': {
    operationId: 'listCases',
    summary: 'List cases, newest first',
    description: 'An agency lists its own; an administrator every case, or one agency’s with `agencyId`.',
    query: caseListQuery(),
    success: 'CasePage',
  },
  'GET /v1/cases/{id}': {
    operationId: 'getCase',
    summary: 'Read a case',
    description: 'For its agency and administrators.',
    success: 'Case',
  },
  'PATCH /v1/cases/{id}': {
    operationId: 'patchCase',
    summary: 'Change a case',
    description: `${whileOpen} \`shortlist\` replaces the list: more than 10 entries or a repeat is a 400; an entry that is not a \`LISTED\` service with a valid selection is a 409.`,
    body: 'CasePatch',
    success: 'Case',
  },
  'POST /v1/cases/{id}/searches': {
    operationId: 'saveSearch',
    summary: 'Save a search on the case',
    description: `${whileOpen} The filters of \`GET /v1/services\`; a case keeps at most 10 (the 11th is a 409).`,
    body: 'SearchInput',
    success: 'SavedSearch',
    creates: true,
  },
  'GET /v1/cases/{id}/comparison': {
    operationId: 'compareShortlist',
    summary: 'The shortlist side by side',
    description:
      'Every plan priced at the case’s quantity × months, cheapest first by `lowestAmountKrw`; `withinBudget` is `null` without a budget; a service no longer listed stays, last, with `listed: false`.',
    success: 'Comparison',
  },
  'POST /v1/cases/{id}/snapshots': {
    operationId: 'lockSnapshot',
    summary: 'Lock the record now',
    description: `${whileOpen} Each saved search re-run (its first 100 results), the shortlist and the comparison; \`sha256\` is the hex SHA-256 of the canonical JSON (keys sorted, no whitespace) of the snapshot without \`sha256\`. Immutable, numbered from 1.`,
    success: 'CaseSnapshot',
    creates: true,
  },
  'GET /v1/cases/{id}/snapshots/{number}': {
    operationId: 'getSnapshot',
    summary: 'A locked snapshot, as JSON, CSV or the printable record',
    description: `By \`Accept\`: \`application/json\` (default); \`text/csv\` with the header \`${SNAPSHOT_CSV_HEADER}\` and a row per compared service; \`text/html\`, a printable, self-contained record in Korean for the approval file (the need, the searches with their counts, the comparison, the award once made, the hash).`,
    success: 'CaseSnapshot',
    otherMediaTypes: {
      'text/csv': { schema: { type: 'string' } },
      'text/html': { schema: { type: 'string' } },
    },
  },
  'POST /v1/cases/{id}/quotes': {
    operationId: 'requestQuotes',
    summary: 'Ask shortlisted services’ providers for quotes',
    description: `${whileOpen} Needs a snapshot and shortlisted services (409 otherwise): one \`REQUESTED\` contract per request, with \`caseId\` and the case’s quantity and months. A retry with the same key answers the same contracts.`,
    body: 'QuotesInput',
    success: 'Quotes',
    creates: true,
  },
  'POST /v1/cases/{id}/award': {
    operationId: 'awardCase',
    summary: 'Award a QUOTED contract of the case (AWARDED)',
    description:
      'Signs it and cancels every other open contract of the case (`cancelReason: "NOT_CHOSEN"`). A saga of single conditional writes, the decision recorded on the case first: a retry in either Region, or the daily job, finishes an award an interruption left half done.',
    body: 'AwardInput',
    success: 'Case',
  },
  'POST /v1/cases/{id}/close': {
    operationId: 'closeCase',
    summary: 'Close a case without an award (NO_AWARD or CANCELLED)',
    description: 'Cancels the case’s open contracts (`cancelReason: "CASE_CLOSED"`).',
    body: 'CloseInput',
    success: 'Case',
  },
  'POST /v1/contracts/{id}/amend': {
    operationId: 'amendContract',
    summary: 'Amend an ACTIVE contract’s quantity or months',
    description:
      'The amount is recomputed at the plan price that priced it (`serviceVersion`); above the amount at signature plus the configured limit (`amendmentLimitPercent`, default 10; exactly the limit is allowed) it is a 409: that needs a new procurement.',
    body: 'AmendInput',
    success: 'Contract',
  },
  'POST /v1/contracts/{id}/renew': {
    operationId: 'renewContract',
    summary: 'Renew an ACTIVE or COMPLETED contract (a new REQUESTED one)',
    description:
      'Same service, plan and quantity, priced at the listing’s current version, with `renewalOf`; 409 unless the service is `LISTED` with a valid selection, or while another renewal of it is open.',
    body: 'RenewInput',
    success: 'Contract',
    creates: true,
  },
};

/** `POST /v1/contracts/{id}/terminate` takes an optional body since cases came (DESIGN.md §7). */
export const terminateOperation = {
  operationId: 'terminateContract',
  summary: 'Terminate an ACTIVE contract, at once or on a future date',
  description:
    'Without a body (or without `effectiveAt`) it terminates at once. A future `effectiveAt` (for an agency at least `terminationNoticeDays`, default 30, ahead, else 400) keeps it `ACTIVE` with `termination`, and the daily job terminates it then.',
  body: 'TerminateInput',
  optionalBody: true,
  success: 'Contract',
} as const satisfies CaseOperationSpec;
