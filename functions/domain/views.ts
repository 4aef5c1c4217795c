import type { AuditEvent } from './ports.js';
import type { Agency, Contract, Provider, ReviewSession, Service } from './entities.js';

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

export const contractView = view<Contract>([
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
  'version',
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
