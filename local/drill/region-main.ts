/**
 * One drill Region as its own process (the functions read their configuration from the environment, as
 * in Lambda, so a process hosts one Region). Prints `READY <url>` once serving; SIGKILL is the fire.
 * `--loading`: the store already holds data its streams have not projected yet; `/health` says `starting`
 * until they have. `--rebuild`: the Region came back empty and its replicas were re-seeded; it projects
 * only new writes and stays `starting` until `npm run ops -- rebuild-projections` is done.
 * SIGTERM is a deploy replacing it: the gateway stops accepting, lets the requests in flight finish
 * (each is bounded by its own deadline; DRAIN_LIMIT_MS is a backstop), then the process exits.
 */
import { parseArgs } from 'node:util';
import { startLocalRegion } from '../region.js';
import { localSigningKeys } from '../tokens.js';

const { values } = parseArgs({
  options: {
    region: { type: 'string' },
    port: { type: 'string' },
    endpoint: { type: 'string' },
    'keys-dir': { type: 'string' },
    loading: { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
  },
});
if (!values.region || !values.endpoint || !values['keys-dir']) {
  throw new Error('usage: region-main --region R --endpoint URL --keys-dir DIR [--port N]');
}
const region = await startLocalRegion({
  region: values.region,
  endpoint: values.endpoint,
  port: Number(values.port ?? 0),
  keys: await localSigningKeys(values['keys-dir']),
  loading: values.loading || values.rebuild,
  streamsFromLatest: values.rebuild,
});
if (values.loading) {
  // A busy machine can time a batch out; the streams keep it, so try again until all is projected.
  for (;;) {
    const drained = await region.poller.drain().then(
      () => true,
      () => false,
    );
    if (drained) break;
  }
  await region.markReady();
}
process.stdout.write(`READY ${region.url}\n`);
// The drill holds this pipe open; when the drill dies without cleaning up, the Region goes with it.
process.stdin.on('end', () => process.exit(1)).resume();
const DRAIN_LIMIT_MS = 15_000;
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), DRAIN_LIMIT_MS).unref();
  void region.gateway
    .close({ drain: true })
    .then(() => region.stop())
    .then(() => process.exit(0));
});
