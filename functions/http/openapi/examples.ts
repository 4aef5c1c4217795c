/**
 * Examples for the document: answers as `npm run openapi:specmatic`'s seed got them from the API (its ids,
 * one consistent set), and the request bodies that made them. Path parameters name the same resources.
 * Redocly checks each against its schema (`no-invalid-media-type-examples`).
 */
const provider = {
  id: 'prv_nej8gsa40grrv3cgqv4vpbnaj7',
  name: '(주)스펙매틱클라우드',
  businessRegistrationNumber: '1248100998',
  contactEmail: 'contact@specmatic.example.kr',
  createdAt: '2026-12-02T15:49:29.791Z',
  version: 1,
};
const agency = {
  id: 'agc_7dpzsamjwqftp70hb0kag1tf1m',
  name: '스펙매틱 시청',
  institutionCode: '7100001',
  kind: 'LOCAL',
  network: 'INTERNET',
  createdAt: '2026-12-02T15:49:30.373Z',
  version: 1,
};
const serviceInput = {
  name: '스펙매틱 문서 서비스',
  summary: '계약 검증용 클라우드 문서 서비스',
  category: 'SAAS',
  ai: false,
  networks: ['INTERNET'],
  csap: null,
  plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 100_000 }],
};
const service = {
  id: 'svc_4p39fzd7tcw2mqgn9vpe6z5zd4',
  providerId: provider.id,
  ...serviceInput,
  status: 'LISTED',
  selection: { sessionNumber: 36890, decidedAt: '2026-12-02T15:49:32.673Z', validUntil: '2029-12-02' },
  createdAt: '2026-12-02T15:49:30.750Z',
  updatedAt: '2026-12-02T15:49:32.673Z',
  version: 4,
};
const contract = {
  id: 'ctr_72e87c0fszvk98kvh5387wn88a',
  agencyId: agency.id,
  serviceId: service.id,
  serviceVersion: 4,
  providerId: provider.id,
  planId: 'basic',
  quantity: 2,
  months: 12,
  method: 'NEGOTIATED',
  catalogAmountKrw: 2_400_000,
  amountKrw: 2_400_000,
  status: 'ACTIVE',
  requestedAt: '2026-12-02T15:49:35.027Z',
  quotedAt: '2026-12-02T15:49:35.121Z',
  signedAt: '2026-12-02T15:49:35.164Z',
  closedAt: null,
  leadTimeDays: 0,
  caseId: null,
  cancelReason: null,
  amendments: [],
  renewalOf: null,
  termination: null,
  version: 3,
};
const reviewSession = {
  number: 36891,
  date: '2026-12-02',
  status: 'OPEN',
  agenda: ['svc_q8wyzhrmjvagbqnyd2gr62n75a'],
  decisions: [],
  version: 2,
};
const procurementCase = {
  id: 'cas_2cezm87hwksqyec5vby6a4sjvw',
  agencyId: agency.id,
  title: '스펙매틱 조달 사업',
  need: '문서 자동화',
  quantity: 2,
  months: 12,
  budgetKrw: 1_000_000,
  status: 'OPEN',
  searches: [
    { id: 'srch_dkdek71p5whcmh827b9gwr8mq2', query: { q: '스펙매틱' }, savedAt: '2026-12-02T15:49:36.326Z' },
  ],
  shortlist: [{ serviceId: service.id, note: '후보', addedAt: '2026-12-02T15:49:36.249Z' }],
  snapshots: 1,
  contractIds: [],
  award: null,
  outcome: null,
  createdAt: '2026-12-02T15:49:36.128Z',
  updatedAt: '2026-12-02T15:49:36.326Z',
  version: 4,
};

/** By component schema name: what a caller sends. */
export const requestExamples: Readonly<Record<string, unknown>> = {
  ProviderInput: {
    name: provider.name,
    businessRegistrationNumber: provider.businessRegistrationNumber,
    contactEmail: provider.contactEmail,
  },
  AgencyInput: {
    name: agency.name,
    institutionCode: agency.institutionCode,
    kind: 'LOCAL',
    network: 'INTERNET',
  },
  ServiceInput: serviceInput,
  ServicePatch: { summary: '계약 검증용 클라우드 문서 서비스 (개정)' },
  ReviewSessionInput: { number: reviewSession.number, date: reviewSession.date },
  AgendaInput: { serviceId: service.id },
  DecisionInput: { serviceId: service.id, decision: 'SELECTED', reason: '심사 기준 충족' },
  ContractInput: { serviceId: service.id, planId: 'basic', quantity: 2, months: 12, method: 'NEGOTIATED' },
  QuoteInput: { amountKrw: 2_400_000 },
  RevertInput: { toVersion: 1 },
  CaseInput: {
    title: procurementCase.title,
    need: procurementCase.need,
    quantity: 2,
    months: 12,
    budgetKrw: 1_000_000,
  },
  CasePatch: { shortlist: [{ serviceId: service.id, note: '후보' }] },
  SearchInput: { q: '스펙매틱' },
  QuotesInput: { requests: [{ serviceId: service.id, planId: 'basic' }], method: 'NEGOTIATED' },
  AwardInput: { contractId: contract.id },
  CloseInput: { outcome: 'CANCELLED', reason: '사업 취소' },
  AmendInput: { months: 11, reason: '한 달 단축' },
  RenewInput: { months: 12 },
  TerminateInput: { reason: '사업 종료' },
};

/** By component schema name: what the API answers. */
export const answerExamples: Readonly<Record<string, unknown>> = {
  Provider: provider,
  Agency: agency,
  Service: service,
  ServicePage: { items: [service], next: null },
  Contract: contract,
  ContractPage: { items: [contract], next: null },
  ReviewSession: reviewSession,
  Case: procurementCase,
  CasePage: { items: [procurementCase], next: null },
};

const idsByCollection: Readonly<Record<string, string>> = {
  providers: provider.id,
  agencies: agency.id,
  services: service.id,
  contracts: contract.id,
  cases: procurementCase.id,
};

/** A path parameter's value naming the resource of the examples above, or none. */
export function pathParameterExample(path: string, name: string): string | number | undefined {
  if (name === 'version') return 1;
  if (name === 'number') return path.startsWith('/v1/review-sessions/') ? reviewSession.number : 1;
  if (name === 'id') return idsByCollection[path.split('/')[2] ?? ''];
  return undefined;
}
