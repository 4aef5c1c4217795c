// Profile: catalog read through the local gateway; run with node --cpu-prof --import tsx
import { spawn } from 'node:child_process';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { startLocalRegion } from '../local/region.js';
import { generateSigningKeys } from '../local/tokens.js';
process.env.DSM_EXPOSE_CAPACITY = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const dynamodb = await startDynamoDbLocal();
const keys = await generateSigningKeys();
const region = await startLocalRegion({ endpoint: dynamodb.endpoint, tablePrefix: 'prof', keys });
const { createAgency, createProvider, seedService } = await import('../test/support/fixtures.js');
const admin = (await import('../local/tokens.js')).mintToken;
// a service through the API
const api = { region, keys, token: (role: string, org?: string) => admin(keys, { sub: 'p', role: role as never, ...(org ? { org } : {}) }),
  call: async (method: string, path: string, o: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...o.headers }; if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body; if (o.body !== undefined) { body = JSON.stringify(o.body); headers['content-type'] = 'application/json'; }
    const r = await fetch(region.url + path, { method, headers, body }); const t = await r.text();
    return { status: r.status, headers: r.headers, body: t ? JSON.parse(t) : undefined };
  }, settle: () => region.poller.drain() } as never;
const providerId = await createProvider(api, '123456789');
const serviceId = (await seedService(api, providerId)).id;
console.error('service', serviceId);
const job = { url: region.url, connections: 8, amount: Number(process.argv[2] ?? 3000), method: 'GET', paths: [`/v1/services/${serviceId}`], headers: {} };
const run = (j: object) => new Promise<string>((res) => { const c = spawn(process.execPath, ['--import', 'tsx', 'bench/load-child.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = ''; c.stdout.on('data', (d) => (out += d)); c.once('exit', () => res(out)); c.stdin.end(JSON.stringify(j)); });
const { createServer } = await import('node:http');
const { DynamoEntityStore } = await import('../functions/adapters/dynamodb/entity-store.js');
const { documentClient } = await import('../functions/adapters/dynamodb/client.js');
const entities = new DynamoEntityStore(documentClient());
const server = createServer((q, r) => { q.resume(); q.once('end', () => entities.get('service', serviceId).then((x) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(x)))); });
await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
const bare = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const measure = async (label: string, url: string) => {
  const c0 = process.cpuUsage(); const t = performance.now();
  const out = JSON.parse(await run({ ...job, url }));
  const c = process.cpuUsage(c0);
  console.error(label, 'p50', out.p50Ms, 'cpu/req ms', ((c.user + c.system) / 1000 / job.amount).toFixed(3), 'user', (c.user / 1000 / job.amount).toFixed(3), 'sys', (c.system / 1000 / job.amount).toFixed(3), ((performance.now() - t) / 1000).toFixed(1), 's');
};
if (!process.env.NOWARM) { await run({ ...job, amount: 500 }); await run({ ...job, url: bare, amount: 500 }); }
for (let i = 0; i < Number(process.argv[3] ?? 2); i++) { await measure('api ', region.url); if (!process.env.APIONLY) await measure('bare', bare); }
server.close();
await region.stop(); await dynamodb.stop(); process.exit(0);
