/**
 * The price list (`cost/prices.json`): one entry per price and Region scope, each with its source and the day
 * it was read. A price the stores could not give is `usd: null`: the model reports its line as unpriced.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type PriceId =
  | 'apigw.rest.request'
  | 'lambda.request'
  | 'lambda.arm.gbSecond'
  | 'dynamodb.wru'
  | 'dynamodb.rru'
  | 'dynamodb.rwru'
  | 'dynamodb.mrsc.witness'
  | 'dynamodb.storage'
  | 'dynamodb.pitr'
  | 'dynamodb.streams.lambdaRead'
  | 'backup.dynamodb.warm'
  | 'transfer.interRegion'
  | 'waf.webAcl'
  | 'waf.rule'
  | 'waf.request'
  | 'route53.healthCheck.awsEndpoint'
  | 'route53.healthCheck.optionalFeature'
  | 'route53.healthCheck.calculated'
  | 'route53.healthCheck.recoveryControl'
  | 'route53.query.latency'
  | 'arc.cluster'
  | 'arc.regionSwitchPlan'
  | 'cloudwatch.alarmMetric'
  | 'cloudwatch.dashboard'
  | 'cloudwatch.logs.ingest'
  | 'cloudwatch.logs.storage'
  | 'kms.key'
  | 'kms.request'
  | 'xray.traceRecorded';

export interface Price {
  readonly id: PriceId;
  /** Region names it applies to; `*` for any Region (global services, or a stand-in). */
  readonly regions: readonly string[];
  /** USD per `per` units; null when no stored source gave it. */
  readonly usd: number | null;
  readonly per: number;
  readonly unit: string;
  /** The source states this price for these Regions; false: the nearest documented price, a stand-in. */
  readonly exact: boolean;
  readonly source: string;
  /** ISO date the source was read. */
  readonly read: string;
  readonly note: string;
}

export interface PriceList {
  readonly currency: 'USD';
  readonly prices: readonly Price[];
}

/** The price of one unit in `region`: an entry for that Region first, else a `*` one; undefined if none. */
export function priceOf(list: PriceList, id: PriceId, region: string): Price | undefined {
  return (
    list.prices.find((p) => p.id === id && p.regions.includes(region)) ??
    list.prices.find((p) => p.id === id && p.regions.includes('*'))
  );
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Checks the shape of a parsed price list; throws on the first problem. */
export function parsePriceList(value: unknown): PriceList {
  const list = value as { currency?: unknown; prices?: unknown };
  if (list?.currency !== 'USD' || !Array.isArray(list.prices)) {
    throw new Error('price list: expected { currency: "USD", prices: [...] }');
  }
  for (const [i, p] of (list.prices as Record<string, unknown>[]).entries()) {
    const where = `price list entry ${i} (${String(p.id)})`;
    if (typeof p.id !== 'string') throw new Error(`${where}: id`);
    if (!Array.isArray(p.regions) || p.regions.length === 0) throw new Error(`${where}: regions`);
    if (p.usd !== null && (typeof p.usd !== 'number' || !(p.usd >= 0))) throw new Error(`${where}: usd`);
    if (typeof p.per !== 'number' || !(p.per > 0)) throw new Error(`${where}: per`);
    if (typeof p.source !== 'string' || p.source === '') throw new Error(`${where}: source`);
    if (typeof p.read !== 'string' || !ISO_DATE.test(p.read)) throw new Error(`${where}: read date`);
    if (typeof p.exact !== 'boolean') throw new Error(`${where}: exact`);
    if (p.usd === null && p.exact) throw new Error(`${where}: an unknown price cannot be exact`);
  }
  return list as PriceList;
}

export function loadPriceList(
  file = join(dirname(fileURLToPath(import.meta.url)), 'prices.json'),
): PriceList {
  return parsePriceList(JSON.parse(readFileSync(file, 'utf8')));
}
