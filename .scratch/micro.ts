// In-process, sequential: CPU per catalog read through the handler vs the store call alone.
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { startLocalRegion } from '../local/region.js';
import { generateSigningKeys, mintToken } from '../local/tokens.js';
process.env.DSM_EXPOSE_CAPACITY = 'true';
process.env.POWERTOOLS_LOG_LEVEL = process.env.LOGLEVEL ?? 'SILENT';
const dynamodb = await startDynamoDbLocal();
const keys = await generateSigningKeys();
const region = await startLocalRegion({ endpoint: dynamodb.endpoint, tablePrefix: 'micro', keys });
const { createProvider, seedService } = await import('../test/support/fixtures.js');
const api = { region, keys, token: (role: string) => mintToken(keys, { sub: 'p', role: role as never }),
  call: async (method: string, path: string, o: { token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {}; if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body; if (o.body !== undefined) { body = JSON.stringify(o.body); headers['content-type'] = 'application/json'; }
    const r = await fetch(region.url + path, { method, headers, body }); const t = await r.text();
    return { status: r.status, headers: r.headers, body: t ? JSON.parse(t) : undefined };
  }, settle: () => region.poller.drain() } as never;
const providerId = await createProvider(api, '123456789');
const serviceId = (await seedService(api, providerId)).id;
const { handler } = await import('../functions/handlers/services.js');
const { DynamoEntityStore } = await import('../functions/adapters/dynamodb/entity-store.js');
const { documentClient } = await import('../functions/adapters/dynamodb/client.js');
const entities = new DynamoEntityStore(documentClient());
const event = () => ({ resource: '/v1/services/{id}', path: `/v1/services/${serviceId}`, httpMethod: 'GET',
  headers: { host: 'x', 'user-agent': 'autocannon', accept: '*/*' }, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,
  pathParameters: { id: serviceId }, stageVariables: null, body: null, isBase64Encoded: false,
  requestContext: { requestId: 'r', identity: { sourceIp: '127.0.0.1' } } }) as never;
const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 29000 } as never;
const r = await handler(event(), ctx); if (r.statusCode !== 200) throw new Error(String(r.statusCode));
const N = Number(process.argv[2] ?? 2000);
const time = async (label: string, f: () => Promise<unknown>) => {
  for (let i = 0; i < N; i++) await f();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < N; i++) await f();
  const c = process.cpuUsage(c0); const wall = performance.now() - t0;
  console.log(label.padEnd(10), 'cpu/op', ((c.user + c.system) / 1000 / N).toFixed(3), 'ms  wall/op', (wall / N).toFixed(3));
};
for (let k = 0; k < Number(process.env.ROUNDS ?? 3); k++) {
  if (process.env.ONLY === 'handler') { await time('handler', () => handler(event(), ctx)); continue; }
  await time('store', () => entities.get('service', serviceId));
  await time('handler', () => handler(event(), ctx));
  await time('http-gw', () => fetch(`${region.url}/v1/services/${serviceId}`).then((x) => x.text()));
}
await region.stop(); await dynamodb.stop(); process.exit(0);
