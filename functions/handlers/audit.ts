import { acknowledgeEvent, listAudit } from '../domain/audit.js';
import { auditEventView } from '../domain/views.js';
import { ok } from '../http/responses.js';
import { apiHandler } from '../http/api.js';
import { deps } from './composition-root.js';

export const handler = apiHandler('audit', {
  'GET /v1/audit': async ({ caller, query }) => {
    const page = await listAudit(deps(), caller, query);
    return ok({ items: page.items.map(auditEventView), next: page.next });
  },
  'POST /v1/audit/{eventId}/acknowledge': async ({ caller, params, ifMatch }) =>
    ok(auditEventView(await acknowledgeEvent(deps(), caller, params.eventId ?? '', ifMatch))),
});
