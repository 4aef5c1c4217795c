import type { AuditEvent } from './ports.js';
import type { Agency, Case, CaseSnapshot, Contract, Provider, ReviewSession, Service } from './entities.js';

/**
 * Representations with exactly the documented fields, in the documented order (DESIGN.md §3), whatever
 * order or extra attributes storage returns.
 */
function view<T extends object>(fields: readonly (keyof T)[]) {
  return (entity: T): T => Object.fromEntries(fields.map((field) => [field, entity[field] ?? null])) as T;
}

export const providerView = view<Provider>([
  'id',
  'name',
  'businessRegistrationNumber',
  'contactEmail',
  'createdAt',
  'version',
]);

export const agencyView = view<Agency>([
  'id',
  'name',
  'institutionCode',
  'kind',
  'network',
  'createdAt',
  'version',
]);

const planView = view<Service['plans'][number]>(['id', 'name', 'unit', 'unitPriceKrw']);
const serviceFields = view<Service>([
  'id',
  'providerId',
  'name',
  'summary',
  'category',
  'ai',
  'networks',
  'csap',
  'plans',
  'status',
  'selection',
  'createdAt',
  'updatedAt',
  'version',
]);

export function serviceView(service: Service): Service {
  const { csap, selection } = service;
  return {
    ...serviceFields(service),
    csap: csap
      ? { grade: csap.grade, certificateNumber: csap.certificateNumber, validUntil: csap.validUntil }
      : null,
    plans: service.plans.map(planView),
    selection: selection
      ? {
          sessionNumber: selection.sessionNumber,
          decidedAt: selection.decidedAt,
          validUntil: selection.validUntil,
        }
      : null,
  };
}

const contractFields = view<Contract>([
  'id',
  'agencyId',
  'serviceId',
  'serviceVersion',
  'providerId',
  'planId',
  'quantity',
  'months',
  'method',
  'catalogAmountKrw',
  'amountKrw',
  'status',
  'requestedAt',
  'quotedAt',
  'signedAt',
  'closedAt',
  'leadTimeDays',
  'caseId',
  'cancelReason',
  'amendments',
  'renewalOf',
  'termination',
  'version',
]);

/** Contracts stored before cases existed read as requested outside a case, never amended. */
export function contractView(contract: Contract): Contract {
  const fields = contractFields(contract);
  return { ...fields, amendments: contract.amendments ?? [] };
}

export const caseView = view<Case>([
  'id',
  'agencyId',
  'title',
  'need',
  'quantity',
  'months',
  'budgetKrw',
  'status',
  'searches',
  'shortlist',
  'snapshots',
  'contractIds',
  'award',
  'outcome',
  'createdAt',
  'updatedAt',
  'version',
]);

/** A snapshot as locked; its storage id and version stay inside (it never changes). */
export const snapshotView = view<Omit<CaseSnapshot, 'id' | 'version' | 'createdAt'>>([
  'number',
  'caseId',
  'lockedAt',
  'lockedBy',
  'case',
  'searches',
  'shortlist',
  'comparison',
  'sha256',
]);

/** A session is addressed by its number; its internal id (the same number as text) stays inside. */
export function reviewSessionView(session: ReviewSession) {
  return {
    number: session.number,
    date: session.date,
    status: session.status,
    agenda: [...session.agenda],
    decisions: session.decisions.map(({ serviceId, decision, reason, decidedAt }) => ({
      serviceId,
      decision,
      reason,
      decidedAt,
    })),
    version: session.version,
  };
}

export const auditEventView = view<AuditEvent>([
  'id',
  'at',
  'actor',
  'entity',
  'entityId',
  'action',
  'fromVersion',
  'toVersion',
  'region',
  'changes',
  'acknowledged',
]);
