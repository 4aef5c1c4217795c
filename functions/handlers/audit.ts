import { listAudit } from '../domain/audit.js';
import { auditEventView } from '../domain/views.js';
import { apiHandler, ok } from '../http/api.js';
import { runtime } from './runtime.js';

export const handler = apiHandler('audit', {
  'GET /v1/audit': async ({ caller, query }) => {
    const page = await listAudit(runtime(), caller, query);
    return ok({ items: page.items.map(auditEventView), next: page.next });
  },
});
