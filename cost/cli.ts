/**
 * `npm run cost [-- --json] [--scenario today]`: the monthly cost of the deployment per resource for each
 * scenario, the DR premium and its cheaper alternatives. Synthesizes the CDK app (no bundling) to count what
 * is deployed, reads the newest bench result for capacity and durations and `cost/prices.json` for prices.
 */
import { parseArgs } from 'node:util';
import { deployedInventory } from './inventory.js';
import { loadPriceList } from './prices.js';
import { buildReport, reportMarkdown, scenarioTable } from './report.js';
import { backgroundProfiles, latestBench, operationProfiles, scenarios } from './workload.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    scenario: { type: 'string', multiple: true },
  },
  strict: true,
});

const bench = latestBench();
const all = scenarios();
const chosen = values.scenario ? all.filter((s) => values.scenario?.includes(s.name)) : all;
if (chosen.length === 0) {
  throw new Error(`unknown scenario; choose from ${all.map((s) => s.name).join(', ')}`);
}
const report = buildReport({
  inventory: deployedInventory(),
  scenarios: chosen,
  profiles: operationProfiles(bench),
  background: backgroundProfiles(bench),
  prices: loadPriceList(),
  benchFile: bench.file,
});
process.stdout.write(
  values.json
    ? `${JSON.stringify(report, null, 2)}\n`
    : values.scenario
      ? `${scenarioTable(report)}\n`
      : reportMarkdown(report),
);
