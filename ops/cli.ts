/**
 * `npm run ops -- drain <region>` · `npm run ops -- restore <region>` · `npm run ops -- status`
 * · `npm run ops -- rebuild-projections --region <region> …` (`rebuild-projections-cli.ts`)
 *
 * Flips a Region's ARC routing control through the cluster's data plane and prints the confirmed state of
 * every Region. Reads the endpoints and routing controls recorded after deploy from `ops/arc-cluster.json`
 * (or `--config <file>`); credentials come from the usual AWS chain (OPERATIONS.md, "Break-glass credentials").
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rebuildProjectionsCommand } from './rebuild-projections-cli.js';
import { defaultSwitchOptions, loadArcSwitchConfig, readStates, switchRegion } from './routing-control.js';

const usage = 'usage: npm run ops -- drain <region> | restore <region> | status [--config <file>]';

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'rebuild-projections') {
    process.exitCode = await rebuildProjectionsCommand(argv.slice(1));
    return;
  }
  const args = [...argv];
  const configAt = args.indexOf('--config');
  const configPath =
    configAt >= 0
      ? (args.splice(configAt, 2)[1] ?? '')
      : join(dirname(fileURLToPath(import.meta.url)), 'arc-cluster.json');
  const [command, region] = args;
  const config = loadArcSwitchConfig(configPath);
  const options = { ...defaultSwitchOptions, log: (line: string) => console.error(line) };

  if (command === 'status' && !region) {
    console.log(JSON.stringify(await readStates(config, options), null, 2));
    return;
  }
  if ((command !== 'drain' && command !== 'restore') || !region) throw new Error(usage);
  const result = await switchRegion(config, region, command === 'drain' ? 'Off' : 'On', options);
  console.log(
    JSON.stringify(
      { confirmed: `${result.region} ${result.state}`, states: result.states, via: result.changedThrough },
      null,
      2,
    ),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
