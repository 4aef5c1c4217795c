import type { Entity } from './ports.js';

export const contractStatuses = [
  'REQUESTED',
  'QUOTED',
  'ACTIVE',
  'COMPLETED',
  'CANCELLED',
  'TERMINATED',
] as const;
export type ContractStatus = (typeof contractStatuses)[number];
export const contractMethods = ['NEGOTIATED', 'CATALOG'] as const;

export interface Contract extends Entity {
  readonly agencyId: string;
  readonly serviceId: string;
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

const DAY_MS = 86_400_000;

/** Days from request to signature, to one decimal. */
export function leadTimeDays(requestedAt: string, signedAt: string): number {
  return Math.round(((Date.parse(signedAt) - Date.parse(requestedAt)) / DAY_MS) * 10) / 10;
}
