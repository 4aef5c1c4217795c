/**
 * `npm run openapi:specmatic [-- --verbose] [-- --keep DIR]`: Specmatic (the pinned `specmatic`
 * devDependency, its jar on Java 17) runs its contract tests and resiliency tests (generated positive
 * variations and negative requests) against a scratch `npm start -- --empty`, seeded first through the API
 * by this script.
 *
 * Specmatic's settings are in `specmatic.yaml`; what this script adds at run time is what only exists once
 * the seed ran: one external example per operation (`--examples`), each a real request with the ids the
 * seed created and the token of the role that makes that call (one token per role: admin, committee, a
 * provider, an agency, in each example's `Authorization`), and the answer the API gave it. Strict mode
 * keeps Specmatic to those examples and what it derives from them, so the run stays within a few minutes.
 *
 * The local gateway rate-limits each caller (the WAF rule's 3,000 requests in 5 minutes) and Specmatic
 * cannot wait out a 429's `Retry-After` (it records the 429 as a failed test), so this session's gateway
 * allows one caller more (`-c marketplace:apiLimits=…`); the stage limits stay. The seed waits out
 * `Retry-After` itself.
 *
 * Prints the counts of contract and resiliency tests run, passed and failed, and which failures are the
 * API's (see `attributable`); exits 1 on any of those, or when Specmatic could not run its tests.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { retryAfterMs } from './api-client/client.js';
import { repoRoot } from './paths.js';
import { Scratch, waitFor } from './scratch.js';
import { localSigningKeys, mintToken } from './tokens.js';

const SPECMATIC_JAR = join(repoRoot, 'node_modules/specmatic/specmatic.jar');
/** Enough for one caller's whole run (about 4,000 requests in a few minutes), the stage limits unchanged. */
const SESSION_LIMITS = JSON.stringify({ perCallerPerWindow: 100_000 });

type Json = Record<string, unknown>;

interface Example {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly token?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly status: number;
}

const { values } = parseArgs({
  options: {
    // Specmatic's whole output (every request and answer) as it runs.
    verbose: { type: 'boolean', default: false },
    // Keep the examples written and Specmatic's JUnit report in this directory.
    keep: { type: 'string' },
  },
  strict: true,
});
const scratch = new Scratch();

async function main(): Promise<number> {
  const started = performance.now();
  const stateDir = await scratch.directory('dsm-specmatic-');
  const target = await scratch.startGateway(stateDir, ['-c', `marketplace:apiLimits=${SESSION_LIMITS}`]);
  const work = values.keep ?? (await scratch.directory('dsm-specmatic-run-'));
  await mkdir(work, { recursive: true });
  const documentFile = join(work, 'openapi.json');
  await writeFile(documentFile, await (await fetch(new URL('/openapi.json', target))).text());

  const keys = await localSigningKeys(stateDir);
  const seed = await seedThroughApi(target, (role, org) =>
    mintToken(keys, { sub: `specmatic-${role}`, role, ...(org ? { org } : {}) }),
  );
  process.stdout.write(`seeded through the API in ${seconds(started)}\n`);

  const examplesDir = join(work, 'examples');
  await writeExamples(target, examplesDir, examples(seed));
  const operations = operationsOf(JSON.parse(await readFile(documentFile, 'utf8')));
  // The contract tests alone (resiliency tests off: one test per example, sent as written), then the
  // resiliency run, which repeats them among its positive variations.
  const committed = await readFile(join(repoRoot, 'specmatic.yaml'), 'utf8');
  const contractConfig = join(work, 'specmatic-contract.yaml');
  await writeFile(contractConfig, committed.replace(/^(\s+enable:) all$/m, '$1 none'));
  let theApis = 0;
  const tallies: string[] = [];
  for (const [label, config] of [
    ['contract', contractConfig],
    ['resiliency', join(repoRoot, 'specmatic.yaml')],
  ] as const) {
    const runStarted = performance.now();
    const reportDir = join(work, `junit-${label}`);
    process.stdout.write(`\nSpecmatic, ${label} tests; failures not attributable to the API, by kind:\n`);
    const run = { documentFile, target, examplesDir, reportDir, config, adminToken: seed.tokens.admin };
    const { code, output } = await runSpecmatic(run);
    const tally = await countTests(reportDir);
    const failed = failures(output);
    const apis = failed.filter((failure) => attributable(failure, operations));
    for (const failure of apis) {
      process.stdout.write(
        `\nFAILED (the API's): ${failure.test}\n${failure.reason.trim()}\n${failure.exchange.slice(0, 4000)}\n`,
      );
    }
    const notTheApis = new Map<string, number>();
    for (const failure of failed.filter((failure) => !apis.includes(failure))) {
      const kind = `${failure.negative ? 'negative' : 'positive'} ${failure.operation} answered ${failure.status ?? '(not sent: Specmatic refused its own request)'}`;
      notTheApis.set(kind, (notTheApis.get(kind) ?? 0) + 1);
    }
    for (const [kind, count] of [...notTheApis].sort((a, b) => b[1] - a[1])) {
      process.stdout.write(`  ${String(count).padStart(5)} × ${kind}\n`);
    }
    if (code !== 0 && failed.length === 0) process.stdout.write(`\nSpecmatic (${label}) exited ${code}\n`);
    theApis += apis.length + (tally.run === 0 || (code !== 0 && failed.length === 0) ? 1 : 0);
    tallies.push(
      `${label} tests: ${tally.run} run (${tally.positive} positive, ${tally.negative} negative), ` +
        `${tally.passed} passed, ${tally.failed} failed: ${apis.length} attributable to the API, ` +
        `${failed.length - apis.length} to what Specmatic generates; ${seconds(runStarted)}`,
    );
  }
  process.stdout.write(
    `\n${tallies.join('\n')}\nwhole session ${seconds(started)} (start and seed included)\n`,
  );
  process.stdout.write(theApis === 0 ? 'PASSED\n' : 'FAILED\n');
  return theApis === 0 ? 0 : 1;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

type Minter = (role: 'admin' | 'committee' | 'provider' | 'agency', org?: string) => Promise<string>;

/** What the seed created, by the example that uses it. */
interface Seed {
  readonly tokens: { admin: string; committee: string; provider: string; agency: string };
  readonly providerId: string;
  readonly agencyId: string;
  readonly services: Record<
    'listed' | 'draft' | 'submitted' | 'toSuspend' | 'suspended' | 'revisable' | 'toSchedule' | 'toDecide',
    string
  >;
  readonly sessions: { open: number; toClose: number; nextNumber: number };
  readonly contracts: Record<
    'requested' | 'quoted' | 'toCancel' | 'signed' | 'toTerminate' | 'toAmend' | 'toRenew',
    string
  >;
  readonly cases: { open: string; quoted: string; toClose: string };
  readonly caseQuoteContractId: string;
  readonly auditEventId: string;
}

/**
 * Providers, agencies, services in every state an operation starts from, review sessions, contracts and
 * cases, each made through the API as its callers would; every call must succeed.
 */
async function seedThroughApi(target: string, mint: Minter): Promise<Seed> {
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    for (;;) {
      const response = await fetch(new URL(path, target), {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(method === 'POST' ? { 'idempotency-key': `seed-${crypto.randomUUID()}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (response.status === 429 || response.status === 503) {
        await response.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfterMs(response), 250)));
        continue;
      }
      const text = await response.text();
      if (!response.ok) throw new Error(`seed: ${method} ${path} answered ${response.status}: ${text}`);
      return JSON.parse(text) as Json;
    }
  };
  const admin = await mint('admin');
  const committee = await mint('committee');
  const provider = await call('POST', '/v1/providers', admin, {
    name: '(주)스펙매틱클라우드',
    businessRegistrationNumber: '1248100998',
    contactEmail: 'contact@specmatic.example.kr',
  });
  await call('POST', '/v1/providers', admin, {
    name: '(주)둘째클라우드',
    businessRegistrationNumber: '2208162517',
    contactEmail: 'contact@second.example.kr',
  });
  const agency = await call('POST', '/v1/agencies', admin, {
    name: '스펙매틱 시청',
    institutionCode: '7100001',
    kind: 'LOCAL',
    network: 'INTERNET',
  });
  await call('POST', '/v1/agencies', admin, {
    name: '둘째 군청',
    institutionCode: '7100002',
    kind: 'LOCAL',
    network: 'INTRANET',
  });
  const providerId = String(provider.id);
  const agencyId = String(agency.id);
  const providerToken = await mint('provider', providerId);
  const agencyToken = await mint('agency', agencyId);

  const createService = async (name: string) =>
    String((await call('POST', '/v1/services', providerToken, serviceBody(name))).id);
  const names = [
    'listed',
    'draft',
    'submitted',
    'toSuspend',
    'suspended',
    'revisable',
    'toSchedule',
    'toDecide',
  ];
  const ids: Record<string, string> = {};
  for (const name of names) ids[name] = await createService(`스펙매틱 ${name} 서비스`);
  const services = ids as Seed['services'];
  for (const name of names.filter((name) => name !== 'draft')) {
    await call('POST', `/v1/services/${ids[name]}/submit`, providerToken);
  }
  // Session 1 selects the services that are to be listed; session 2 stays open with one on its agenda.
  const base = 100 + Math.floor(Math.random() * 90_000);
  const date = new Date().toISOString().slice(0, 10);
  await call('POST', '/v1/review-sessions', committee, { number: base, date });
  for (const name of ['listed', 'toSuspend', 'suspended', 'revisable']) {
    await call('POST', `/v1/review-sessions/${base}/agenda`, committee, { serviceId: ids[name] });
    await call('POST', `/v1/review-sessions/${base}/decisions`, committee, {
      serviceId: ids[name],
      decision: 'SELECTED',
      reason: '심사 기준 충족',
    });
  }
  await call('POST', `/v1/review-sessions/${base}/close`, committee);
  await call('POST', '/v1/review-sessions', committee, { number: base + 1, date });
  await call('POST', `/v1/review-sessions/${base + 1}/agenda`, committee, { serviceId: services.toDecide });
  await call('POST', '/v1/review-sessions', committee, { number: base + 2, date });
  await call('POST', `/v1/services/${services.suspended}/suspend`, admin, undefined);
  await call('PATCH', `/v1/services/${services.revisable}`, providerToken, {
    summary: '개정된 요약',
  });
  // The history is projected from the stream: revert finds version 1 once it is there.
  await waitFor(
    async () => (await fetch(new URL(`/v1/services/${services.revisable}/versions/1`, target))).ok,
  );

  const contract = async () =>
    String(
      (
        await call('POST', '/v1/contracts', agencyToken, {
          serviceId: services.listed,
          planId: 'basic',
          quantity: 2,
          months: 12,
          method: 'NEGOTIATED',
        })
      ).id,
    );
  const quoted = async () => {
    const id = await contract();
    await call('POST', `/v1/contracts/${id}/quote`, providerToken, { amountKrw: 2_400_000 });
    return id;
  };
  const signed = async () => {
    const id = await quoted();
    await call('POST', `/v1/contracts/${id}/sign`, agencyToken);
    return id;
  };
  const contracts: Seed['contracts'] = {
    requested: await contract(),
    quoted: await quoted(),
    toCancel: await contract(),
    signed: await signed(),
    toTerminate: await signed(),
    toAmend: await signed(),
    toRenew: await signed(),
  };

  const openCase = async (title: string) =>
    String(
      (
        await call('POST', '/v1/cases', agencyToken, {
          title,
          need: '문서 자동화',
          quantity: 2,
          months: 12,
          budgetKrw: 1_000_000,
        })
      ).id,
    );
  const shortlisted = async (title: string) => {
    const id = await openCase(title);
    await call('PATCH', `/v1/cases/${id}`, agencyToken, {
      shortlist: [{ serviceId: services.listed, note: '후보' }],
    });
    return id;
  };
  const open = await shortlisted('스펙매틱 조달 사업');
  await call('POST', `/v1/cases/${open}/searches`, agencyToken, { q: '스펙매틱' });
  await call('POST', `/v1/cases/${open}/snapshots`, agencyToken);
  const quotedCase = await shortlisted('견적 받은 사업');
  await call('POST', `/v1/cases/${quotedCase}/snapshots`, agencyToken);
  const asked = await call('POST', `/v1/cases/${quotedCase}/quotes`, agencyToken, {
    requests: [{ serviceId: services.listed, planId: 'basic' }],
    method: 'NEGOTIATED',
  });
  const caseQuoteContractId = String((asked.contracts as Json[])[0]?.id);
  await call('POST', `/v1/contracts/${caseQuoteContractId}/quote`, providerToken, { amountKrw: 200_000 });
  const toClose = await openCase('닫을 사업');

  // The audit feed is projected too.
  let auditEventId = '';
  await waitFor(async () => {
    const page = await call('GET', `/v1/audit?entity=contract&id=${contracts.requested}`, admin);
    auditEventId = String((page.items as Json[])[0]?.id ?? '');
    return auditEventId !== '';
  });

  return {
    tokens: { admin, committee, provider: providerToken, agency: agencyToken },
    providerId,
    agencyId,
    services,
    sessions: { open: base + 1, toClose: base + 2, nextNumber: base + 3 },
    contracts,
    cases: { open, quoted: quotedCase, toClose },
    caseQuoteContractId,
    auditEventId,
  };
}

function serviceBody(name: string) {
  return {
    name,
    summary: '계약 검증용 클라우드 문서 서비스',
    category: 'SAAS',
    ai: false,
    networks: ['INTERNET'],
    csap: null,
    plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 100_000 }],
  };
}

/**
 * One example per operation, each from a resource in the state the operation starts from. State changes
 * are dry runs (`?dryRun=true`: every check runs, nothing is written), so Specmatic's variations of one
 * example all meet the same state, in any order.
 *
 * `GET /openapi.json` has none: Specmatic reads its free-form objects (`paths: {type: object}`) as closed
 * ones shaped like the first value it meets, and refuses the document itself. The document's own shape is
 * checked against the OpenAPI 3.1 schema by `test/unit/openapi.test.ts`.
 */
function examples(seed: Seed): Example[] {
  const { admin, committee, provider, agency } = seed.tokens;
  const dry = { dryRun: 'true' };
  const { services: s, contracts: c, cases } = seed;
  return [
    { name: 'health', method: 'GET', path: '/health', status: 200 },
    {
      name: 'register-provider',
      method: 'POST',
      path: '/v1/providers',
      token: admin,
      query: dry,
      body: {
        name: '(주)예시클라우드',
        businessRegistrationNumber: '1078600004',
        contactEmail: 'a@example.kr',
      },
      status: 201,
    },
    { name: 'get-provider', method: 'GET', path: `/v1/providers/${seed.providerId}`, status: 200 },
    {
      name: 'register-agency',
      method: 'POST',
      path: '/v1/agencies',
      token: admin,
      query: dry,
      body: { name: '예시 구청', institutionCode: '7100009', kind: 'LOCAL', network: 'INTERNET' },
      status: 201,
    },
    { name: 'get-agency', method: 'GET', path: `/v1/agencies/${seed.agencyId}`, token: agency, status: 200 },
    {
      name: 'create-service',
      method: 'POST',
      path: '/v1/services',
      token: provider,
      query: dry,
      body: serviceBody('예시 서비스'),
      status: 201,
    },
    { name: 'list-services', method: 'GET', path: '/v1/services', query: { limit: '5' }, status: 200 },
    { name: 'get-service', method: 'GET', path: `/v1/services/${s.listed}`, status: 200 },
    {
      name: 'update-service',
      method: 'PATCH',
      path: `/v1/services/${s.draft}`,
      token: provider,
      query: dry,
      body: { summary: '바뀐 요약' },
      status: 200,
    },
    ...(
      [
        ['submit', s.draft, provider],
        ['withdraw', s.submitted, provider],
        ['suspend', s.toSuspend, admin],
        ['reinstate', s.suspended, admin],
      ] as const
    ).map(([action, id, token]): Example => ({
      name: `${action}-service`,
      method: 'POST',
      path: `/v1/services/${id}/${action}`,
      token,
      query: dry,
      status: 200,
    })),
    { name: 'list-versions', method: 'GET', path: `/v1/services/${s.revisable}/versions`, status: 200 },
    { name: 'get-version', method: 'GET', path: `/v1/services/${s.revisable}/versions/1`, status: 200 },
    {
      name: 'revert-service',
      method: 'POST',
      path: `/v1/services/${s.revisable}/revert`,
      token: admin,
      query: dry,
      body: { toVersion: 1 },
      status: 200,
    },
    {
      name: 'open-review-session',
      method: 'POST',
      path: '/v1/review-sessions',
      token: committee,
      query: dry,
      body: { number: seed.sessions.nextNumber, date: new Date().toISOString().slice(0, 10) },
      status: 201,
    },
    {
      name: 'get-review-session',
      method: 'GET',
      path: `/v1/review-sessions/${seed.sessions.open}`,
      token: committee,
      status: 200,
    },
    {
      name: 'add-to-agenda',
      method: 'POST',
      path: `/v1/review-sessions/${seed.sessions.open}/agenda`,
      token: committee,
      query: dry,
      body: { serviceId: s.toSchedule },
      status: 200,
    },
    {
      name: 'decide',
      method: 'POST',
      path: `/v1/review-sessions/${seed.sessions.open}/decisions`,
      token: committee,
      query: dry,
      body: { serviceId: s.toDecide, decision: 'SELECTED', reason: '심사 기준 충족' },
      status: 200,
    },
    {
      name: 'close-review-session',
      method: 'POST',
      path: `/v1/review-sessions/${seed.sessions.toClose}/close`,
      token: committee,
      query: dry,
      status: 200,
    },
    {
      name: 'request-contract',
      method: 'POST',
      path: '/v1/contracts',
      token: agency,
      query: dry,
      headers: { 'Idempotency-Key': `specmatic-${crypto.randomUUID()}` },
      body: { serviceId: s.listed, planId: 'basic', quantity: 1, months: 6, method: 'NEGOTIATED' },
      status: 201,
    },
    { name: 'list-contracts', method: 'GET', path: '/v1/contracts', token: agency, status: 200 },
    { name: 'get-contract', method: 'GET', path: `/v1/contracts/${c.signed}`, token: agency, status: 200 },
    {
      name: 'quote-contract',
      method: 'POST',
      path: `/v1/contracts/${c.requested}/quote`,
      token: provider,
      query: dry,
      body: { amountKrw: 150_000 },
      status: 200,
    },
    ...(
      [
        ['sign', c.quoted],
        ['cancel', c.toCancel],
        ['complete', c.signed],
      ] as const
    ).map(([action, id]): Example => ({
      name: `${action}-contract`,
      method: 'POST',
      path: `/v1/contracts/${id}/${action}`,
      token: agency,
      query: dry,
      status: 200,
    })),
    {
      name: 'terminate-contract',
      method: 'POST',
      path: `/v1/contracts/${c.toTerminate}/terminate`,
      token: agency,
      query: dry,
      body: { reason: '사업 종료' },
      status: 200,
    },
    {
      name: 'amend-contract',
      method: 'POST',
      path: `/v1/contracts/${c.toAmend}/amend`,
      token: agency,
      query: dry,
      body: { months: 11, reason: '한 달 단축' },
      status: 200,
    },
    {
      name: 'renew-contract',
      method: 'POST',
      path: `/v1/contracts/${c.toRenew}/renew`,
      token: agency,
      query: dry,
      headers: { 'Idempotency-Key': `specmatic-${crypto.randomUUID()}` },
      body: { months: 12 },
      status: 201,
    },
    {
      name: 'open-case',
      method: 'POST',
      path: '/v1/cases',
      token: agency,
      query: dry,
      body: { title: '예시 사업', need: '협업 도구', quantity: 3, months: 12, budgetKrw: 2_000_000 },
      status: 201,
    },
    { name: 'list-cases', method: 'GET', path: '/v1/cases', token: agency, status: 200 },
    { name: 'get-case', method: 'GET', path: `/v1/cases/${cases.open}`, token: agency, status: 200 },
    {
      name: 'update-case',
      method: 'PATCH',
      path: `/v1/cases/${cases.open}`,
      token: agency,
      query: dry,
      body: { need: '문서 자동화와 협업' },
      status: 200,
    },
    {
      name: 'save-search',
      method: 'POST',
      path: `/v1/cases/${cases.open}/searches`,
      token: agency,
      query: dry,
      body: { q: '문서', ai: false },
      status: 201,
    },
    {
      name: 'compare',
      method: 'GET',
      path: `/v1/cases/${cases.open}/comparison`,
      token: agency,
      status: 200,
    },
    {
      name: 'lock-snapshot',
      method: 'POST',
      path: `/v1/cases/${cases.open}/snapshots`,
      token: agency,
      query: dry,
      status: 201,
    },
    {
      name: 'get-snapshot',
      method: 'GET',
      path: `/v1/cases/${cases.open}/snapshots/1`,
      token: agency,
      status: 200,
    },
    {
      name: 'request-quotes',
      method: 'POST',
      path: `/v1/cases/${cases.open}/quotes`,
      token: agency,
      query: dry,
      headers: { 'Idempotency-Key': `specmatic-${crypto.randomUUID()}` },
      body: { requests: [{ serviceId: s.listed, planId: 'basic' }], method: 'NEGOTIATED' },
      status: 201,
    },
    {
      name: 'award',
      method: 'POST',
      path: `/v1/cases/${cases.quoted}/award`,
      token: agency,
      query: dry,
      body: { contractId: seed.caseQuoteContractId },
      status: 200,
    },
    {
      name: 'close-case',
      method: 'POST',
      path: `/v1/cases/${cases.toClose}/close`,
      token: agency,
      query: dry,
      body: { outcome: 'CANCELLED', reason: '사업 취소' },
      status: 200,
    },
    { name: 'stats', method: 'GET', path: '/v1/stats', status: 200 },
    { name: 'audit', method: 'GET', path: '/v1/audit', token: admin, query: { limit: '5' }, status: 200 },
    {
      name: 'acknowledge',
      method: 'POST',
      path: `/v1/audit/${seed.auditEventId}/acknowledge`,
      token: admin,
      query: dry,
      status: 200,
    },
    { name: 'docs', method: 'GET', path: '/docs', status: 200 },
  ];
}

/**
 * Specmatic's external example files: each request, and the answer the API gives it now (sent once here:
 * reads, and dry runs that write nothing), which must have the status the example expects.
 */
async function writeExamples(target: string, dir: string, list: readonly Example[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const example of list) {
    const headers = {
      ...(example.token ? { Authorization: `Bearer ${example.token}` } : {}),
      ...(example.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...example.headers,
    };
    const url = new URL(example.path, target);
    for (const [name, value] of Object.entries(example.query ?? {})) url.searchParams.set(name, value);
    const answer = await fetch(url, {
      method: example.method,
      headers,
      ...(example.body === undefined ? {} : { body: JSON.stringify(example.body) }),
    });
    const text = await answer.text();
    if (answer.status !== example.status) {
      throw new Error(
        `example ${example.name}: expected ${example.status}, the API answered ${answer.status}: ${text}`,
      );
    }
    const json = answer.headers.get('content-type')?.includes('json');
    const request = {
      method: example.method,
      path: example.path,
      ...(example.query ? { query: example.query } : {}),
      headers,
      ...(example.body === undefined ? {} : { body: example.body }),
    };
    const response = {
      status: answer.status,
      headers: { 'Content-Type': answer.headers.get('content-type') ?? '' },
      body: json ? (JSON.parse(text) as unknown) : text,
    };
    await writeFile(
      join(dir, `${example.name}.json`),
      JSON.stringify({ name: example.name, 'http-request': request, 'http-response': response }, null, 2),
    );
  }
}

/** `specmatic test` with one configuration; its output is kept for the tally (and printed with --verbose). */
async function runSpecmatic(run: {
  readonly documentFile: string;
  readonly target: string;
  readonly examplesDir: string;
  readonly reportDir: string;
  readonly config: string;
  readonly adminToken: string;
}): Promise<{ code: number; output: string }> {
  const child = scratch.track(
    spawn(
      'java',
      [
        '-jar',
        SPECMATIC_JAR,
        'test',
        run.documentFile,
        `--config=${run.config}`,
        `--testBaseURL=${run.target}`,
        `--examples=${run.examplesDir}`,
        `--junitReportDir=${run.reportDir}`,
      ],
      {
        cwd: repoRoot,
        // The security scheme's token, for a request without one of its own (none, in strict mode).
        env: { ...process.env, bearerAuth: run.adminToken },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  );
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    if (values.verbose) process.stdout.write(chunk);
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (exit) => resolve(exit ?? 1)));
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}

interface Tally {
  run: number;
  positive: number;
  negative: number;
  passed: number;
  failed: number;
}

/** Counts from Specmatic's JUnit report; a negative test is one that expects a 4xx (`-ve`). */
async function countTests(reportDir: string): Promise<Tally> {
  const tally: Tally = { run: 0, positive: 0, negative: 0, passed: 0, failed: 0 };
  const files = (await readdir(reportDir).catch(() => [])).filter((file) => file.endsWith('.xml'));
  for (const file of files) {
    const xml = await readFile(join(reportDir, file), 'utf8');
    for (const match of xml.matchAll(
      /<testcase\b[^>]*?\sname="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g,
    )) {
      const name = (match[1] ?? '').replaceAll('&gt;', '>');
      tally.run += 1;
      if (/-ve\s+Scenario: /.test(name) || / -> 4xx /.test(name)) tally.negative += 1;
      else tally.positive += 1;
      if (/<(failure|error)\b/.test(match[3] ?? '')) tally.failed += 1;
      else tally.passed += 1;
    }
  }
  return tally;
}

interface Failure {
  readonly test: string;
  readonly operation: string;
  readonly negative: boolean;
  readonly status?: number;
  readonly reason: string;
  /** The request Specmatic sent and the answer it got. */
  readonly exchange: string;
}

/**
 * Each failed test of Specmatic's output: its name, the status the API answered, the reason Specmatic gives
 * and the exchange. Specmatic logs a test's request and answer before the line naming the test; the reason
 * follows that line.
 */
function failures(output: string): Failure[] {
  const found: Failure[] = [];
  const headers = [
    ...output.matchAll(
      /^(?:([+-]ve)\s+)?Scenario: ((\S+) (\S+)) -> (\S+) with (.*?) has (FAILED|SUCCEEDED)$/gm,
    ),
  ];
  headers.forEach((header, index) => {
    if (header[7] !== 'FAILED') return;
    const start = header.index;
    const previousEnd = index > 0 ? (headers[index - 1]?.index ?? 0) : 0;
    const before = output.slice(previousEnd, start);
    const exchangeAt = before.lastIndexOf('Request to ');
    const exchange = exchangeAt === -1 ? '' : before.slice(exchangeAt);
    const after = output.slice(start + header[0].length, headers[index + 1]?.index ?? output.length);
    const reason = after.split(/^\s*Request to /m)[0] ?? '';
    const status =
      /response contained status (\d{3})/.exec(reason)?.[1] ?? /but received (\d{3})/.exec(reason)?.[1];
    found.push({
      test: `${header[2]} -> ${header[5]} with ${header[6]}`.slice(0, 240),
      operation: `${header[3]} ${(header[4] ?? '').replace(/\((\w+):\w+\)/g, '{$1}')}`,
      negative: header[1] === '-ve' || header[5] === '4xx',
      ...(status ? { status: Number(status) } : {}),
      reason,
      exchange,
    });
  });
  return found;
}

interface Operation {
  readonly responses: Record<string, unknown>;
  readonly security?: Record<string, unknown>[];
}

/**
 * Whether a failure is the API's: it answered 5xx, or a status its operation does not document, or an
 * answer Specmatic found not to match the document (a breach under `>> RESPONSE.` other than the status),
 * or it accepted a negative request. Not the API's:
 * - a generated positive request answered with a documented 4xx: Specmatic invents values the API refuses
 *   by rules it states (an opaque `cursor`, a random `If-Match`, `status=DRAFT` without a token, the rules
 *   in the operations' descriptions), or a variation that left out `dryRun` wrote, so a later one found
 *   the state moved on;
 * - a "negative" request that only left out the token, on an operation open to anonymous callers
 *   (`security: [{}, …]`), answered 200: Specmatic reads the bearer scheme as required there.
 */
function attributable(failure: Failure, operations: Map<string, Operation>): boolean {
  const operation = operations.get(failure.operation);
  if (!operation) return true;
  const { status } = failure;
  const responseBreach = /^\s*>> RESPONSE\.(?!STATUS)/m.test(failure.reason);
  if (responseBreach) return true;
  if (status === undefined) return !/^\s*>> REQUEST[.[]/m.test(failure.reason);
  if (status >= 500 || !(String(status) in operation.responses)) return true;
  if (failure.negative) {
    const anonymousAllowed = operation.security?.some((requirement) => Object.keys(requirement).length === 0);
    const sentToken = /^\s*Authorization: Bearer /im.test(failure.exchange.split('Response at')[0] ?? '');
    return status < 400 && !(anonymousAllowed && !sentToken);
  }
  return status < 400;
}

function operationsOf(document: { paths: Record<string, Record<string, Operation>> }) {
  const operations = new Map<string, Operation>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods))
      operations.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return operations;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stdout.write(`session failed: ${(error as Error).stack}\n`);
} finally {
  await scratch.stop();
}
process.exit(code);
