import { getAgency, getProvider, registerAgency, registerProvider } from '../../domain/registry.js';
import { agencyView, providerView } from '../../domain/views.js';
import { created, ok } from '../../http/responses.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

export const operations: Operations<ApiPorts> = {
  'POST /v1/providers': async ({ caller, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await registerProvider(deps, caller, body, idempotencyKey);
    return created(providerView(entity), `/v1/providers/${entity.id}`, replayed);
  },
  'GET /v1/providers/{id}': async ({ params }, deps) =>
    ok(providerView(await getProvider(deps, params.id ?? ''))),
  'POST /v1/agencies': async ({ caller, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await registerAgency(deps, caller, body, idempotencyKey);
    return created(agencyView(entity), `/v1/agencies/${entity.id}`, replayed);
  },
  'GET /v1/agencies/{id}': async ({ caller, params }, deps) =>
    ok(agencyView(await getAgency(deps, caller, params.id ?? ''))),
};
