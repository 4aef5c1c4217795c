import type { Caller } from '../domain/caller.js';
import { DomainError } from '../domain/errors.js';
import type { Route } from '../routes.js';

/**
 * The one role check: who may call a route is the route table's `access`, enforced here before any
 * operation runs. The domain checks only what needs data (ownership: this agency's contract, this
 * provider's service).
 */
export function authorize(route: Route, caller: Caller): void {
  if (route.access === 'anyone') return;
  if (caller.kind === 'anonymous') throw new DomainError('unauthenticated', 'A bearer token is required.');
  if (!route.access.includes(caller.role)) {
    throw new DomainError('forbidden', `${route.method} ${route.path} is for ${route.access.join(', ')}.`);
  }
}
