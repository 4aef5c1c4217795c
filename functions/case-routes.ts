/**
 * The routes of procurement cases (DESIGN.md §7), part of the one route table (`routes.ts` spreads them
 * in), kept in a module of their own so other route additions merge without touching these.
 */
import type { Route } from './routes.js';

export const caseRoutes = [
  { method: 'POST', path: '/v1/cases', fn: 'cases', access: ['agency'], idempotency: 'optional' },
  { method: 'GET', path: '/v1/cases', fn: 'cases', access: ['agency', 'admin'] },
  { method: 'GET', path: '/v1/cases/{id}', fn: 'cases', access: ['agency', 'admin'] },
  { method: 'PATCH', path: '/v1/cases/{id}', fn: 'cases', access: ['agency'], idempotency: 'optional' },
  {
    method: 'POST',
    path: '/v1/cases/{id}/searches',
    fn: 'cases',
    access: ['agency'],
    idempotency: 'optional',
  },
  { method: 'GET', path: '/v1/cases/{id}/comparison', fn: 'cases', access: ['agency', 'admin'] },
  {
    method: 'POST',
    path: '/v1/cases/{id}/snapshots',
    fn: 'cases',
    access: ['agency'],
    idempotency: 'optional',
  },
  { method: 'GET', path: '/v1/cases/{id}/snapshots/{number}', fn: 'cases', access: ['agency', 'admin'] },
  {
    method: 'POST',
    path: '/v1/cases/{id}/quotes',
    fn: 'cases',
    access: ['agency'],
    idempotency: 'required',
  },
  {
    method: 'POST',
    path: '/v1/cases/{id}/award',
    fn: 'cases',
    access: ['agency'],
    idempotency: 'optional',
  },
  {
    method: 'POST',
    path: '/v1/cases/{id}/close',
    fn: 'cases',
    access: ['agency'],
    idempotency: 'optional',
  },
] as const satisfies readonly Route[];
