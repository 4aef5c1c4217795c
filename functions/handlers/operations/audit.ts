import { acknowledgeEvent, listAudit } from '../../domain/audit.js';
import { auditEventView } from '../../domain/views.js';
import { ok } from '../../http/responses.js';
import type { Operations } from '../../http/api.js';
import type { ApiPorts } from '../composition-root.js';

export { deps as ports } from '../composition-root.js';

export const operations: Operations<ApiPorts> = {
  'GET /v1/audit': async ({ caller, query }, deps) => {
    const page = await listAudit(deps, caller, query);
    return ok({ items: page.items.map(auditEventView), next: page.next });
  },
  'POST /v1/audit/{eventId}/acknowledge': async ({ caller, params, ifMatch }, deps) =>
    ok(auditEventView(await acknowledgeEvent(deps, caller, params.eventId ?? '', ifMatch))),
};
