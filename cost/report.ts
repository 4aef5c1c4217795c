/**
 * The whole cost report: every scenario priced against the deployed inventory, the DR premium (what the
 * second Region, witness, backups and failover controls add over one Region), the cheaper alternatives and the
 * options that cost more (the routing-control cluster), as
 * data (`--json`) and as markdown.
 */
import type { Inventory } from './inventory.js';
import { alternatives, type CostLine, estimate, type Estimate, options, singleRegion } from './model.js';
import type { PriceList } from './prices.js';
import type { BackgroundProfiles, OperationId, OperationProfile, Scenario } from './workload.js';

export interface AlternativeResult {
  readonly id: string;
  readonly title: string;
  readonly givesUp: string;
  /** Priced monthly saving against the deployed design at today's scale. */
  readonly savesUsd: number;
  /** Unpriced lines the alternative removes (their saving is not in `savesUsd`). */
  readonly alsoRemovesUnpriced: readonly string[];
}

export interface OptionResult {
  readonly id: string;
  readonly title: string;
  readonly gives: string;
  /** Priced monthly cost on top of the deployed design at today's scale. */
  readonly addsUsd: number;
}

export interface DrPremium {
  readonly scenario: string;
  readonly deployedUsd: number;
  readonly singleRegionUsd: number;
  readonly premiumUsd: number;
  /** Premium by line group (priced part). */
  readonly byGroup: readonly { readonly group: string; readonly usd: number }[];
  /** Unpriced lines that exist only because of DR (their cost is on top of the premium). */
  readonly unpricedOnlyInDr: readonly string[];
  readonly alternatives: readonly AlternativeResult[];
  readonly options: readonly OptionResult[];
}

export interface CostReport {
  readonly inventory: Inventory;
  readonly benchFile: string;
  readonly scenarios: readonly (Estimate & {
    readonly description: string;
    readonly monthly: Scenario['monthly'];
  })[];
  readonly drPremium: DrPremium;
  readonly prices: PriceList;
}

const lineKey = (l: CostLine) => `${l.group} · ${l.item} (${l.region})`;

export function buildReport(input: {
  readonly inventory: Inventory;
  readonly scenarios: readonly Scenario[];
  readonly profiles: Readonly<Record<OperationId, OperationProfile>>;
  readonly background: BackgroundProfiles;
  readonly prices: PriceList;
  readonly benchFile: string;
}): CostReport {
  const { inventory, profiles, background, prices } = input;
  const run = (inv: Inventory, s: Scenario) => estimate(inv, s, profiles, background, prices);
  const scenarios = input.scenarios.map((s) => ({
    ...run(inventory, s),
    description: s.description,
    monthly: s.monthly,
  }));
  const today = input.scenarios.find((s) => s.name === 'today') ?? input.scenarios[0];
  if (!today) throw new Error('no scenario');
  const deployed = run(inventory, today);
  const single = run(singleRegion(inventory), today);
  const groups = new Map<string, number>();
  for (const l of deployed.lines) groups.set(l.group, (groups.get(l.group) ?? 0) + (l.usd ?? 0));
  for (const l of single.lines) groups.set(l.group, (groups.get(l.group) ?? 0) - (l.usd ?? 0));
  const singleUnpriced = new Set(single.unpriced.map((l) => `${l.group} · ${l.item}`));
  return {
    inventory,
    benchFile: input.benchFile,
    scenarios,
    prices,
    drPremium: {
      scenario: today.name,
      deployedUsd: deployed.totalUsd,
      singleRegionUsd: single.totalUsd,
      premiumUsd: deployed.totalUsd - single.totalUsd,
      byGroup: [...groups]
        .map(([group, usd]) => ({ group, usd }))
        .filter((g) => Math.abs(g.usd) >= 0.005)
        .sort((a, b) => b.usd - a.usd),
      unpricedOnlyInDr: [
        ...new Set(
          deployed.unpriced.filter((l) => !singleUnpriced.has(`${l.group} · ${l.item}`)).map(lineKey),
        ),
      ],
      alternatives: alternatives.map((alt) => {
        const changed = run(alt.apply(inventory), today);
        const remaining = new Set(changed.unpriced.map(lineKey));
        return {
          id: alt.id,
          title: alt.title,
          givesUp: alt.givesUp,
          savesUsd: deployed.totalUsd - changed.totalUsd,
          alsoRemovesUnpriced: [...new Set(deployed.unpriced.map(lineKey))].filter((k) => !remaining.has(k)),
        };
      }),
      options: options.map((option) => ({
        id: option.id,
        title: option.title,
        gives: option.gives,
        addsUsd: run(option.apply(inventory), today).totalUsd - deployed.totalUsd,
      })),
    },
  };
}

const usd = (value: number) =>
  value >= 100 ? `$${Math.round(value).toLocaleString('en-US')}` : `$${value.toFixed(2)}`;

const qty = (value: number) =>
  value >= 1e6
    ? `${(value / 1e6).toFixed(2)} M`
    : value >= 1000
      ? `${(value / 1000).toFixed(1)} k`
      : value >= 1
        ? value.toFixed(value % 1 === 0 ? 0 : 1)
        : value.toPrecision(2);

/** One row per group · item (Regions added up), one column per scenario. */
export function scenarioTable(report: CostReport, names = report.scenarios.map((s) => s.scenario)): string {
  const chosen = report.scenarios.filter((s) => names.includes(s.scenario));
  const keys: string[] = [];
  const cells = new Map<
    string,
    Map<string, { usd: number; unpriced: number; quantity: number; unit: string; standIn: boolean }>
  >();
  for (const s of chosen) {
    for (const l of s.lines) {
      const key = `${l.group} | ${l.item}`;
      if (!keys.includes(key)) keys.push(key);
      const row = cells.get(key) ?? new Map();
      cells.set(key, row);
      const cell = row.get(s.scenario) ?? { usd: 0, unpriced: 0, quantity: 0, unit: l.unit, standIn: false };
      cell.quantity += l.quantity;
      if (l.usd === null) cell.unpriced += 1;
      else cell.usd += l.usd;
      cell.standIn ||= l.standIn;
      row.set(s.scenario, cell);
    }
  }
  const order = [
    'API Gateway',
    'WAF',
    'Lambda',
    'DynamoDB',
    'Data transfer',
    'AWS Backup',
    'X-Ray',
    'CloudWatch',
    'KMS',
    'Route 53',
    'ARC',
  ];
  const rank = (key: string) => {
    const i = order.indexOf(key.split(' | ')[0] ?? '');
    return i === -1 ? order.length : i;
  };
  keys.sort((a, b) => rank(a) - rank(b));
  const lines = [
    `| Resource | Meter | ${chosen.map((s) => s.scenario).join(' | ')} |`,
    `| --- | --- |${chosen.map(() => ' ---: |').join('')}`,
  ];
  for (const key of keys) {
    const row = cells.get(key);
    const values = chosen.map((s) => {
      const c = row?.get(s.scenario);
      if (!c) return '—';
      if (c.unpriced > 0) return `unpriced (${qty(c.quantity)} ${c.unit})`;
      return `${c.standIn ? '~' : ''}${usd(c.usd)}`;
    });
    lines.push(`| ${key} | ${values.join(' | ')} |`);
  }
  lines.push(
    `| **Total (priced lines)** | | ${chosen.map((s) => `**${usd(s.totalUsd)}**`).join(' | ')} |`,
    `| of which from stand-in prices (~) | | ${chosen.map((s) => usd(s.standInUsd)).join(' | ')} |`,
    `| unpriced lines (not in the total) | | ${chosen.map((s) => String(s.unpriced.length)).join(' | ')} |`,
  );
  return lines.join('\n');
}

export function drPremiumMarkdown(report: CostReport): string {
  const dr = report.drPremium;
  return [
    `At the ${dr.scenario} scale: deployed (two Regions, witness, copies, failover) **${usd(dr.deployedUsd)}**/month, ` +
      `the same in one Region **${usd(dr.singleRegionUsd)}**/month: the DR premium is **${usd(dr.premiumUsd)}**/month (priced lines only).`,
    '',
    '| What DR adds | USD/month |',
    '| --- | ---: |',
    ...dr.byGroup.map((g) => `| ${g.group} | ${usd(g.usd)} |`),
    '',
    `On top of that, unpriced (no stored price): ${dr.unpricedOnlyInDr.length === 0 ? 'nothing' : dr.unpricedOnlyInDr.join('; ')}.`,
    '',
    '| Cheaper alternative | Saves USD/month (priced) | Also removes (unpriced) | Gives up |',
    '| --- | ---: | --- | --- |',
    ...dr.alternatives.map(
      (a) =>
        `| ${a.title} | ${usd(a.savesUsd)} | ${a.alsoRemovesUnpriced.length === 0 ? '—' : a.alsoRemovesUnpriced.join('; ')} | ${a.givesUp} |`,
    ),
    '',
    '| Option (not in the default stacks) | Adds USD/month (priced) | Gives |',
    '| --- | ---: | --- |',
    ...dr.options.map((o) => `| ${o.title} | ${usd(o.addsUsd)} | ${o.gives} |`),
  ].join('\n');
}

export function reportMarkdown(report: CostReport): string {
  const inv = report.inventory;
  const fns = inv.regions[0]?.functions ?? [];
  return [
    '# Monthly cost of the marketplace (USD, list prices, no free tier)',
    '',
    `Counted from a synth of the CDK app with a domain: ${inv.activeRegions.length} active Regions (${inv.activeRegions.join(', ')}), ` +
      `witness ${inv.witness || 'none'}; per Region ${fns.length} functions (${fns.map((f) => `${f.name} ${f.memoryMb} MB`).join(', ')}), ` +
      `${inv.regions[0]?.alarms ?? 0} alarms (${inv.regions[0]?.alarmMetrics ?? 0} alarm metrics), ${inv.regions[0]?.dashboards ?? 0} dashboard, ` +
      `${inv.regions[0]?.wafRules ?? 0} WAF rules; tables ${inv.tables.map((t) => `${t.name} (${t.consistency === 'STRONG' ? 'MRSC' : 'MREC'}, ${t.gsis} indexes)`).join(', ')}; ` +
      `${inv.backups[0]?.recoveryPointsKept ?? 0} recovery points kept per Region${inv.backups[0]?.copyTo.length ? ', each copied to the other Region' : ''}; ` +
      (inv.failover
        ? `${inv.failover.healthChecks.length} Route 53 health checks, ${inv.failover.clusters} ARC cluster, ${inv.failover.regionSwitchPlans} Region switch plan.`
        : 'no failover stacks.'),
    `Capacity and durations of the benchmarked operations from \`${report.benchFile}\`; the rest are assumptions in \`cost/workload.ts\`.`,
    "All API traffic is assumed to reach the primary Region (latency routing from Korea); the secondary serves Route 53's probes and replication.",
    '`~` marks a cost priced from a stand-in (the nearest documented price, mostly US East); "unpriced" lines have no stored source and are left out of the totals.',
    '',
    scenarioTable(report),
    '',
    '## DR premium',
    '',
    drPremiumMarkdown(report),
    '',
    '## Prices',
    '',
    '| Price | Regions | USD | per | Source (read) | |',
    '| --- | --- | ---: | --- | --- | --- |',
    ...report.prices.prices.map(
      (p) =>
        `| ${p.id} | ${p.regions.join(', ')} | ${p.usd === null ? '**unknown**' : p.usd} | ${p.per.toLocaleString('en-US')} ${p.unit} | ${p.source} (${p.read}) | ${p.usd === null ? 'unpriced' : p.exact ? 'exact' : 'stand-in'} |`,
    ),
    '',
  ].join('\n');
}
