import { DynamoDBClient, UpdateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { rmSync, mkdirSync } from 'node:fs';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { ensureTables, createTableInput, ensureIndexes } from '../local/tables.js';
import { tableList } from '../functions/adapters/dynamodb/tables.js';
import { regionEnvironment } from '../local/region.js';
import { generateDemoData } from '../local/demo-data.js';
import { loadDemoData } from '../local/demo-load.js';
const mode = process.argv[2] ?? 'one';
const dir = '/tmp/mgsi'; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
const db = await startDynamoDbLocal({ dataDir: dir, compiler: 'optimizing' });
Object.assign(process.env, regionEnvironment('ap-northeast-2', db.endpoint, 'dsm-'));
const client = new DynamoDBClient({});
await ensureTables(client, 'dsm-', { indexes: 'later', ...(process.env.NOSTREAM ? { streams: false } : {}) } as never);
let t = performance.now();
const n = await loadDemoData({ client, region: 'ap-northeast-2' }, generateDemoData({ now: new Date() }));
console.log('load', n, ((performance.now() - t) / 1000).toFixed(1));
t = performance.now();
if (mode === 'all') {
  for (const spec of tableList) {
    const input = createTableInput(spec, 'dsm-');
    if (!input.GlobalSecondaryIndexes) continue;
    for (let i = 0; i < input.GlobalSecondaryIndexes.length; i += 5) {
    try {
      await client.send(new UpdateTableCommand({ TableName: input.TableName, AttributeDefinitions: input.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: input.GlobalSecondaryIndexes.slice(i, i + 5).map((Create) => ({ Create })) }));
    } catch (e) { console.log('refused', spec.id, (e as Error).message); }
    for (;;) { const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
      if ((Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')) { console.log(spec.id, Table?.GlobalSecondaryIndexes?.length, ((performance.now() - t) / 1000).toFixed(1)); break; }
      await new Promise((r) => setTimeout(r, 25)); }
  }}
}
await ensureIndexes(client, 'dsm-');
console.log('indexes', ((performance.now() - t) / 1000).toFixed(1));
await db.stop();
