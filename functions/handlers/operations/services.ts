import {
  createService,
  getService,
  listServices,
  patchService,
  type ServiceTransition,
  transitionService,
} from '../../domain/service.js';
import { getVersion, listVersions, revertService } from '../../domain/history.js';
import { serviceView } from '../../domain/views.js';
import { changed, created, ok } from '../../http/responses.js';
import type { ApiRequest } from '../../http/request.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

const lifecycle = (name: ServiceTransition) => async (request: ApiRequest, deps: ApiPorts) =>
  changed(serviceView, await transitionService(deps, request.caller, request.params.id ?? '', name, request));

export const operations: Operations<ApiPorts> = {
  'POST /v1/services': async ({ caller, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await createService(deps, caller, body, idempotencyKey);
    return created(serviceView(entity), `/v1/services/${entity.id}`, replayed);
  },
  'GET /v1/services': async ({ caller, query }, deps) => {
    const page = await listServices(deps, caller, query);
    return ok({
      items: page.items.map(serviceView),
      next: page.next,
      ...(page.facets ? { facets: page.facets } : {}),
    });
  },
  'GET /v1/services/{id}/versions': async ({ caller, params, query }, deps) =>
    ok(await listVersions(deps, caller, params.id ?? '', query)),
  'GET /v1/services/{id}/versions/{version}': async ({ caller, params }, deps) =>
    ok(serviceView(await getVersion(deps, caller, params.id ?? '', params.version ?? ''))),
  'POST /v1/services/{id}/revert': async (request, deps) =>
    changed(serviceView, await revertService(deps, request.caller, request.params.id ?? '', request)),
  'GET /v1/services/{id}': async ({ caller, params }, deps) =>
    ok(serviceView(await getService(deps, caller, params.id ?? ''))),
  'PATCH /v1/services/{id}': async (request, deps) =>
    changed(serviceView, await patchService(deps, request.caller, request.params.id ?? '', request)),
  'POST /v1/services/{id}/submit': lifecycle('submit'),
  'POST /v1/services/{id}/withdraw': lifecycle('withdraw'),
  'POST /v1/services/{id}/suspend': lifecycle('suspend'),
  'POST /v1/services/{id}/reinstate': lifecycle('reinstate'),
};
