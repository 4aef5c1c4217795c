/**
 * Deployment configuration, read from the CDK context (`cdk.json`, or `-c key=value` on the command line)
 * and validated before any construct is built, so a bad region or issuer fails `cdk synth` with a message
 * that names the key, not with a CloudFormation error half-way through a deployment.
 */
import { type ApiLimits, defaultApiLimits } from '../functions/api-limits.js';

/**
 * Region sets within which DynamoDB multi-Region strong consistency (MRSC) can replicate: the ledger's two
 * replicas and its witness must all come from one set. Exactly the sets aws-cdk-lib's TableV2 accepts (it
 * validates them again at synth); test/infra/config.test.ts builds an MRSC table from each to keep them equal.
 */
export const mrscRegionSets = {
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
} as const satisfies Record<string, readonly string[]>;

export type RegionSetName = keyof typeof mrscRegionSets;

/** The context keys this app reads. */
export const contextKeys = {
  regions: 'marketplace:regions',
  tablePrefix: 'marketplace:tablePrefix',
  oidcIssuer: 'marketplace:oidcIssuer',
  oidcAudience: 'marketplace:oidcAudience',
  apiLimits: 'marketplace:apiLimits',
  domain: 'marketplace:domain',
  alarmEmail: 'marketplace:alarmEmail',
  routingControlCluster: 'marketplace:routingControlCluster',
  regionSwitchHealthChecks: 'marketplace:regionSwitchHealthChecks',
  corsOrigins: 'marketplace:corsOrigins',
} as const;

/**
 * Regions that are not ours to choose. Route 53 health-check metrics exist only in us-east-1, so the alarms
 * and dashboard on them live there; Route 53 ARC recovery-control configuration (cluster, control panel,
 * routing controls) is created through the us-west-2 endpoint only. Neither serves requests: the data plane
 * (DNS answers, routing-control state on the five cluster endpoints) is global.
 */
export const globalServiceRegions = {
  route53Metrics: 'us-east-1',
  recoveryControlConfig: 'us-west-2',
} as const;

/** One public hostname for the API, served by a regional custom domain in every active Region. */
export interface DomainConfig {
  /** The Route 53 public hosted zone, e.g. "marketplace.go.kr". */
  readonly zoneName: string;
  /** Its ID, e.g. "Z0123456789ABCDEFGHIJ" (no lookup at synth time: `cdk synth` stays offline). */
  readonly hostedZoneId: string;
  /**
   * The name clients call, e.g. "api.marketplace.go.kr": a latency record per Region with a health check.
   * Each Region is also reachable as `<region>.<apiHostName>` (what the health checks probe).
   */
  readonly apiHostName: string;
}

export interface MarketplaceConfig {
  readonly regions: {
    /** Region of the data stack that owns the global tables; serves traffic like the secondary. */
    readonly primary: string;
    /** Second active Region: its own API, functions, replicas and projections. */
    readonly secondary: string;
    /** Ledger (MRSC) witness: takes part in the write quorum, stores no readable replica, runs nothing of ours. */
    readonly witness: string;
  };
  readonly regionSet: RegionSetName;
  /** The Regions that each get a full region stack (API, functions, projections), primary first. */
  readonly activeRegions: readonly [string, string];
  /** Physical table names are `<prefix>-<table id>`; also the prefix of stack names. */
  readonly tablePrefix: string;
  readonly oidc: {
    /** Expected `iss` claim; keys come from the issuer's OIDC discovery document. */
    readonly issuer: string;
    /** Expected `aud` claim. */
    readonly audience: string;
  };
  /** Throttling, the per-caller rate, token age and authorizer caching, shared with the local gateway. */
  readonly apiLimits: ApiLimits;
  /** Custom domain, health checks, DNS failover and its manual switch; none of them when absent. */
  readonly domain?: DomainConfig;
  /** How an operator moves traffic between Regions (with a domain only). */
  readonly failover: FailoverConfig;
  /** Subscribed to every alarm topic when set (the subscription must be confirmed from the mailbox). */
  readonly alarmEmail?: string;
  /** Front-end origins a browser may call the API from (`functions/http/cors.ts`); none when absent. */
  readonly corsOrigins: readonly string[];
}

/**
 * The manual switch over the health checks. By default an ARC Region switch plan with a Route 53 health-check
 * execution block: its health checks, one per Region, join each Region's DNS health check, and running the
 * plan (data-plane calls, sent to a Region of the plan that is up) turns a Region's check unhealthy or
 * healthy again. ARC's own comparison: the lower-cost choice, which depends on the Region it runs in being
 * available (ARC Developer Guide, "ARC routing control execution block", comparing the two blocks).
 * `marketplace:routingControlCluster: true` adds the routing-control cluster instead (five-Region data
 * plane with a 100% SLA and a safety rule, about $1,825 a month for its hours alone; OPERATIONS.md, Cost).
 */
export interface FailoverConfig {
  readonly routingControlCluster: boolean;
  /**
   * The Region switch plan's health check per active Region, recorded after the first deploy (`npm run ops --
   * status` lists them): ARC creates them with the plan and reports no Region for each in the template, so
   * they join the DNS health checks from the second deploy on.
   */
  readonly regionSwitchHealthChecks: Readonly<Record<string, string>>;
}

const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const DNS_NAME = /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TABLE_PREFIX = /^[a-z][a-z0-9-]{0,29}$/;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid marketplace configuration (cdk.json "context"):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates the CDK context and returns the typed configuration; throws a {@link ConfigError} listing every
 * problem found. Pure, so tests can feed it bad input. Values given as JSON strings (as `-c key=value` passes
 * them) are parsed first.
 */
export function loadConfig(context: Record<string, unknown>): MarketplaceConfig {
  const problems: string[] = [];

  const regions = parseRegions(jsonValue(context[contextKeys.regions]), problems);
  const tablePrefix = context[contextKeys.tablePrefix];
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX.test(tablePrefix)) {
    problems.push(
      `${contextKeys.tablePrefix} must be 1-30 characters, lower-case letters, digits and "-", starting with a letter; got ${show(tablePrefix)}.`,
    );
  }
  const issuer = parseIssuer(context[contextKeys.oidcIssuer], problems);
  const audience = context[contextKeys.oidcAudience];
  if (typeof audience !== 'string' || audience.trim() === '') {
    problems.push(
      `${contextKeys.oidcAudience} must be a non-empty string (the expected "aud" claim); got ${show(audience)}.`,
    );
  }
  const apiLimits = parseApiLimits(jsonValue(context[contextKeys.apiLimits]), problems);
  const domain = parseDomain(jsonValue(context[contextKeys.domain]), problems);
  const corsOrigins = parseCorsOrigins(jsonValue(context[contextKeys.corsOrigins]), problems);
  const alarmEmail = context[contextKeys.alarmEmail];
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !EMAIL.test(alarmEmail))) {
    problems.push(`${contextKeys.alarmEmail} must be an e-mail address; got ${show(alarmEmail)}.`);
  }

  const failover = parseFailover(context, regions?.regions, problems);

  if (problems.length > 0 || !regions) throw new ConfigError(problems);
  return {
    regions: regions.regions,
    regionSet: regions.set,
    activeRegions: [regions.regions.primary, regions.regions.secondary],
    tablePrefix: tablePrefix as string,
    oidc: { issuer: issuer as string, audience: audience as string },
    apiLimits,
    corsOrigins,
    ...(domain ? { domain } : {}),
    failover,
    ...(typeof alarmEmail === 'string' ? { alarmEmail } : {}),
  };
}

const HEALTH_CHECK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function parseFailover(
  context: Record<string, unknown>,
  regions: { primary: string; secondary: string } | undefined,
  problems: string[],
): FailoverConfig {
  const cluster = jsonValue(context[contextKeys.routingControlCluster]);
  const routingControlCluster = cluster === true || cluster === 'true';
  if (cluster !== undefined && !routingControlCluster && cluster !== false && cluster !== 'false') {
    problems.push(`${contextKeys.routingControlCluster} must be true or false; got ${show(cluster)}.`);
  }
  const key = contextKeys.regionSwitchHealthChecks;
  const checks = jsonValue(context[key]) ?? {};
  if (typeof checks !== 'object' || checks === null || Array.isArray(checks)) {
    problems.push(`${key} must map active Regions to Route 53 health check IDs; got ${show(checks)}.`);
    return { routingControlCluster, regionSwitchHealthChecks: {} };
  }
  const active = regions ? [regions.primary, regions.secondary] : [];
  for (const [region, id] of Object.entries(checks as Record<string, unknown>)) {
    if (regions && !active.includes(region)) {
      problems.push(`${key}.${region} is not an active Region (${active.join(', ')}).`);
    }
    if (typeof id !== 'string' || !HEALTH_CHECK_ID.test(id)) {
      problems.push(`${key}.${region} must be a Route 53 health check ID (a UUID); got ${show(id)}.`);
    }
  }
  return { routingControlCluster, regionSwitchHealthChecks: checks as Record<string, string> };
}

/** `<region>.<apiHostName>`: the hostname that reaches one Region only (health checks, drills, debugging). */
export function regionalHostName(domain: DomainConfig, region: string): string {
  return `${region}.${domain.apiHostName}`;
}

function parseRegions(value: unknown, problems: string[]) {
  const key = contextKeys.regions;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${key} must be an object {"primary", "secondary", "witness"}; got ${show(value)}.`);
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const roles = ['primary', 'secondary', 'witness'] as const;
  const before = problems.length;
  for (const role of roles) {
    const region = raw[role];
    if (typeof region !== 'string' || !REGION_NAME.test(region)) {
      problems.push(`${key}.${role} must be a Region name such as "ap-northeast-2"; got ${show(region)}.`);
    }
  }
  if (problems.length > before) return undefined;
  const regions = {
    primary: raw.primary as string,
    secondary: raw.secondary as string,
    witness: raw.witness as string,
  };

  const seen = new Map<string, string>();
  for (const role of roles) {
    const other = seen.get(regions[role]);
    if (other)
      problems.push(`${key}.${role} and ${key}.${other} are both "${regions[role]}"; the three must differ.`);
    else seen.set(regions[role], role);
  }

  const sets = Object.entries(mrscRegionSets) as [RegionSetName, readonly string[]][];
  const setOf = (region: string) => sets.find(([, members]) => members.includes(region))?.[0];
  const set = setOf(regions.primary);
  if (!set) {
    problems.push(
      `${key}.primary "${regions.primary}" is in no multi-Region strong consistency set; use one of ${describeSets()}.`,
    );
  } else {
    for (const role of ['secondary', 'witness'] as const) {
      if (setOf(regions[role]) !== set) {
        problems.push(
          `${key}.${role} "${regions[role]}" is not in the ${set} set of the primary (${mrscRegionSets[set].join(', ')}); the ledger's replicas and witness must share one set.`,
        );
      }
    }
  }
  return problems.length > before || !set ? undefined : { regions, set };
}

function parseIssuer(value: unknown, problems: string[]): string | undefined {
  const key = contextKeys.oidcIssuer;
  if (typeof value !== 'string') {
    problems.push(`${key} must be the identity provider's https URL; got ${show(value)}.`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${key} is not a URL: ${show(value)}.`);
    return undefined;
  }
  if (url.protocol !== 'https:') problems.push(`${key} must use https; got ${show(value)}.`);
  if (url.search || url.hash || url.username || url.password) {
    problems.push(`${key} must not carry credentials, a query or a fragment; got ${show(value)}.`);
  }
  return value;
}

/**
 * The API limits of a context (defaults for what it leaves out); throws a {@link ConfigError}. The local
 * runtime reads the same `cdk.json` through this, so local and deployed limits cannot drift apart.
 */
export function loadApiLimits(context: Record<string, unknown>): ApiLimits {
  const problems: string[] = [];
  const limits = parseApiLimits(jsonValue(context[contextKeys.apiLimits]), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return limits;
}

/** The allowed front-end origins of a context; throws a {@link ConfigError}. The local gateway reads it too. */
export function loadCorsOrigins(context: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const origins = parseCorsOrigins(jsonValue(context[contextKeys.corsOrigins]), problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return origins;
}

/** An origin as browsers send it: https (http only for this machine's loopback), a host, maybe a port. */
const ORIGIN = /^(https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?|http:\/\/(127\.0\.0\.1|localhost))(:\d{1,5})?$/;

function parseCorsOrigins(value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  const key = contextKeys.corsOrigins;
  if (!Array.isArray(value)) {
    problems.push(
      `${key} must be a list of origins such as ["https://www.example.go.kr"]; got ${show(value)}.`,
    );
    return [];
  }
  for (const origin of value) {
    if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
      problems.push(
        `${key} holds ${show(origin)}; an origin is https://host[:port] without a path (http only for 127.0.0.1 or localhost), and never "*".`,
      );
    }
  }
  return value.filter((origin): origin is string => typeof origin === 'string');
}

/** Each limit's bounds: the WAF rate rule takes 10 or more, API Gateway caches an authorizer for at most an hour. */
const apiLimitBounds: Record<keyof ApiLimits, { min: number; max: number }> = {
  stageRateLimit: { min: 1, max: 1_000_000 },
  stageBurstLimit: { min: 1, max: 1_000_000 },
  perCallerPerWindow: { min: 10, max: 2_000_000_000 },
  authorizerCacheSeconds: { min: 0, max: 3600 },
  maxTokenAgeSeconds: { min: 60, max: 7 * 24 * 3600 },
};

function parseApiLimits(value: unknown, problems: string[]): ApiLimits {
  if (value === undefined) return defaultApiLimits;
  const key = contextKeys.apiLimits;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(
      `${key} must be an object of limits (any of ${Object.keys(apiLimitBounds).join(', ')}); got ${show(value)}.`,
    );
    return defaultApiLimits;
  }
  const raw = value as Record<string, unknown>;
  const limits: Record<string, number> = { ...defaultApiLimits };
  for (const name of Object.keys(raw)) {
    const bounds = apiLimitBounds[name as keyof ApiLimits] as { min: number; max: number } | undefined;
    const given = raw[name];
    if (!bounds)
      problems.push(`${key}.${name} is not a limit; use ${Object.keys(apiLimitBounds).join(', ')}.`);
    else if (
      typeof given !== 'number' ||
      !Number.isInteger(given) ||
      given < bounds.min ||
      given > bounds.max
    ) {
      problems.push(
        `${key}.${name} must be a whole number from ${bounds.min} to ${bounds.max}; got ${show(given)}.`,
      );
    } else limits[name] = given;
  }
  const parsed = limits as unknown as ApiLimits;
  if (parsed.stageBurstLimit < parsed.stageRateLimit) {
    problems.push(
      `${key}.stageBurstLimit (${parsed.stageBurstLimit}) must be at least stageRateLimit (${parsed.stageRateLimit}).`,
    );
  }
  return parsed;
}

function parseDomain(value: unknown, problems: string[]): DomainConfig | undefined {
  if (value === undefined) return undefined;
  const key = contextKeys.domain;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(
      `${key} must be an object {"zoneName", "hostedZoneId", "apiHostName"} (or absent for no custom domain); got ${show(value)}.`,
    );
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const before = problems.length;
  const { zoneName, hostedZoneId, apiHostName } = raw;
  if (typeof zoneName !== 'string' || !DNS_NAME.test(zoneName)) {
    problems.push(
      `${key}.zoneName must be a lower-case DNS name such as "marketplace.go.kr"; got ${show(zoneName)}.`,
    );
  }
  if (typeof hostedZoneId !== 'string' || !HOSTED_ZONE_ID.test(hostedZoneId)) {
    problems.push(
      `${key}.hostedZoneId must be a Route 53 hosted zone ID such as "Z0123456789ABC"; got ${show(hostedZoneId)}.`,
    );
  }
  if (typeof apiHostName !== 'string' || !DNS_NAME.test(apiHostName)) {
    problems.push(
      `${key}.apiHostName must be a lower-case DNS name such as "api.marketplace.go.kr"; got ${show(apiHostName)}.`,
    );
  } else if (typeof zoneName === 'string' && !apiHostName.endsWith(`.${zoneName}`)) {
    // The latency records are CNAMEs, which a zone apex cannot hold; and the name must be in the zone.
    problems.push(
      `${key}.apiHostName "${apiHostName}" must be a name below the zone "${zoneName}" (not its apex).`,
    );
  }
  if (problems.length > before) return undefined;
  return {
    zoneName: zoneName as string,
    hostedZoneId: hostedZoneId as string,
    apiHostName: apiHostName as string,
  };
}

/** `-c key=value` hands objects over as JSON text. */
function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[{[]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function describeSets(): string {
  return Object.entries(mrscRegionSets)
    .map(([name, members]) => `${name} (${members.join(', ')})`)
    .join('; ');
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
