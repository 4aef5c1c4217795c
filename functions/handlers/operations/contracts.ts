import {
  amendContract,
  type ContractTransition,
  getContract,
  listContracts,
  quoteContract,
  renewContract,
  requestContract,
  terminateContract,
  transitionContract,
} from '../../domain/contract.js';
import { contractView } from '../../domain/views.js';
import { changed, created, ok } from '../../http/responses.js';
import type { ApiRequest } from '../../http/request.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

const lifecycle = (name: ContractTransition) => async (request: ApiRequest, deps: ApiPorts) =>
  changed(
    contractView,
    await transitionContract(deps, request.caller, request.params.id ?? '', name, request),
  );

export const operations: Operations<ApiPorts> = {
  'POST /v1/contracts': async ({ caller, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await requestContract(deps, caller, body, idempotencyKey);
    return created(contractView(entity), `/v1/contracts/${entity.id}`, replayed);
  },
  'GET /v1/contracts': async ({ caller, query }, deps) => {
    const page = await listContracts(deps, caller, query);
    return ok({ items: page.items.map(contractView), next: page.next });
  },
  'GET /v1/contracts/{id}': async ({ caller, params }, deps) =>
    ok(contractView(await getContract(deps, caller, params.id ?? ''))),
  'POST /v1/contracts/{id}/quote': async (request, deps) =>
    changed(contractView, await quoteContract(deps, request.caller, request.params.id ?? '', request)),
  'POST /v1/contracts/{id}/sign': lifecycle('sign'),
  'POST /v1/contracts/{id}/cancel': lifecycle('cancel'),
  'POST /v1/contracts/{id}/complete': lifecycle('complete'),
  'POST /v1/contracts/{id}/terminate': async (request, deps) =>
    changed(contractView, await terminateContract(deps, request.caller, request.params.id ?? '', request)),
  'POST /v1/contracts/{id}/amend': async (request, deps) =>
    changed(contractView, await amendContract(deps, request.caller, request.params.id ?? '', request)),
  'POST /v1/contracts/{id}/renew': async ({ caller, params, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await renewContract(deps, caller, params.id ?? '', body, idempotencyKey);
    return created(contractView(entity), `/v1/contracts/${entity.id}`, replayed);
  },
};
