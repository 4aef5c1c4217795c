/**
 * `npm start [-- --reset] [-- --empty]`: the whole system on this machine. DynamoDB Local keeps its data
 * in .local/ across restarts; --reset wipes it first, --empty skips loading the demo data.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemoData } from './demo-data.js';
import { loadDemoData } from './demo-load.js';
import { localStateDir } from './paths.js';
import { DEFAULT_REGION, type LocalRegion, startLocalRegion } from './region.js';
import { configuredApiLimits } from './api-limits.js';
import { configuredCorsOrigins } from './cors.js';
import { localSigningKeys } from './tokens.js';

const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    empty: { type: 'boolean', default: false },
    region: { type: 'string', default: DEFAULT_REGION },
    quiet: { type: 'boolean', default: false },
    // As `cdk -c key=value`: overrides a context key of cdk.json (the front-end origins, the rate limits) for this run.
    context: { type: 'string', short: 'c', multiple: true, default: [] },
  },
  strict: true,
});

const port = Number(process.env.PORT ?? 3000);
const stateDir = join(localStateDir, 'regions', values.region);
const demoMarker = join(stateDir, 'demo-loaded');
const say = (line: string) => process.stdout.write(`${line}\n`);
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

let region: LocalRegion | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('Stopping…');
  await region?.stop().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  if (values.reset) {
    rmSync(stateDir, { recursive: true, force: true });
    say(`Wiped local data in ${stateDir}`);
  }
  say(`Starting DynamoDB Local (${values.region}) with data in ${stateDir} …`);
  const loadDemo = !values.empty && !existsSync(demoMarker);
  region = await startLocalRegion({
    loading: loadDemo,
    bareTablesForLoad: true,
    region: values.region,
    stateDir,
    port,
    keys: await localSigningKeys(),
    rateLimits: configuredApiLimits(values.context),
    corsOrigins: configuredCorsOrigins(values.context),
    scheduleEveryMs: 3_600_000,
    ...(values.quiet ? {} : { log: say }),
    onProjectionError: (error) => say(`projection failed, will retry: ${(error as Error).message}`),
  });
  if (loadDemo) {
    say(`Loading demo data (first start only; ${region.url}/health says "starting" until it is in) …`);
    const data = generateDemoData({ now: new Date() });
    const written = await loadDemoData(region, data);
    say(`  ${written} items written, with their search index, statistics and history, at ${seconds()}`);
    writeFileSync(demoMarker, new Date().toISOString());
    await region.markReady();
    say(
      `  ${data.services.length} services, ${data.agencies.length} agencies, ${data.providers.length} providers, ` +
        `${data.contracts.length} contracts, ${data.reviewSessions.length} review sessions ready at ${seconds()}`,
    );
  }
  say(`\nMarketplace API (${region.region}) listening on ${region.url}  (ready in ${seconds()})`);
  say(`  curl ${region.url}/health`);
  say(`  curl ${region.url}/v1/stats`);
  say('  Tokens: npm run token -- --role admin   (roles: agency, provider, committee, admin; --org ID)');
  say(`  Identity provider: ${region.issuer.discoveryUrl}`);
  say(`  Front-end origins allowed (CORS): ${region.corsOrigins.join(', ') || 'none'}`);
  say('Ctrl-C stops everything.');
} catch (error) {
  say(`Could not start: ${(error as Error).message}`);
  await shutdown(1);
}
