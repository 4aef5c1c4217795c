/**
 * The marketplace's closed vocabularies, apart from the modules that validate input with them: the stream
 * projector and the expiry sweep count and compare by these without bundling the input schemas.
 */

export const categories = ['IAAS', 'PAAS', 'SAAS', 'SUPPORT', 'CONVERGENCE'] as const;
export const csapGrades = ['HIGH', 'MEDIUM', 'LOW'] as const;
export const serviceStatuses = [
  'DRAFT',
  'SUBMITTED',
  'UNDER_REVIEW',
  'LISTED',
  'REJECTED',
  'SUSPENDED',
  'EXPIRED',
  'WITHDRAWN',
] as const;
export type ServiceStatus = (typeof serviceStatuses)[number];
export type Category = (typeof categories)[number];

export const contractStatuses = [
  'REQUESTED',
  'QUOTED',
  'ACTIVE',
  'COMPLETED',
  'CANCELLED',
  'TERMINATED',
] as const;
export type ContractStatus = (typeof contractStatuses)[number];
export const caseStatuses = ['OPEN', 'AWARDED', 'NO_AWARD', 'CANCELLED'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const contractMethods = ['NEGOTIATED', 'CATALOG'] as const;

export const agencyKinds = ['CENTRAL', 'LOCAL', 'PUBLIC_INSTITUTION', 'EDUCATION'] as const;
export const networks = ['INTERNET', 'INTRANET'] as const;
export type Network = (typeof networks)[number];
