import { getAgency, getProvider, registerAgency, registerProvider } from '../domain/registry.js';
import { agencyView, providerView } from '../domain/views.js';
import { apiHandler, created, ok } from '../http/api.js';
import { runtime } from './runtime.js';

export const handler = apiHandler('registry', {
  'POST /v1/providers': async ({ caller, body, idempotencyKey }) => {
    const { entity, replayed } = await registerProvider(runtime(), caller, body, idempotencyKey);
    return created(providerView(entity), `/v1/providers/${entity.id}`, replayed);
  },
  'GET /v1/providers/{id}': async ({ params }) =>
    ok(providerView(await getProvider(runtime(), params.id ?? ''))),
  'POST /v1/agencies': async ({ caller, body, idempotencyKey }) => {
    const { entity, replayed } = await registerAgency(runtime(), caller, body, idempotencyKey);
    return created(agencyView(entity), `/v1/agencies/${entity.id}`, replayed);
  },
  'GET /v1/agencies/{id}': async ({ caller, params }) =>
    ok(agencyView(await getAgency(runtime(), caller, params.id ?? ''))),
});
