/**
 * The scale section in a process of its own, with a fresh DynamoDB Local: in one that already holds the
 * API section's thousands of writes, seeding the 100k catalog slowed to a crawl. Prints the report as JSON.
 */
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { startLocalRegion } from '../local/region.js';
import { generateSigningKeys, mintToken } from '../local/tokens.js';
import { measureScale } from './scale.js';

const [sizesArg = '1000,10000', samplesArg = '15'] = process.argv.slice(2);
process.env.DSM_EXPOSE_CAPACITY = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const dynamodb = await startDynamoDbLocal();
const keys = await generateSigningKeys();
const region = await startLocalRegion({ endpoint: dynamodb.endpoint, tablePrefix: 'bench', keys });
try {
  await region.poller.stop();
  const admin = await mintToken(keys, { sub: 'bench-admin', role: 'admin' });
  const report = await measureScale(region, sizesArg.split(',').map(Number), Number(samplesArg), admin);
  process.stdout.write(JSON.stringify(report));
} finally {
  await region.stop();
  await dynamodb.stop();
}
