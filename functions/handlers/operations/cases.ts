import { awardCase, closeCase } from '../../domain/case-decision.js';
import { snapshotCsv, snapshotHtml } from '../../domain/case-record.js';
import {
  getCase,
  getComparison,
  getSnapshot,
  listCases,
  lockSnapshot,
  openCase,
  patchCase,
  requestQuotes,
  saveSearch,
} from '../../domain/case.js';
import type { Contract } from '../../domain/entities.js';
import { caseView, contractView, snapshotView } from '../../domain/views.js';
import { type ApiResponse, changed, created, ok } from '../../http/responses.js';
import type { ApiRequest } from '../../http/request.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

const caseId = (request: ApiRequest) => request.params.id ?? '';

/** The representation the `Accept` header asks for first among JSON, CSV and HTML (JSON by default). */
function preferredType(accept: string | undefined): 'json' | 'csv' | 'html' {
  const ranked = (accept ?? '')
    .split(',')
    .map((part, order) => {
      const [type = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { type: type.trim(), q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { type } of ranked) {
    if (type === 'text/csv') return 'csv';
    if (type === 'text/html') return 'html';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  }
  return 'json';
}

const text = (body: string, contentType: string): ApiResponse => ({
  status: 200,
  body,
  headers: { 'content-type': contentType },
});

export const operations: Operations<ApiPorts> = {
  'POST /v1/cases': async ({ caller, body, idempotencyKey }, deps) => {
    const { entity, replayed } = await openCase(deps, caller, body, idempotencyKey);
    return created(caseView(entity), `/v1/cases/${entity.id}`, replayed);
  },
  'GET /v1/cases': async ({ caller, query }, deps) => {
    const page = await listCases(deps, caller, query);
    return ok({ items: page.items.map(caseView), next: page.next });
  },
  'GET /v1/cases/{id}': async (request, deps) =>
    ok(caseView(await getCase(deps, request.caller, caseId(request)))),
  'PATCH /v1/cases/{id}': async (request, deps) =>
    changed(caseView, await patchCase(deps, request.caller, caseId(request), request)),
  'POST /v1/cases/{id}/searches': async (request, deps) => {
    const { search, replayed } = await saveSearch(deps, request.caller, caseId(request), request);
    return created(search, `/v1/cases/${caseId(request)}`, replayed);
  },
  'GET /v1/cases/{id}/comparison': async (request, deps) =>
    ok(await getComparison(deps, request.caller, caseId(request))),
  'POST /v1/cases/{id}/snapshots': async (request, deps) => {
    const { snapshot, replayed } = await lockSnapshot(deps, request.caller, caseId(request), request);
    return created(
      snapshotView(snapshot),
      `/v1/cases/${snapshot.caseId}/snapshots/${snapshot.number}`,
      replayed,
    );
  },
  'GET /v1/cases/{id}/snapshots/{number}': async (request, deps) => {
    const { kase, snapshot } = await getSnapshot(
      deps,
      request.caller,
      caseId(request),
      request.params.number ?? '',
    );
    const type = preferredType(request.accept);
    // Every answer here is `no-store` (a caller's own record), so no cache needs `Vary: Accept`.
    if (type === 'json') return { ...ok(snapshotView(snapshot)), headers: {} };
    if (type === 'csv') return text(snapshotCsv(snapshot), 'text/csv; charset=utf-8');
    const awarded = kase.award
      ? await deps.entities.get<Contract>('contract', kase.award.contractId)
      : undefined;
    const awardedName = snapshot.comparison.items.find((item) => item.serviceId === awarded?.serviceId)?.name;
    return text(snapshotHtml(snapshot, kase, awardedName), 'text/html; charset=utf-8');
  },
  'POST /v1/cases/{id}/quotes': async (request, deps) => {
    const { contracts, replayed } = await requestQuotes(deps, request.caller, caseId(request), request);
    return created({ contracts: contracts.map(contractView) }, `/v1/cases/${caseId(request)}`, replayed);
  },
  'POST /v1/cases/{id}/award': async (request, deps) =>
    changed(caseView, await awardCase(deps, request.caller, caseId(request), request)),
  'POST /v1/cases/{id}/close': async (request, deps) =>
    changed(caseView, await closeCase(deps, request.caller, caseId(request), request)),
};
