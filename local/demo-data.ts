/**
 * Deterministic demo data for the marketplace: providers, agencies, catalog services and contracts at the
 * scale of the real service (632 listed services, 17 of them AI, 685 agencies, 1,964 signed contracts
 * worth 642.1 billion KRW). Pure: the same `now` and `seed` always give deep-equal output, and every
 * timestamp is derived from `now`.
 */
import { comparisonOf, SNAPSHOT_RESULTS, snapshotHash, snapshotId } from '../functions/domain/case.js';
import { amended, leadTimeDays, requestedContract } from '../functions/domain/contract.js';
import { DomainError } from '../functions/domain/errors.js';
import type { IdPrefix } from '../functions/domain/ids.js';
import { defaultProcurementPolicy } from '../functions/domain/ports.js';
import { matchesFilters, postingSortKey, words } from '../functions/domain/search.js';
import { businessRegistrationCheckDigit } from '../functions/domain/registry.js';
import { effectiveStatus, seoulDate } from '../functions/domain/selection.js';
import {
  type agencyKinds,
  type Category,
  contractMethods,
  type ContractStatus,
  type Network,
  type ServiceStatus,
} from '../functions/domain/vocabulary.js';
import type {
  Agency,
  Case,
  CaseSnapshot,
  Contract,
  Decision,
  PricePlan,
  Provider,
  ReviewSession,
  SavedSearch,
  Selection,
  Service,
  ShortlistEntry,
} from '../functions/domain/entities.js';
import { ulid } from 'ulid';
import {
  aiOfferings,
  aiPlans,
  caseNeeds,
  categorySpecs,
  centralAgencies,
  closeReasons,
  intranetShare,
  MONTHS,
  nationalUniversities,
  type CategorySpec,
  type Offering,
  type PlanTemplate,
  providerRoots,
  providerTrades,
  publicInstitutions,
  qualifiers,
  regionalInstitutionSuffixes,
  regions,
  shortlistNotes,
  suffixes,
  terminationReasons,
} from './demo-tables.js';
import { at, Rng } from './seeded-random.js';

export interface DemoData {
  providers: Provider[];
  agencies: Agency[];
  /** Each service as first stored; those with `serviceEdits` then change through them. */
  services: Service[];
  contracts: Contract[];
  reviewSessions: ReviewSession[];
  /** Listed services their providers edited since (price changes), each version after the stored one. */
  serviceEdits: ServiceEdits[];
  /** Administrators' acknowledgements of some of those edits; the rest wait in the queue. */
  acknowledgements: DemoAcknowledgement[];
  /** Procurement cases in every state; their contracts are among `contracts`. */
  cases: Case[];
  /** The cases' locked snapshots. */
  snapshots: CaseSnapshot[];
}

export interface ServiceEdits {
  readonly serviceId: string;
  /** The versions after the one in `services`, oldest first. */
  readonly versions: Service[];
}

export interface DemoAcknowledgement {
  readonly eventId: string;
  readonly by: string;
  readonly at: string;
}

export const demoScale = {
  listedServices: 632,
  aiConvergenceServices: 17,
  agencies: 685,
  signedContracts: 1964,
  signedAmountKrw: 642_100_000_000,
} as const;

export function generateDemoData(options: { now?: Date; seed?: number } = {}): DemoData {
  const now = options.now ?? new Date();
  const rng = new Rng(options.seed ?? 20_240_601);
  const ctx: Context = { rng, nowMs: now.getTime(), id: idMaker(rng) };
  const providers = generateProviders(ctx);
  const agencies = generateAgencies(ctx);
  const { listed, others } = generateServices(ctx, providers);
  const signedAndOpen = generateContracts(ctx, agencies, listed);
  const services = [...listed.map((entry) => entry.service), ...others];
  const { serviceEdits, acknowledgements } = editHistory(ctx, listed, signedAndOpen);
  // Cases and later changes of contracts avoid the edited services: every contract they add is then
  // priced at the version the catalog holds, and every snapshot sees the services as stored.
  const world: World = {
    agencies,
    providers,
    services,
    edited: new Set(serviceEdits.map((edit) => edit.serviceId)),
  };
  const later = afterSigning(ctx, world, signedAndOpen);
  const { cases, snapshots, contracts } = procurementCases(ctx, world, later);
  return {
    providers,
    agencies,
    services,
    contracts: contracts.sort(byRequestedAt),
    reviewSessions: reviewSessionsFor(services, now),
    serviceEdits,
    acknowledgements,
    cases,
    snapshots,
  };
}

/** How many listed services carry an edit history, and how much of it administrators have reviewed. */
const EDITED_SERVICES = 24;

/**
 * Price changes of some listed services in the last three days, two or three each, after every contract
 * of theirs was requested (so each contract's `serviceVersion` is the version that priced it). About half
 * of the edits but the latest are acknowledged by an administrator; the others wait in the queue.
 */
function editHistory(ctx: Context, listed: readonly ListedService[], contracts: readonly Contract[]) {
  const since = ctx.nowMs - 3 * DAY;
  const lastRequest = new Map<string, number>();
  for (const c of contracts) {
    lastRequest.set(c.serviceId, Math.max(lastRequest.get(c.serviceId) ?? 0, Date.parse(c.requestedAt)));
  }
  const candidates = listed.filter((entry) => (lastRequest.get(entry.service.id) ?? 0) < since);
  const chosen = ctx.rng.shuffle([...candidates]).slice(0, EDITED_SERVICES);
  const serviceEdits: ServiceEdits[] = [];
  const acknowledgements: DemoAcknowledgement[] = [];
  for (const entry of chosen) {
    const edits = ctx.rng.chance(0.5) ? 2 : 3;
    let current = entry.service;
    const versions: Service[] = [];
    for (let j = 1; j <= edits; j++) {
      const atMs = seconds(since + (j * DAY) / (edits + 1) + ctx.rng.range(0, 3) * HOUR);
      const percent = ctx.rng.pick([-10, -5, 5, 8, 10, 15]);
      current = {
        ...current,
        plans: current.plans.map((plan) => ({
          ...plan,
          unitPriceKrw: Math.max(100, Math.round((plan.unitPriceKrw * (100 + percent)) / 100 / 100) * 100),
        })),
        updatedAt: iso(atMs),
        version: current.version + 1,
      };
      versions.push(current);
      if (j < edits && ctx.rng.chance(0.5)) {
        acknowledgements.push({
          eventId: `service:${current.id}:v${current.version}`,
          by: 'admin-demo',
          at: iso(atMs + 2 * HOUR),
        });
      }
    }
    serviceEdits.push({ serviceId: entry.service.id, versions });
  }
  return { serviceEdits, acknowledgements };
}

/**
 * The committee's record behind the services: a closed session per selection session number with its
 * SELECTED decisions (rejections recorded at the latest one), and an open session whose agenda holds the
 * services now UNDER_REVIEW.
 */
function reviewSessionsFor(services: readonly Service[], now: Date): ReviewSession[] {
  const bySession = new Map<number, Decision[]>();
  for (const service of services) {
    if (!service.selection) continue;
    const { sessionNumber, decidedAt } = service.selection;
    const decision: Decision = {
      serviceId: service.id,
      decision: 'SELECTED',
      reason: '선정 기준 충족',
      decidedAt,
    };
    bySession.set(sessionNumber, [...(bySession.get(sessionNumber) ?? []), decision]);
  }
  const latest = Math.max(...bySession.keys());
  const latestDecisions = bySession.get(latest) ?? [];
  const latestDecidedAt = latestDecisions[0]?.decidedAt ?? now.toISOString();
  for (const service of services.filter((s) => s.status === 'REJECTED')) {
    latestDecisions.push({
      serviceId: service.id,
      decision: 'REJECTED',
      reason: 'CSAP 인증 요건 미충족',
      decidedAt: latestDecidedAt,
    });
  }
  const closed = [...bySession]
    .sort(([a], [b]) => a - b)
    .map(([number, decisions]): ReviewSession => {
      const createdAt = decisions[0]?.decidedAt ?? now.toISOString();
      return {
        id: String(number),
        number,
        date: seoulDate(new Date(createdAt)),
        status: 'CLOSED',
        agenda: decisions.map((d) => d.serviceId),
        decisions,
        createdAt,
        // One version per agenda item and decision, and one for closing.
        version: 2 + 2 * decisions.length,
      };
    });
  const underReview = services.filter((s) => s.status === 'UNDER_REVIEW').map((s) => s.id);
  const open: ReviewSession = {
    id: String(latest + 1),
    number: latest + 1,
    date: seoulDate(now),
    status: 'OPEN',
    agenda: underReview,
    decisions: [],
    createdAt: now.toISOString(),
    version: 1 + underReview.length,
  };
  return [...closed, open];
}

// ---------------------------------------------------------------------------------------------------------
// Randomness, ids and time

interface Context {
  readonly rng: Rng;
  readonly nowMs: number;
  readonly id: (prefix: IdPrefix, timeMs: number) => string;
}

/** ULIDs (time part from the entity's creation, random part from the seeded source), lower case. */
function idMaker(rng: Rng): Context['id'] {
  const used = new Set<string>();
  const random = () => rng.next();
  return (prefix, timeMs) => {
    for (;;) {
      const id = `${prefix}_${ulid(Math.max(0, Math.floor(timeMs)), random).toLowerCase()}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString();
/** A duration rounded to whole seconds, so that timestamps carry no milliseconds. */
const seconds = (ms: number) => Math.round(ms / 1000) * 1000;
const dateOnly = (ms: number) => seoulDate(new Date(ms));

/** A moment during office hours (09:00–18:00 KST) on the UTC day `daysAgo` days before now. */
function officeTime(ctx: Context, daysAgo: number): number {
  const day = Math.floor((ctx.nowMs - daysAgo * DAY) / DAY) * DAY;
  const ms = day + ctx.rng.int(0, 9 * 60 - 1) * 60_000 + ctx.rng.int(0, 59) * 1000;
  return Math.min(ms, ctx.nowMs - HOUR);
}

function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

// ---------------------------------------------------------------------------------------------------------
// Providers

const PROVIDER_COUNT = 150;

function generateProviders(ctx: Context): Provider[] {
  const { rng } = ctx;
  const combos = rng.shuffle(
    providerRoots.flatMap((root) => providerTrades.map((trade) => [root, trade] as const)),
  );
  const brns = new Set<string>();
  return combos.slice(0, PROVIDER_COUNT).map(([[rootKo, rootEn], [tradeKo, tradeEn]]) => {
    const brand = `${rootKo}${tradeKo}`;
    const name = rng.weighted([
      [`(주)${brand}`, 5],
      [`${brand} 주식회사`, 3],
      [`주식회사 ${brand}`, 2],
    ] as const);
    let brn = businessRegistrationNumber(rng);
    while (brns.has(brn)) brn = businessRegistrationNumber(rng);
    brns.add(brn);
    const mailbox = rng.pick(['sales', 'contact', 'biz', 'gov', 'cloud'] as const);
    const domain = rng.weighted([
      ['co.kr', 6],
      ['com', 3],
      ['kr', 1],
    ] as const);
    const createdAt = officeTime(ctx, rng.int(1000, 1600));
    return {
      id: ctx.id('prv', createdAt),
      name,
      businessRegistrationNumber: brn,
      contactEmail: `${mailbox}@${rootEn}-${tradeEn}.${domain}`,
      createdAt: iso(createdAt),
      version: 1,
    };
  });
}

/** Tax office code, corporate type code (81, 86, 87, 88), serial, and the NTS check digit. */
function businessRegistrationNumber(rng: Rng): string {
  const office = String(rng.int(101, 699));
  const type = rng.pick(['81', '86', '87', '88'] as const);
  const serial = String(rng.int(0, 9999)).padStart(4, '0');
  const stem = `${office}${type}${serial}`;
  return `${stem}${businessRegistrationCheckDigit(stem)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Agencies

type AgencyKind = (typeof agencyKinds)[number];

interface AgencySeed {
  readonly name: string;
  readonly kind: AgencyKind;
  /** First digit and shape of the 7-digit institution code. */
  readonly code: 'central' | 'metro' | 'district' | 'education' | 'public';
}

function agencyPools(): { fixed: AgencySeed[]; optional: AgencySeed[] } {
  const fixed: AgencySeed[] = centralAgencies.map((name) => ({ name, kind: 'CENTRAL', code: 'central' }));
  const optional: AgencySeed[] = [];
  for (const region of regions) {
    fixed.push({ name: region.name, kind: 'LOCAL', code: 'metro' });
    for (const unit of region.units)
      fixed.push({ name: `${region.name} ${unit}`, kind: 'LOCAL', code: 'district' });
    fixed.push({ name: `${region.name}교육청`, kind: 'EDUCATION', code: 'education' });
    for (const suffix of regionalInstitutionSuffixes) {
      optional.push({ name: `${region.short}${suffix}`, kind: 'PUBLIC_INSTITUTION', code: 'public' });
    }
    if (region.province) {
      for (const unit of region.units) {
        const place = unit.slice(0, -1);
        optional.push({ name: `${region.name}${place}교육지원청`, kind: 'EDUCATION', code: 'education' });
      }
    }
  }
  for (const unit of at(regions, 0).units) {
    optional.push({ name: `${unit}도시관리공단`, kind: 'PUBLIC_INSTITUTION', code: 'public' });
  }
  for (const name of publicInstitutions) optional.push({ name, kind: 'PUBLIC_INSTITUTION', code: 'public' });
  for (const name of nationalUniversities) optional.push({ name, kind: 'EDUCATION', code: 'education' });
  return { fixed, optional };
}

function generateAgencies(ctx: Context): Agency[] {
  const { rng } = ctx;
  const { fixed, optional } = agencyPools();
  const seeds = [...fixed, ...rng.shuffle(optional)].slice(0, demoScale.agencies);
  if (seeds.length !== demoScale.agencies || new Set(seeds.map((s) => s.name)).size !== seeds.length) {
    throw new Error('demo data: agency names are not enough or not distinct');
  }
  const codes = new Set<string>();
  const agencies = seeds.map((seed): Agency => {
    let code = institutionCode(rng, seed.code);
    while (codes.has(code)) code = institutionCode(rng, seed.code);
    codes.add(code);
    const createdAt = officeTime(ctx, rng.int(800, 1200));
    return {
      id: ctx.id('agc', createdAt),
      name: seed.name,
      institutionCode: code,
      kind: seed.kind,
      network: rng.chance(intranetShare[seed.kind]) ? 'INTRANET' : 'INTERNET',
      createdAt: iso(createdAt),
      version: 1,
    };
  });
  return rng.shuffle(agencies);
}

function institutionCode(rng: Rng, shape: AgencySeed['code']): string {
  switch (shape) {
    case 'central':
      return `1${rng.int(100, 999)}000`;
    case 'metro':
      return `6${rng.int(10, 99)}0000`;
    case 'district':
      return `3${rng.int(100, 999)}000`;
    case 'education':
      return `7${String(rng.int(0, 999_999)).padStart(6, '0')}`;
    case 'public':
      return `5${String(rng.int(0, 999_999)).padStart(6, '0')}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Services

const length = (s: string) => [...s].length;

const fits = (name: string) => length(name) >= 6 && length(name) <= 20;

/** The names an offering can go by, 6–20 characters: plain or with a qualifier first, then with a suffix. */
function nameVariants(offering: Offering): { plain: string[]; suffixed: string[] } {
  const plain = [
    offering.name,
    ...qualifiers
      .filter((q) => !offering.name.includes(q.replace('-', '')))
      .map((q) => (q.endsWith('-') ? `${q}${offering.name}` : `${q} ${offering.name}`)),
  ];
  const suffixed = plain.flatMap((name) => suffixes.map((suffix) => `${name} ${suffix}`));
  return { plain: plain.filter(fits), suffixed: suffixed.filter(fits) };
}

interface ServiceDraft {
  readonly name: string;
  readonly summary: string;
  readonly category: Category;
  readonly ai: boolean;
  readonly plans: readonly PlanTemplate[];
  readonly grades: CategorySpec['grades'];
}

/** Distinct names per category, drawn without replacement. */
function draftSource(rng: Rng) {
  const used = new Set<string>();
  const pools = new Map<Category, { offering: Offering; name: string }[]>();
  for (const [category, spec] of Object.entries(categorySpecs) as [Category, CategorySpec][]) {
    const variants = spec.offerings.map((offering) => ({ offering, ...nameVariants(offering) }));
    const plain = variants.flatMap((v) => v.plain.map((name) => ({ offering: v.offering, name })));
    const suffixed = variants.flatMap((v) => v.suffixed.map((name) => ({ offering: v.offering, name })));
    // Drawn from the end: plain names first, suffixed ones only once those run out.
    pools.set(category, [...rng.shuffle(suffixed), ...rng.shuffle(plain)]);
  }
  const aiQueue = rng.shuffle(aiOfferings);
  return {
    next(category: Category): ServiceDraft {
      const pool = pools.get(category) ?? [];
      for (;;) {
        const entry = pool.pop();
        if (!entry) throw new Error(`demo data: ran out of ${category} names`);
        if (used.has(entry.name)) continue;
        used.add(entry.name);
        const spec = categorySpecs[category];
        const summary = rng.pick(entry.offering.summaries);
        return { name: entry.name, summary, category, ai: false, plans: spec.plans, grades: spec.grades };
      }
    },
    nextAi(): ServiceDraft {
      const offering = aiQueue.shift();
      if (!offering) throw new Error('demo data: ran out of AI offerings');
      used.add(offering.name);
      return {
        name: offering.name,
        summary: at(offering.summaries, 0),
        category: 'CONVERGENCE',
        ai: true,
        plans: aiPlans,
        grades: categorySpecs.CONVERGENCE.grades,
      };
    },
  };
}

const FIRST_SESSION = 40;
const LAST_SESSION = 62;
const SESSION_INTERVAL_DAYS = 35;

/** When each selection committee session decided (15:00 KST), and until when its selections are valid. */
function sessionCalendar(ctx: Context, session: number): Selection {
  const daysAgo = (LAST_SESSION - session) * SESSION_INTERVAL_DAYS + 20;
  const day = Math.floor((ctx.nowMs - daysAgo * DAY) / DAY) * DAY;
  const validDays = 380 + (session - FIRST_SESSION) * 31;
  return {
    sessionNumber: session,
    decidedAt: iso(day + 6 * HOUR),
    validUntil: dateOnly(ctx.nowMs + validDays * DAY),
  };
}

function pickNetworks(rng: Rng): Network[] {
  return rng.weighted<Network[]>([
    [['INTERNET', 'INTRANET'], 30],
    [['INTERNET'], 55],
    [['INTRANET'], 15],
  ]);
}

function buildPlans(rng: Rng, templates: readonly PlanTemplate[]): PricePlan[] {
  const count = rng.weighted([
    [1, 3],
    [2, 4],
    [3, 3],
  ] as const);
  const chosen = new Set(rng.shuffle(templates).slice(0, count));
  return templates
    .filter((template) => chosen.has(template))
    .map((template) => ({
      id: template.id,
      name: template.name,
      unit: template.unit,
      unitPriceKrw: Math.max(1000, Math.round(rng.range(template.min, template.max) / 1000) * 1000),
    }));
}

/** Listed services with what contract generation needs to know about them. */
interface ListedService {
  readonly service: Service;
  readonly decidedMs: number;
  readonly popularity: number;
  readonly templates: ReadonlyMap<string, PlanTemplate>;
}

function generateServices(ctx: Context, providers: readonly Provider[]) {
  const { rng } = ctx;
  const source = draftSource(rng);
  const certificates = new Set<string>();
  const providerOrder = rng.shuffle(providers);
  let serviceCount = 0;

  const csapFor = (draft: ServiceDraft, createdMs: number): Service['csap'] => {
    const grade = rng.weighted(draft.grades);
    if (!grade) return null;
    const year = new Date(Math.min(createdMs + 60 * DAY, ctx.nowMs)).getUTCFullYear();
    let number = `CSAP-${year}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    while (certificates.has(number)) number = `CSAP-${year}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    certificates.add(number);
    return { grade, certificateNumber: number, validUntil: dateOnly(ctx.nowMs + rng.int(180, 1500) * DAY) };
  };

  // Every provider gets one service first; the rest go mostly to a smaller set of busy providers.
  const providerFor = (): Provider => {
    const index = serviceCount++;
    if (index < providerOrder.length) return at(providerOrder, index);
    return at(providerOrder, Math.floor(providerOrder.length * rng.next() ** 1.6));
  };

  const build = (
    draft: ServiceDraft,
    status: ServiceStatus,
    times: { createdMs: number; updatedMs: number; version: number; selection: Selection | null },
  ): Service => ({
    id: ctx.id('svc', times.createdMs),
    providerId: providerFor().id,
    name: draft.name,
    summary: draft.summary,
    category: draft.category,
    ai: draft.ai,
    networks: pickNetworks(rng),
    csap: csapFor(draft, times.createdMs),
    plans: buildPlans(rng, draft.plans),
    status,
    selection: times.selection,
    createdAt: iso(times.createdMs),
    updatedAt: iso(times.updatedMs),
    version: times.version,
  });

  const drafts: ServiceDraft[] = [];
  for (let i = 0; i < demoScale.aiConvergenceServices; i++) drafts.push(source.nextAi());
  for (const [category, spec] of Object.entries(categorySpecs) as [Category, CategorySpec][]) {
    const count = category === 'CONVERGENCE' ? spec.listed - demoScale.aiConvergenceServices : spec.listed;
    for (let i = 0; i < count; i++) drafts.push(source.next(category));
  }
  const listedTotal = Object.values(categorySpecs).reduce((sum, spec) => sum + spec.listed, 0);
  if (drafts.length !== demoScale.listedServices || listedTotal !== demoScale.listedServices) {
    throw new Error('demo data: listed service counts do not add up');
  }

  const listed: ListedService[] = rng.shuffle(drafts).map((draft) => {
    // Later sessions selected more services: the market grew.
    const session = FIRST_SESSION + Math.floor((LAST_SESSION - FIRST_SESSION + 1) * rng.next() ** 0.8);
    const selection = sessionCalendar(ctx, session);
    const decidedMs = Date.parse(selection.decidedAt);
    const createdMs = decidedMs - rng.int(45, 160) * DAY - rng.int(0, 8 * 60) * 60_000;
    const service = build(draft, 'LISTED', { createdMs, updatedMs: decidedMs, version: 4, selection });
    const templates = new Map(draft.plans.map((template) => [template.id, template]));
    return { service, decidedMs, popularity: 0.1 + 0.9 * rng.next() ** 2, templates };
  });

  const pipeline: readonly (readonly [ServiceStatus, number])[] = [
    ['DRAFT', 9],
    ['SUBMITTED', 7],
    ['UNDER_REVIEW', 7],
    ['SUSPENDED', 5],
    ['REJECTED', 6],
    ['WITHDRAWN', 6],
  ];
  const others: Service[] = [];
  for (const [status, count] of pipeline) {
    for (let i = 0; i < count; i++) {
      const aiLeft = status === 'DRAFT' || status === 'SUBMITTED' || status === 'UNDER_REVIEW';
      const draft =
        aiLeft && i === 0
          ? source.nextAi()
          : source.next(
              rng.weighted<Category>([
                ['IAAS', 2],
                ['PAAS', 2],
                ['SAAS', 4],
                ['SUPPORT', 1],
                ['CONVERGENCE', 1],
              ]),
            );
      others.push(build(draft, status, pipelineTimes(ctx, status)));
    }
  }
  return { listed, others };
}

function pipelineTimes(
  ctx: Context,
  status: ServiceStatus,
): { createdMs: number; updatedMs: number; version: number; selection: Selection | null } {
  const { rng } = ctx;
  const latest = ctx.nowMs - HOUR;
  const after = (ms: number, minDays: number, maxDays: number) =>
    Math.min(ms + rng.int(minDays * 24, maxDays * 24) * HOUR, latest);
  switch (status) {
    case 'DRAFT': {
      const createdMs = officeTime(ctx, rng.int(1, 60));
      const edited = rng.chance(0.5);
      const updatedMs = edited ? after(createdMs, 0, 10) : createdMs;
      return { createdMs, updatedMs, version: edited && updatedMs > createdMs ? 2 : 1, selection: null };
    }
    case 'SUBMITTED': {
      const createdMs = officeTime(ctx, rng.int(20, 90));
      return { createdMs, updatedMs: after(createdMs, 3, 15), version: 2, selection: null };
    }
    case 'UNDER_REVIEW': {
      const createdMs = officeTime(ctx, rng.int(30, 120));
      return { createdMs, updatedMs: after(createdMs, 10, 25), version: 3, selection: null };
    }
    case 'REJECTED': {
      const createdMs = officeTime(ctx, rng.int(90, 600));
      return { createdMs, updatedMs: after(createdMs, 30, 60), version: 4, selection: null };
    }
    case 'WITHDRAWN': {
      const createdMs = officeTime(ctx, rng.int(30, 500));
      return { createdMs, updatedMs: after(createdMs, 5, 25), version: rng.int(2, 3), selection: null };
    }
    default: {
      // SUSPENDED: selected in an earlier session, suspended some time after.
      const selection = sessionCalendar(ctx, rng.int(FIRST_SESSION, LAST_SESSION - 2));
      const decidedMs = Date.parse(selection.decidedAt);
      const createdMs = decidedMs - rng.int(45, 160) * DAY;
      const updatedMs = Math.min(decidedMs + seconds((ctx.nowMs - decidedMs) * rng.range(0.3, 0.9)), latest);
      return { createdMs, updatedMs, version: 5, selection };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Contracts

interface Order {
  readonly agency: Agency;
  readonly listed: ListedService;
  readonly plan: PricePlan;
  readonly maxQuantity: number;
  readonly months: number;
  readonly requestedMs: number;
  readonly quotedMs: number;
  readonly signedMs: number;
  /** Relative size, scaled so the catalog total lands about 20% above the signed total. */
  readonly weight: number;
}

/** Listed services supporting each network, by selection date, to pick only those listed before a request. */
function servicesByNetwork(listed: readonly ListedService[]): Map<Network, ListedService[]> {
  const byNetwork = new Map<Network, ListedService[]>();
  for (const entry of listed) {
    for (const network of entry.service.networks) {
      const list = byNetwork.get(network) ?? [];
      list.push(entry);
      byNetwork.set(network, list);
    }
  }
  for (const list of byNetwork.values()) list.sort((a, b) => a.decidedMs - b.decidedMs);
  return byNetwork;
}

function pickService(
  rng: Rng,
  byNetwork: ReadonlyMap<Network, readonly ListedService[]>,
  network: Network,
  requestedMs: number,
): ListedService {
  const list = byNetwork.get(network) ?? [];
  let available = 0;
  while (available < list.length && at(list, available).decidedMs < requestedMs) available++;
  if (available === 0) return at(list, 0);
  let choice = at(list, rng.int(0, available - 1));
  for (let attempt = 0; attempt < 8 && !rng.chance(choice.popularity); attempt++) {
    choice = at(list, rng.int(0, available - 1));
  }
  return choice;
}

function generateContracts(ctx: Context, agencies: readonly Agency[], listed: readonly ListedService[]) {
  const { rng } = ctx;
  const byNetwork = servicesByNetwork(listed);
  const busyOrder = rng.shuffle(agencies);

  const order = (agency: Agency, requestedMs: number, quotedMs: number, signedMs: number): Order => {
    const entry = pickService(rng, byNetwork, agency.network, requestedMs);
    const plan = rng.pick(entry.service.plans);
    return {
      agency,
      listed: entry,
      plan,
      maxQuantity: entry.templates.get(plan.id)?.maxQuantity ?? 1,
      months: rng.weighted(MONTHS),
      requestedMs,
      quotedMs,
      signedMs,
      weight: Math.exp(1.1 * rng.normal()),
    };
  };

  // Signed: one per agency first, then the rest to agencies weighted towards a busy few.
  const signedOrders: Order[] = [];
  for (let i = 0; i < demoScale.signedContracts; i++) {
    const agency =
      i < agencies.length ? at(agencies, i) : at(busyOrder, Math.floor(busyOrder.length * rng.next() ** 1.5));
    const signedMs = officeTime(ctx, Math.max(1, Math.round(730 * rng.next() ** 1.2)));
    const leadMs = seconds((3 + 17 * rng.next() ** 1.5) * DAY);
    const requestedMs = signedMs - leadMs;
    const quotedMs = requestedMs + seconds(leadMs * rng.range(0.3, 0.8));
    signedOrders.push(order(agency, requestedMs, quotedMs, signedMs));
  }

  const quantities = fitQuantities(signedOrders, demoScale.signedAmountKrw * 1.2);
  const catalog = signedOrders.map((o, i) => o.plan.unitPriceKrw * at(quantities, i) * o.months);
  const methods = catalog.map((amount) =>
    rng.chance(amount < 100_000_000 ? 0.55 : 0.15) ? ('CATALOG' as const) : ('NEGOTIATED' as const),
  );
  const amounts = settleAmounts(rng, catalog, methods, demoScale.signedAmountKrw);

  const contracts: Contract[] = signedOrders.map((o, i) => {
    const { status, closedMs } = lifecycle(ctx, o.signedMs, o.months);
    return contract(ctx, o, {
      quantity: at(quantities, i),
      method: at(methods, i),
      catalogAmountKrw: at(catalog, i),
      amountKrw: at(amounts, i),
      status,
      quotedMs: o.quotedMs,
      signedMs: o.signedMs,
      closedMs,
    });
  });

  // In progress or cancelled: never signed, so none of them counts towards the signed totals.
  const open: readonly (readonly [ContractStatus, number])[] = [
    ['REQUESTED', 45],
    ['QUOTED', 35],
    ['CANCELLED', 40],
  ];
  for (const [status, count] of open) {
    for (let i = 0; i < count; i++) {
      const agency = rng.pick(agencies);
      const requestedMs =
        status === 'CANCELLED'
          ? officeTime(ctx, rng.int(5, 720))
          : officeTime(ctx, rng.int(1, status === 'QUOTED' ? 20 : 14));
      const o = order(agency, requestedMs, 0, 0);
      const quantity = Math.max(1, Math.min(o.maxQuantity, rng.int(1, 200)));
      const catalogAmountKrw = o.plan.unitPriceKrw * quantity * o.months;
      const method = rng.chance(0.4) ? ('CATALOG' as const) : ('NEGOTIATED' as const);
      const quote =
        method === 'CATALOG'
          ? catalogAmountKrw
          : Math.max(1000, Math.floor((catalogAmountKrw * rng.range(0.8, 0.97)) / 1000) * 1000);
      const wasQuoted = status === 'QUOTED' || (status === 'CANCELLED' && rng.chance(0.5));
      const quotedMs = wasQuoted
        ? Math.min(requestedMs + seconds(rng.range(0.3, 5) * DAY), ctx.nowMs - HOUR)
        : null;
      if (quotedMs !== null && quotedMs <= requestedMs) throw new Error('demo data: quote precedes request');
      const closedMs =
        status === 'CANCELLED'
          ? Math.min((quotedMs ?? requestedMs) + seconds(rng.range(0.5, 10) * DAY), ctx.nowMs - HOUR)
          : null;
      contracts.push(
        contract(ctx, o, {
          quantity,
          method,
          catalogAmountKrw,
          amountKrw: quotedMs === null ? catalogAmountKrw : Math.min(quote, catalogAmountKrw),
          status,
          quotedMs,
          signedMs: null,
          closedMs,
        }),
      );
    }
  }
  return contracts.sort(byRequestedAt);
}

const byRequestedAt = (a: Contract, b: Contract) =>
  a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0;

/**
 * Quantities that bring each order near its share of `targetKrw`: a few rounds of rescaling absorb the
 * rounding to whole units and the per-plan caps.
 */
function fitQuantities(orders: readonly Order[], targetKrw: number): number[] {
  const totalWeight = orders.reduce((sum, o) => sum + o.weight, 0);
  let scale = targetKrw / totalWeight;
  let quantities: number[] = [];
  for (let round = 0; round < 12; round++) {
    quantities = orders.map((o) => {
      const ideal = (o.weight * scale) / (o.plan.unitPriceKrw * o.months);
      return Math.max(1, Math.min(o.maxQuantity, Math.round(ideal)));
    });
    const total = orders.reduce((sum, o, i) => sum + o.plan.unitPriceKrw * at(quantities, i) * o.months, 0);
    if (Math.abs(total / targetKrw - 1) < 0.01) break;
    scale *= targetKrw / total;
  }
  return quantities;
}

/**
 * Signed amounts that sum exactly to `totalKrw`: catalog purchases pay the catalog amount, negotiated ones
 * a per-contract discount scaled by one common factor and floored to 1,000 KRW, and the remainder goes to
 * negotiated contracts that still have headroom below their catalog amount.
 */
function settleAmounts(
  rng: Rng,
  catalog: readonly number[],
  methods: readonly ('CATALOG' | 'NEGOTIATED')[],
  totalKrw: number,
): number[] {
  const discounts = catalog.map(() => rng.range(0.82, 1));
  let fixed = 0;
  let negotiable = 0;
  catalog.forEach((amount, i) => {
    if (methods[i] === 'CATALOG') fixed += amount;
    else negotiable += amount * at(discounts, i);
  });
  const factor = (totalKrw - fixed) / negotiable;
  if (!(factor > 0.5 && factor <= 1)) throw new Error(`demo data: cannot reach the total (factor ${factor})`);
  const amounts = catalog.map((amount, i) =>
    methods[i] === 'CATALOG'
      ? amount
      : Math.max(1000, Math.floor((amount * at(discounts, i) * factor) / 1000) * 1000),
  );
  let remainder = totalKrw - amounts.reduce((sum, amount) => sum + amount, 0);
  if (remainder < 0) throw new Error('demo data: amounts overshoot the total');
  const order = rng.shuffle(catalog.map((_, i) => i));
  while (remainder > 0) {
    let progressed = false;
    for (const i of order) {
      if (remainder === 0) break;
      if (methods[i] === 'CATALOG') continue;
      const step = Math.min(remainder, 1000, at(catalog, i) - at(amounts, i));
      if (step <= 0) continue;
      amounts[i] = at(amounts, i) + step;
      remainder -= step;
      progressed = true;
    }
    if (!progressed) throw new Error('demo data: no headroom left to reach the total');
  }
  return amounts;
}

/** A signed contract runs its term: finished ones are COMPLETED, a few end early as TERMINATED. */
function lifecycle(
  ctx: Context,
  signedMs: number,
  months: number,
): { status: 'ACTIVE' | 'COMPLETED' | 'TERMINATED'; closedMs: number | null } {
  const { rng } = ctx;
  const endMs = addMonths(signedMs, months);
  const latest = ctx.nowMs - HOUR;
  const elapsed = Math.min(endMs, latest) - signedMs;
  if (elapsed > 2 * DAY && rng.chance(0.04)) {
    return { status: 'TERMINATED', closedMs: signedMs + seconds(elapsed * rng.range(0.2, 0.9)) };
  }
  if (endMs < latest) return { status: 'COMPLETED', closedMs: endMs };
  return { status: 'ACTIVE', closedMs: null };
}

const contractVersion: Record<ContractStatus, number> = {
  REQUESTED: 1,
  QUOTED: 2,
  ACTIVE: 3,
  COMPLETED: 4,
  TERMINATED: 4,
  CANCELLED: 2,
};

function contract(
  ctx: Context,
  o: Order,
  fields: {
    quantity: number;
    method: Contract['method'];
    catalogAmountKrw: number;
    amountKrw: number;
    status: ContractStatus;
    quotedMs: number | null;
    signedMs: number | null;
    closedMs: number | null;
  },
): Contract {
  const requestedAt = iso(o.requestedMs);
  const signedAt = fields.signedMs === null ? null : iso(fields.signedMs);
  // A cancelled contract took one more transition if it had been quoted.
  const version =
    fields.status === 'CANCELLED' && fields.quotedMs !== null ? 3 : contractVersion[fields.status];
  return {
    id: ctx.id('ctr', o.requestedMs),
    agencyId: o.agency.id,
    serviceId: o.listed.service.id,
    serviceVersion: o.listed.service.version,
    providerId: o.listed.service.providerId,
    planId: o.plan.id,
    quantity: fields.quantity,
    months: o.months,
    method: fields.method,
    catalogAmountKrw: fields.catalogAmountKrw,
    amountKrw: fields.amountKrw,
    status: fields.status,
    requestedAt,
    quotedAt: fields.quotedMs === null ? null : iso(fields.quotedMs),
    signedAt,
    closedAt: fields.closedMs === null ? null : iso(fields.closedMs),
    leadTimeDays: signedAt === null ? null : leadTimeDays(requestedAt, signedAt),
    caseId: null,
    cancelReason: null,
    amendments: [],
    renewalOf: null,
    termination: null,
    createdAt: requestedAt,
    version,
  };
}

// ---------------------------------------------------------------------------------------------------------
// After signing: amendments, renewals and scheduled terminations

interface World {
  readonly agencies: readonly Agency[];
  readonly providers: readonly Provider[];
  readonly services: readonly Service[];
  /** The services with price edits (`serviceEdits`), which cases and later changes leave alone. */
  readonly edited: ReadonlySet<string>;
}

interface LaterContracts {
  /** Every contract, some amended, renewed or with a termination scheduled, and the renewals. */
  readonly contracts: readonly Contract[];
  /** The contracts changed or made after signing, which cases leave alone. */
  readonly changed: ReadonlySet<string>;
}

const AMENDED_CONTRACTS = 12;
const RENEWED_CONTRACTS = 6;
const SCHEDULED_TERMINATIONS = 5;

/** A provider's quote (`quoteContract`): the catalog amount, or less when negotiated. */
function quoted(rng: Rng, c: Contract, quotedMs: number): Contract {
  const amountKrw =
    c.method === 'CATALOG'
      ? c.catalogAmountKrw
      : Math.min(
          c.catalogAmountKrw,
          Math.max(1000, Math.floor((c.catalogAmountKrw * rng.range(0.8, 0.97)) / 1000) * 1000),
        );
  return { ...c, status: 'QUOTED', amountKrw, quotedAt: iso(quotedMs), version: c.version + 1 };
}

/**
 * Some ACTIVE contracts amended (through the domain's `amended`, within the default limit), some renewed
 * (a new REQUESTED or QUOTED contract with `renewalOf`, the original recording it), some with a termination
 * scheduled at least the notice period ahead. Amendments move the signed total, so negotiated amounts of
 * other contracts absorb the difference and it stays the published one.
 */
function afterSigning(ctx: Context, world: World, contracts: readonly Contract[]): LaterContracts {
  const { rng } = ctx;
  const latest = ctx.nowMs - HOUR;
  const services = new Map(world.services.map((s) => [s.id, s]));
  const signedMs = (c: Contract) => Date.parse(c.signedAt ?? '');
  const endMs = (c: Contract) => addMonths(signedMs(c), c.months);
  const candidates = rng.shuffle(
    contracts.filter((c) => c.signedAt !== null && !world.edited.has(c.serviceId)),
  );
  const changed = new Map<string, Contract>();
  const change = (
    count: number,
    fits: (c: Contract) => boolean,
    next: (c: Contract) => Contract | undefined,
  ) => {
    let made = 0;
    for (const c of candidates) {
      if (made === count) return;
      const changedContract = !changed.has(c.id) && fits(c) ? next(c) : undefined;
      if (!changedContract) continue;
      changed.set(c.id, { ...changedContract, version: c.version + 1 });
      made += 1;
    }
    if (made < count) throw new Error('demo data: too few contracts to change after signing');
  };

  change(
    AMENDED_CONTRACTS,
    (c) => c.status === 'ACTIVE' && signedMs(c) < ctx.nowMs - 30 * DAY,
    (c) => {
      const at = new Date(seconds(signedMs(c) + (latest - signedMs(c)) * rng.range(0.3, 0.9)));
      const options: { quantity?: number; months?: number; reason: string }[] = [
        { months: Math.min(36, c.months + rng.pick([1, 2, 3])), reason: '사업 기간 연장' },
        {
          quantity: c.quantity + Math.max(1, Math.round(c.quantity * 0.05)),
          reason: '사용자 증가에 따른 수량 변경',
        },
        {
          quantity: Math.max(1, Math.round(c.quantity * rng.range(0.6, 0.9))),
          reason: '사용량 감소에 따른 수량 조정',
        },
      ];
      for (const option of rng.shuffle(options)) {
        if ((option.quantity ?? c.quantity) === c.quantity && (option.months ?? c.months) === c.months)
          continue;
        try {
          return amended(c, option, defaultProcurementPolicy.amendmentLimitPercent, at);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
        }
      }
      return undefined;
    },
  );

  change(
    SCHEDULED_TERMINATIONS,
    (c) => c.status === 'ACTIVE' && endMs(c) > ctx.nowMs + 120 * DAY,
    (c) => {
      const requestedMs = officeTime(ctx, rng.int(1, 20));
      if (requestedMs <= signedMs(c)) return undefined;
      // Midnight in Korea, the notice period and some more days ahead.
      const midnight = Math.floor((requestedMs + 9 * HOUR) / DAY) * DAY - 9 * HOUR;
      const notice = defaultProcurementPolicy.terminationNoticeDays;
      const effectiveMs = midnight + rng.int(notice + 1, 90) * DAY;
      return {
        ...c,
        termination: {
          reason: rng.pick(terminationReasons),
          requestedAt: iso(requestedMs),
          effectiveAt: iso(effectiveMs),
        },
      };
    },
  );

  const renewals: Contract[] = [];
  change(
    RENEWED_CONTRACTS,
    (c) =>
      (c.status === 'ACTIVE' && endMs(c) < ctx.nowMs + 60 * DAY) ||
      (c.status === 'COMPLETED' && endMs(c) > ctx.nowMs - 45 * DAY),
    (c) => {
      const service = services.get(c.serviceId);
      const plan = service?.plans.find((p) => p.id === c.planId);
      const requestedMs = Math.max(officeTime(ctx, rng.int(1, 14)), signedMs(c) + DAY);
      if (!service || !plan || effectiveStatus(service, new Date(requestedMs)) !== 'LISTED') return undefined;
      if (requestedMs >= latest) return undefined;
      const months = rng.pick([12, 12, 24, c.months]);
      const renewal = requestedContract({
        id: ctx.id('ctr', requestedMs),
        agencyId: c.agencyId,
        serviceId: service.id,
        serviceVersion: service.version,
        providerId: service.providerId,
        planId: plan.id,
        quantity: c.quantity,
        months,
        method: c.method,
        catalogAmountKrw: plan.unitPriceKrw * c.quantity * months,
        requestedAt: iso(requestedMs),
        caseId: null,
        renewalOf: c.id,
      });
      const quote = requestedMs < ctx.nowMs - DAY && rng.chance(0.5);
      renewals.push(
        quote
          ? quoted(rng, renewal, seconds(requestedMs + (latest - requestedMs) * rng.range(0.2, 0.8)))
          : renewal,
      );
      return { ...c, renewalId: renewal.id };
    },
  );

  const drift = [...changed].reduce((sum, [id, c]) => {
    const before = contracts.find((original) => original.id === id);
    return sum + c.amountKrw - (before?.amountKrw ?? c.amountKrw);
  }, 0);
  const settled = keepSignedTotal(
    rng,
    contracts.map((c) => changed.get(c.id) ?? c),
    changed,
    drift,
  );
  return {
    contracts: [...settled, ...renewals],
    changed: new Set([...changed.keys(), ...renewals.map((c) => c.id)]),
  };
}

/**
 * Takes `drift` KRW off (or, negative, adds it to) negotiated signed amounts of contracts not in `changed`,
 * each staying within 80–100% of its catalog amount.
 */
function keepSignedTotal(
  rng: Rng,
  contracts: readonly Contract[],
  changed: ReadonlyMap<string, Contract>,
  drift: number,
): Contract[] {
  const out = [...contracts];
  let remainder = drift;
  for (const i of rng.shuffle(out.map((_, i) => i))) {
    if (remainder === 0) break;
    const c = at(out, i);
    if (c.signedAt === null || c.method !== 'NEGOTIATED' || changed.has(c.id)) continue;
    const step =
      remainder > 0
        ? Math.min(remainder, c.amountKrw - Math.ceil(c.catalogAmountKrw * 0.8))
        : Math.max(remainder, c.amountKrw - c.catalogAmountKrw);
    if (remainder > 0 ? step <= 0 : step >= 0) continue;
    out[i] = { ...c, amountKrw: c.amountKrw - step };
    remainder -= step;
  }
  if (remainder !== 0) throw new Error('demo data: cannot keep the signed total after amendments');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Procurement cases

const AWARDED_CASES = 6;
const OPEN_CASES = 4;
const CLOSED_CASES: readonly ('NO_AWARD' | 'CANCELLED')[] = [
  'NO_AWARD',
  'NO_AWARD',
  'CANCELLED',
  'CANCELLED',
];

/** What happens to one case, in time order. */
interface CaseScript {
  readonly agency: Agency;
  /** First on the shortlist, and the service awarded or asked first for a quote. */
  readonly favourite: Service;
  readonly quantity: number;
  readonly months: number;
  readonly openedMs: number;
  /** When each snapshot is locked; the searches and the shortlist come before the first. */
  readonly lockMs: readonly number[];
  /** When quotes are asked for, and the contract signed by the award if the case was awarded. */
  readonly quotes?: { readonly atMs: number; readonly awarded?: Contract };
  readonly end?: { readonly outcome: 'AWARDED' | 'NO_AWARD' | 'CANCELLED'; readonly atMs: number };
}

/**
 * Cases in every state: awarded (each the case behind a contract signed earlier, its other quotes cancelled
 * `NOT_CHOSEN`), open (with searches, shortlists and snapshots, one with quotes asked for), closed with no
 * award and cancelled (their quotes cancelled `CASE_CLOSED`). The awards reuse signed contracts, and the
 * other quotes were never signed, so the signed totals stay the published ones.
 */
function procurementCases(ctx: Context, world: World, later: LaterContracts) {
  const { rng } = ctx;
  const contracts = new Map(later.contracts.map((c) => [c.id, c]));
  const agencies = new Map(world.agencies.map((a) => [a.id, a]));
  const services = new Map(world.services.map((s) => [s.id, s]));
  const signedTimes = new Map<string, number[]>();
  for (const c of later.contracts) {
    if (c.signedAt)
      signedTimes.set(c.serviceId, [...(signedTimes.get(c.serviceId) ?? []), Date.parse(c.signedAt)]);
  }
  const signedBy = (serviceId: string, ms: number) =>
    (signedTimes.get(serviceId) ?? []).filter((t) => t <= ms).length;
  const cases: Case[] = [];
  const snapshots: CaseSnapshot[] = [];
  const record = (script: CaseScript) => {
    const made = caseRecord(ctx, world, signedBy, script);
    if (!made) return false;
    cases.push(made.kase);
    snapshots.push(...made.snapshots);
    for (const c of made.contracts) contracts.set(c.id, c);
    return true;
  };
  const usedAgencies = new Set<string>();
  const fresh = (agency: Agency | undefined): agency is Agency =>
    agency !== undefined && !usedAgencies.has(agency.id);

  const awardable = rng.shuffle(
    later.contracts.filter(
      (c) =>
        c.signedAt !== null &&
        !later.changed.has(c.id) &&
        !world.edited.has(c.serviceId) &&
        c.planId === cheapestPlan(services.get(c.serviceId))?.id &&
        Date.parse(c.requestedAt) < ctx.nowMs - 6 * DAY,
    ),
  );
  let awarded = 0;
  for (const c of awardable) {
    if (awarded === AWARDED_CASES) break;
    const agency = agencies.get(c.agencyId);
    const favourite = services.get(c.serviceId);
    const requestedMs = Date.parse(c.requestedAt);
    const openedMs = seconds(requestedMs - rng.range(4, 12) * DAY);
    if (!fresh(agency) || !favourite?.selection || Date.parse(favourite.selection.decidedAt) >= openedMs)
      continue;
    const lockMs = seconds(requestedMs - rng.range(0.1, 0.9) * DAY);
    const script: CaseScript = {
      agency,
      favourite,
      quantity: c.quantity,
      months: c.months,
      openedMs,
      lockMs: rng.chance(0.3) ? [seconds(lockMs - DAY), lockMs] : [lockMs],
      quotes: { atMs: requestedMs, awarded: c },
      end: { outcome: 'AWARDED', atMs: Date.parse(c.signedAt ?? '') },
    };
    if (!record(script)) continue;
    usedAgencies.add(agency.id);
    awarded += 1;
  }

  const someone = (openedMs: number) => {
    for (;;) {
      const agency = rng.pick(world.agencies);
      if (!fresh(agency)) continue;
      const choices = catalogAt(world, openedMs).filter(
        (s) => s.status === 'LISTED' && !world.edited.has(s.id) && s.networks.includes(agency.network),
      );
      return { agency, favourite: rng.pick(choices) };
    }
  };
  const terms = () => ({ quantity: rng.int(5, 120), months: rng.pick([6, 12, 12, 24]) });
  let open = 0;
  while (open < OPEN_CASES) {
    const openedMs = seconds(officeTime(ctx, rng.int(8, 25)));
    const lastLock = seconds(ctx.nowMs - rng.range(4, 6) * DAY);
    const locks = open % 2 === 0 ? [lastLock] : [seconds(lastLock - rng.range(1, 3) * DAY), lastLock];
    const quotes = open === 0 ? { atMs: seconds(ctx.nowMs - rng.range(1, 3) * DAY) } : undefined;
    const who = someone(openedMs);
    if (!record({ ...who, ...terms(), openedMs, lockMs: locks, ...(quotes ? { quotes } : {}) })) continue;
    usedAgencies.add(who.agency.id);
    open += 1;
  }

  for (let i = 0; i < CLOSED_CASES.length;) {
    const outcome = at(CLOSED_CASES, i);
    const openedMs = seconds(officeTime(ctx, rng.int(30, 200)));
    // One cancelled case never got as far as a snapshot; the others asked for quotes first.
    const early = i === CLOSED_CASES.length - 1;
    const lockMs = seconds(openedMs + rng.range(3, 8) * DAY);
    const quotesMs = seconds(lockMs + rng.range(0.2, 2) * DAY);
    const who = someone(openedMs);
    const script: CaseScript = {
      ...who,
      ...terms(),
      openedMs,
      lockMs: early ? [] : [lockMs],
      ...(early ? {} : { quotes: { atMs: quotesMs } }),
      end: { outcome, atMs: seconds((early ? lockMs : quotesMs) + rng.range(3, 15) * DAY) },
    };
    if (!record(script)) continue;
    usedAgencies.add(who.agency.id);
    i += 1;
  }
  return { cases, snapshots, contracts: [...contracts.values()] };
}

/** The plan a case asks quotes on: the one the comparison ranks the service by. */
const cheapestPlan = (service: Service | undefined) =>
  service?.plans.reduce<PricePlan | undefined>(
    (a, b) => (a && a.unitPriceKrw <= b.unitPriceKrw ? a : b),
    undefined,
  );

/** The demo user behind an agency's case. */
const buyer = (agency: Agency) => `demo-agency-${agency.id}`;

/**
 * A service as the catalog held it at `ms`: a suspended one was listed, one version earlier, between its
 * selection and its suspension. Edited services are as first stored (their edits are in the last days).
 */
function serviceAt(service: Service, ms: number): Service {
  if (service.status !== 'SUSPENDED' || !service.selection || ms >= Date.parse(service.updatedAt))
    return service;
  return {
    ...service,
    status: 'LISTED',
    version: service.version - 1,
    updatedAt: service.selection.decidedAt,
  };
}

/** The services listed with a valid selection at `ms`. */
function catalogAt(world: World, ms: number): Service[] {
  return world.services
    .filter((s) => s.selection && Date.parse(s.selection.decidedAt) <= ms)
    .map((s) => serviceAt(s, ms))
    .filter((s) => effectiveStatus(s, new Date(ms)) === 'LISTED');
}

/** A saved search run at `ms` as `listServices` answers it: how many match, the first in listing order. */
function searchAt(catalog: readonly Service[], query: SavedSearch['query']) {
  const matching = catalog
    .filter((s) => matchesFilters(s, query))
    .map((s) => ({ s, key: postingSortKey(s) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    matched: matching.length,
    results: matching.slice(0, SNAPSHOT_RESULTS).map(({ s }) => ({ serviceId: s.id, version: s.version })),
  };
}

/**
 * One case as the API would have left it after `script`: two searches saved (the favourite's category on
 * the agency's network, and a word of its name), a shortlist of it and two or three services of the first
 * search, the snapshots locked (the real hash and comparison), quotes asked of three of them on their
 * cheapest plans, and the award or close carried out. `undefined` when the catalog then had too few services to compare.
 */
function caseRecord(
  ctx: Context,
  world: World,
  signedBy: (serviceId: string, ms: number) => number,
  script: CaseScript,
): { kase: Case; snapshots: CaseSnapshot[]; contracts: Contract[] } | undefined {
  const { rng } = ctx;
  const { agency, favourite, quantity, months } = script;
  const firstLockMs = script.lockMs[0] ?? script.end?.atMs ?? ctx.nowMs - HOUR;
  const step = (share: number) => seconds(script.openedMs + (firstLockMs - script.openedMs) * share);
  const id = ctx.id('cas', script.openedMs);
  const keyword = words(favourite.name).reduce((a, b) => ([...b].length > [...a].length ? b : a), '');
  const searches: SavedSearch[] = [
    { query: { category: favourite.category, network: agency.network }, atMs: step(0.1) },
    { query: { q: keyword, network: agency.network }, atMs: step(0.2) },
  ].map(({ query, atMs }) => ({ id: ctx.id('srch', atMs), query, savedAt: iso(atMs) }));
  const shortlistMs = step(0.4);
  const rivals = rng
    .shuffle(
      catalogAt(world, shortlistMs).filter(
        (s) =>
          s.id !== favourite.id &&
          s.status === 'LISTED' &&
          !world.edited.has(s.id) &&
          matchesFilters(s, at(searches, 0).query),
      ),
    )
    .slice(0, rng.int(2, 3));
  if (rivals.length < 2) return undefined;
  const shortlist: ShortlistEntry[] = [favourite, ...rivals].map((s) => ({
    serviceId: s.id,
    note: rng.pick(shortlistNotes),
    addedAt: iso(shortlistMs),
  }));
  const [title, need] = rng.pick(caseNeeds[favourite.category]);
  const cheapest = Math.min(...favourite.plans.map((p) => p.unitPriceKrw)) * quantity * months;
  const budgetBase = script.quotes?.awarded?.amountKrw ?? cheapest;
  const budgetKrw = rng.chance(0.75)
    ? Math.ceil((budgetBase * rng.range(1, 1.3)) / 1_000_000) * 1_000_000
    : null;
  const terms = { title, need, quantity, months, budgetKrw };
  let version = 1 + searches.length + 1;

  const snapshots = script.lockMs.map((lockedMs, i): CaseSnapshot => {
    const catalog = catalogAt(world, lockedMs);
    const compared = [favourite, ...rivals].map((s) => serviceAt(s, lockedMs));
    const content = {
      number: i + 1,
      caseId: id,
      lockedAt: iso(lockedMs),
      lockedBy: { sub: buyer(agency), org: agency.id },
      case: terms,
      searches: searches.map((search) => ({
        id: search.id,
        query: search.query,
        ...searchAt(catalog, search.query),
      })),
      shortlist,
      comparison: comparisonOf(
        terms,
        {
          services: compared,
          agency,
          providers: world.providers,
          signedContracts: compared.map((s) => signedBy(s.id, lockedMs)),
        },
        new Date(lockedMs),
      ),
    };
    version += 1;
    return {
      ...content,
      sha256: snapshotHash(content),
      id: snapshotId(id, i + 1),
      createdAt: iso(lockedMs),
      version: 1,
    };
  });

  let contracts: Contract[] = [];
  let lastMs = script.lockMs.at(-1) ?? shortlistMs;
  if (script.quotes) {
    const { atMs, awarded } = script.quotes;
    const endMs = script.end?.atMs ?? ctx.nowMs - HOUR;
    const method = awarded?.method ?? rng.pick(contractMethods);
    contracts = [favourite, ...rivals.slice(0, 2)].map((service) => {
      if (awarded?.serviceId === service.id)
        return { ...awarded, caseId: id, signedAmountKrw: awarded.amountKrw };
      const plan = cheapestPlan(service);
      if (!plan) throw new Error(`demo data: service ${service.id} has no plans`);
      const requested = requestedContract({
        id: ctx.id('ctr', atMs),
        agencyId: agency.id,
        serviceId: service.id,
        serviceVersion: service.version,
        providerId: service.providerId,
        planId: plan.id,
        quantity,
        months,
        method,
        catalogAmountKrw: plan.unitPriceKrw * quantity * months,
        requestedAt: iso(atMs),
        caseId: id,
      });
      return rng.chance(0.75)
        ? quoted(rng, requested, seconds(atMs + (endMs - atMs) * rng.range(0.2, 0.8)))
        : requested;
    });
    version += 1;
    lastMs = atMs;
  }

  let ending: Pick<Case, 'status' | 'award' | 'outcome'> = { status: 'OPEN', award: null, outcome: null };
  if (script.end) {
    const { outcome, atMs } = script.end;
    const cancelReason = outcome === 'AWARDED' ? 'NOT_CHOSEN' : 'CASE_CLOSED';
    contracts = contracts.map((c) =>
      c.status === 'REQUESTED' || c.status === 'QUOTED'
        ? { ...c, status: 'CANCELLED', closedAt: iso(atMs), cancelReason, version: c.version + 1 }
        : c,
    );
    const awarded = script.quotes?.awarded;
    ending =
      outcome === 'AWARDED' && awarded
        ? {
            status: outcome,
            award: { contractId: awarded.id, amountKrw: awarded.amountKrw, awardedAt: iso(atMs) },
            outcome: null,
          }
        : {
            status: outcome,
            award: null,
            outcome: {
              reason: rng.pick(closeReasons[outcome === 'AWARDED' ? 'NO_AWARD' : outcome]),
              at: iso(atMs),
            },
          };
    // The decision recorded, then carried out.
    version += 2;
    lastMs = atMs;
  }
  const kase: Case = {
    id,
    agencyId: agency.id,
    ...terms,
    ...ending,
    searches,
    shortlist,
    snapshots: snapshots.length,
    contractIds: contracts.map((c) => c.id),
    pendingDecision: null,
    createdAt: iso(script.openedMs),
    updatedAt: iso(lastMs),
    version,
  };
  return { kase, snapshots, contracts };
}
