import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScale, generateDemoData } from '../../local/demo-data.js';
import { loadDemoData } from '../../local/demo-load.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
beforeAll(async () => {
  // As `npm start`'s first start: loaded into tables without indexes and streams, which follow the load.
  api = await startTestApi({ loading: true, bareTablesForLoad: true });
});
afterAll(async () => api?.stop());

describe('demo data through the fast loader', () => {
  it(
    'GET /v1/stats shows the real-world scale, and the catalog is searchable',
    {
      timeout: 240_000,
    },
    async () => {
      const data = generateDemoData({ now: new Date() });
      await loadDemoData(api.region, data);
      await api.region.markReady();
      const stats = (await api.call('GET', '/v1/stats')).body;
      expect(stats.services.listed).toBe(demoScale.listedServices);
      expect(stats.services.ai).toBe(demoScale.aiConvergenceServices);
      expect(stats.agencies.withContracts).toBe(demoScale.agencies);
      expect(stats.contracts.signed).toBe(demoScale.signedContracts);
      expect(stats.contracts.totalAmountKrw).toBe(demoScale.signedAmountKrw);
      expect(Object.values(stats.services.byCategory).every((n) => (n as number) > 0)).toBe(true);
      expect(stats.medianLeadTimeDays).toBeGreaterThan(0);

      // Edited services show their history, and the audit queue holds the edits not yet acknowledged.
      const [edited] = data.serviceEdits;
      const history = await api.call('GET', `/v1/services/${edited?.serviceId}/versions`);
      expect(history.body.items.length).toBe((edited?.versions.length ?? 0) + 1);
      const admin = await api.token('admin');
      const waiting = await api.call('GET', '/v1/audit?action=update&acknowledged=false&limit=100', {
        token: admin,
      });
      const edits = data.serviceEdits.reduce((n, e) => n + e.versions.length, 0);
      expect(waiting.body.items).toHaveLength(edits - data.acknowledgements.length);

      const ai = await api.call('GET', '/v1/services?ai=true&limit=100');
      expect(ai.body.items).toHaveLength(demoScale.aiConvergenceServices);
      expect(ai.body.items.every((s: { category: string }) => s.category === 'CONVERGENCE')).toBe(true);
    },
  );
});
