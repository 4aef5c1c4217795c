/**
 * `npm run openapi:prism [-- --target URL --keys-dir DIR]`: a scripted session through Stoplight Prism as a
 * validating proxy in front of the local gateway. Prism (pinned, run with npx: 185 packages, 90 MB, for a
 * session run by hand, so not a devDependency; 5.14.2 because 5.16 needs Node 24) reads the document the
 * gateway serves at `/openapi.json`, forwards every call and checks the request and the answer against it,
 * reporting each violation in the answer's `sl-violations` header. The session walks the API as its callers
 * do (registration, a service through review into the catalog, a contract from request to completion, the
 * reads, conditional and keyed retries) and asks for the refusals too (400, 401, 403, 404, 409, 412, 415).
 *
 * Any violation in an answer fails the session. Violations of a request are expected only on the calls
 * that are malformed on purpose, and each of those must be refused by the API.
 *
 * Without `--target` it starts its own `npm start -- --empty` on a free port with its state in a temporary
 * directory (DynamoDB Local on a free port too), so it never touches a gateway someone else is running,
 * and stops it afterwards. With `--target`, `--keys-dir` names the `.local` directory of that gateway's
 * signing keys.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiClient, bearer, retryAfterMs } from './api-client/client.js';
import { freePort } from './dynamodb-local.js';
import { localStateDir, repoRoot } from './paths.js';
import { Scratch, waitFor } from './scratch.js';
import { localSigningKeys, mintToken } from './tokens.js';

const PRISM = '@stoplight/prism-cli@5.14.2';

interface Violation {
  readonly location?: string[];
  readonly severity?: string;
  readonly code?: string | number;
  readonly message?: string;
}

interface CallRecord {
  readonly label: string;
  readonly status: number;
  /** Malformed on purpose: request violations are expected, and the API must refuse it. */
  readonly malformed: boolean;
  readonly requestViolations: Violation[];
  readonly responseViolations: Violation[];
}

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    'keys-dir': { type: 'string' },
    output: { type: 'string' },
  },
  strict: true,
});

const scratch = new Scratch();

async function main(): Promise<number> {
  let target = values.target;
  let keysDir = values['keys-dir'] ?? localStateDir;
  if (!target) {
    keysDir = await scratch.directory('dsm-prism-');
    target = await scratch.startGateway(keysDir);
  }
  const documentFile = join(await scratch.directory('dsm-openapi-'), 'openapi.json');
  const served = await fetch(new URL('/openapi.json', target));
  await writeFile(documentFile, await served.text());
  const prismUrl = await startPrism(documentFile, target);
  process.stdout.write(`Prism ${PRISM} proxying ${prismUrl} → ${target}\n`);

  const calls = await session(prismUrl, keysDir);

  const report = summarise(calls);
  process.stdout.write(report.text);
  if (values.output) await writeFile(values.output, JSON.stringify({ ...report.figures, calls }, null, 2));
  return report.passed ? 0 : 1;
}

/** `prism proxy` in its own process group (npx starts Prism as a child), so it can be stopped whole. */
async function startPrism(documentFile: string, upstream: string): Promise<string> {
  const port = await freePort();
  const child = spawn(
    'npx',
    ['--yes', PRISM, 'proxy', documentFile, upstream, '--host', '127.0.0.1', '--port', String(port)],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  scratch.track(child);
  const url = `http://127.0.0.1:${port}`;
  // The first run downloads Prism into npm's cache.
  await waitFor(
    async () => (await fetch(new URL('/health', url)).catch(() => undefined)) !== undefined,
    180_000,
  );
  return url;
}

async function session(prismUrl: string, keysDir: string): Promise<CallRecord[]> {
  const keys = await localSigningKeys(keysDir);
  const token = (role: 'admin' | 'committee' | 'provider' | 'agency', org?: string) =>
    mintToken(keys, { sub: `prism-${role}`, role, ...(org ? { org } : {}) });
  // As a careful client: a 503 or 429 is sent again unchanged (its Idempotency-Key too) after Retry-After.
  const api = apiClient(prismUrl, { fetch: retrying });
  const calls: CallRecord[] = [];
  const run = Date.now().toString(36);
  /** Records a call's status and Prism's violations; returns the parsed answer. */
  const record = async <T extends { response: Response }>(
    label: string,
    call: Promise<T>,
    malformed = false,
  ): Promise<T> => {
    const answer = await call;
    const violations = JSON.parse(answer.response.headers.get('sl-violations') ?? '[]') as Violation[];
    const inResponse = (violation: Violation) => violation.location?.[0] === 'response';
    calls.push({
      label,
      status: answer.response.status,
      malformed,
      requestViolations: violations.filter((violation) => !inResponse(violation)),
      responseViolations: violations.filter(inResponse),
    });
    return answer;
  };
  /** A call the typed client cannot express, because it breaks the contract on purpose. */
  const raw = (label: string, path: string, init: RequestInit) =>
    record(
      label,
      fetch(new URL(path, prismUrl), init).then(async (response) => {
        await response.text();
        return { response };
      }),
      true,
    );
  const key = (name: string) => ({ 'Idempotency-Key': `prism-${run}-${name}` });

  await record('GET /health', api.GET('/health'));
  await record('GET /openapi.json', api.GET('/openapi.json', { parseAs: 'text' }));
  await record('GET /docs', api.GET('/docs', { parseAs: 'text' }));

  const admin = bearer(await token('admin'));
  const provider = await record(
    'POST /v1/providers',
    api.POST('/v1/providers', {
      headers: admin,
      params: { header: key('provider') },
      body: {
        name: '(주)프리즘클라우드',
        businessRegistrationNumber: '1248100998',
        contactEmail: 'p@prism.kr',
      },
    }),
  );
  const providerId = String(provider.data?.id);
  await record(
    'GET /v1/providers/{id} (anonymous)',
    api.GET('/v1/providers/{id}', { params: { path: { id: providerId } } }),
  );
  const agency = await record(
    'POST /v1/agencies',
    api.POST('/v1/agencies', {
      headers: admin,
      params: { header: key('agency') },
      body: { name: '프리즘 시청', institutionCode: '7100001', kind: 'LOCAL', network: 'INTERNET' },
    }),
  );
  const agencyId = String(agency.data?.id);
  const agencyAuth = bearer(await token('agency', agencyId));
  const providerAuth = bearer(await token('provider', providerId));
  const committee = bearer(await token('committee'));
  // The provider hears of its contracts at a receiver of its own (answering 204), subscribed up front.
  const receiver = await startReceiver();
  const webhook = await record(
    'POST /v1/webhooks',
    api.POST('/v1/webhooks', {
      headers: providerAuth,
      params: { header: key('webhook') },
      body: { url: receiver.url, types: ['contract.requested', 'contract.signed'] },
    }),
  );
  const webhookPath = { path: { id: String(webhook.data?.id) } };
  await record(
    'POST /v1/webhooks (private address: 400)',
    api.POST('/v1/webhooks', {
      headers: providerAuth,
      body: { url: 'https://10.0.0.8/hook', types: ['contract.requested'] },
    }),
  );
  await record(
    'GET /v1/agencies/{id}',
    api.GET('/v1/agencies/{id}', { headers: agencyAuth, params: { path: { id: agencyId } } }),
  );

  const created = await record(
    'POST /v1/services',
    api.POST('/v1/services', {
      headers: providerAuth,
      params: { header: key('service') },
      body: {
        name: '프리즘 문서 서비스',
        summary: '계약 검증용 클라우드 문서 서비스',
        category: 'SAAS',
        ai: false,
        networks: ['INTERNET'],
        csap: null,
        plans: [{ id: 'basic', name: '기본', unit: '월', unitPriceKrw: 100_000 }],
      },
    }),
  );
  const serviceId = String(created.data?.id);
  const service = { path: { id: serviceId } };
  await record(
    'PATCH /v1/services/{id} (If-Match)',
    api.PATCH('/v1/services/{id}', {
      headers: providerAuth,
      params: { ...service, header: { 'If-Match': `"${created.data?.version}"` } },
      body: { summary: '계약 검증용 클라우드 문서 서비스 (개정)' },
    }),
  );
  await record(
    'PATCH /v1/services/{id} (stale If-Match: 412)',
    api.PATCH('/v1/services/{id}', {
      headers: providerAuth,
      params: { ...service, header: { 'If-Match': `"${created.data?.version}"` } },
      body: { summary: '늦은 변경' },
    }),
  );
  await record(
    'POST /v1/services/{id}/submit',
    api.POST('/v1/services/{id}/submit', { headers: providerAuth, params: service }),
  );
  const sessionNumber = 700 + Math.floor(Math.random() * 90_000);
  const number = { path: { number: sessionNumber } };
  await record(
    'POST /v1/review-sessions',
    api.POST('/v1/review-sessions', {
      headers: committee,
      params: { header: key('session') },
      body: { number: sessionNumber, date: '2026-11-26' },
    }),
  );
  await record(
    'POST /v1/review-sessions/{number}/agenda',
    api.POST('/v1/review-sessions/{number}/agenda', {
      headers: committee,
      params: number,
      body: { serviceId },
    }),
  );
  await record(
    'POST /v1/review-sessions/{number}/decisions',
    api.POST('/v1/review-sessions/{number}/decisions', {
      headers: committee,
      params: number,
      body: { serviceId, decision: 'SELECTED', reason: '검증 통과' },
    }),
  );
  await record(
    'GET /v1/review-sessions/{number}',
    api.GET('/v1/review-sessions/{number}', { headers: committee, params: number }),
  );
  await record(
    'POST /v1/review-sessions/{number}/close',
    api.POST('/v1/review-sessions/{number}/close', { headers: committee, params: number }),
  );

  const read = await record(
    'GET /v1/services/{id} (anonymous)',
    api.GET('/v1/services/{id}', { params: service }),
  );
  await record(
    'GET /v1/services/{id} (If-None-Match: 304)',
    api.GET('/v1/services/{id}', {
      params: { ...service, header: { 'If-None-Match': read.response.headers.get('etag') ?? '' } },
    }),
  );
  await record(
    'GET /v1/services/{id}/versions (anonymous)',
    api.GET('/v1/services/{id}/versions', { params: service }),
  );
  await record(
    'GET /v1/services/{id}/versions/{version}',
    api.GET('/v1/services/{id}/versions/{version}', { params: { path: { id: serviceId, version: 1 } } }),
  );
  // The history is projected from the store's stream: revert once it holds version 1, as a client would.
  const versionOne = { path: { id: serviceId, version: 1 } };
  await waitFor(
    async () =>
      (await api.GET('/v1/services/{id}/versions/{version}', { params: versionOne })).response.status === 200,
  );
  await record(
    'POST /v1/services/{id}/revert (administrator, to version 1)',
    api.POST('/v1/services/{id}/revert', {
      headers: admin,
      params: { ...service, header: key('revert') },
      body: { toVersion: 1 },
    }),
  );
  await record('GET /v1/services (anonymous)', api.GET('/v1/services', { params: { query: { limit: 5 } } }));
  await record(
    'GET /v1/services?q= (search)',
    api.GET('/v1/services', { params: { query: { q: '프리즘 문서' } } }),
  );
  await record(
    'GET /v1/services?status=DRAFT (provider)',
    api.GET('/v1/services', { headers: providerAuth, params: { query: { status: 'DRAFT' } } }),
  );

  const contractBody = {
    serviceId,
    planId: 'basic',
    quantity: 2,
    months: 12,
    method: 'NEGOTIATED',
  } as const;
  const contract = await record(
    'POST /v1/contracts',
    api.POST('/v1/contracts', {
      headers: agencyAuth,
      params: { header: key('contract') },
      body: contractBody,
    }),
  );
  await record(
    'POST /v1/contracts (keyed retry: replayed)',
    api.POST('/v1/contracts', {
      headers: agencyAuth,
      params: { header: key('contract') },
      body: contractBody,
    }),
  );
  await record(
    'POST /v1/contracts (key reused with another body: 409)',
    api.POST('/v1/contracts', {
      headers: agencyAuth,
      params: { header: key('contract') },
      body: { ...contractBody, quantity: 3 },
    }),
  );
  const contractId = { path: { id: String(contract.data?.id) } };
  await record(
    'POST /v1/contracts/{id}/quote',
    api.POST('/v1/contracts/{id}/quote', {
      headers: providerAuth,
      params: { ...contractId, header: key('quote') },
      body: { amountKrw: 180_000 },
    }),
  );
  await record(
    'POST /v1/contracts/{id}/sign',
    api.POST('/v1/contracts/{id}/sign', {
      headers: agencyAuth,
      params: { ...contractId, header: key('sign') },
    }),
  );
  await record(
    'POST /v1/contracts/{id}/cancel (after signing: 409)',
    api.POST('/v1/contracts/{id}/cancel', { headers: agencyAuth, params: contractId }),
  );
  await record(
    'POST /v1/contracts/{id}/complete',
    api.POST('/v1/contracts/{id}/complete', { headers: agencyAuth, params: contractId }),
  );
  await record(
    'GET /v1/contracts/{id}',
    api.GET('/v1/contracts/{id}', { headers: agencyAuth, params: contractId }),
  );
  await record('GET /v1/contracts (agency)', api.GET('/v1/contracts', { headers: agencyAuth }));
  await record(
    'GET /v1/contracts?providerId= (admin)',
    api.GET('/v1/contracts', { headers: admin, params: { query: { providerId } } }),
  );

  // A procurement case from opening to its award, then the awarded contract's life after signing.
  const opened = await record(
    'POST /v1/cases',
    api.POST('/v1/cases', {
      headers: agencyAuth,
      params: { header: key('case') },
      body: { title: '프리즘 조달 사업', need: '문서 자동화', quantity: 2, months: 12, budgetKrw: 1_000_000 },
    }),
  );
  const caseId = { path: { id: String(opened.data?.id) } };
  await record(
    'POST /v1/cases/{id}/searches',
    api.POST('/v1/cases/{id}/searches', {
      headers: agencyAuth,
      params: caseId,
      body: { q: '프리즘', ai: true },
    }),
  );
  await record(
    'PATCH /v1/cases/{id} (shortlist)',
    api.PATCH('/v1/cases/{id}', {
      headers: agencyAuth,
      params: caseId,
      body: { shortlist: [{ serviceId, note: '유일한 후보' }] },
    }),
  );
  await record(
    'GET /v1/cases/{id}/comparison',
    api.GET('/v1/cases/{id}/comparison', { headers: agencyAuth, params: caseId }),
  );
  await record(
    'POST /v1/cases/{id}/snapshots',
    api.POST('/v1/cases/{id}/snapshots', { headers: agencyAuth, params: caseId }),
  );
  await record(
    'GET /v1/cases/{id}/snapshots/{number}',
    api.GET('/v1/cases/{id}/snapshots/{number}', {
      headers: agencyAuth,
      params: { path: { id: String(opened.data?.id), number: 1 } },
    }),
  );
  const asked = await record(
    'POST /v1/cases/{id}/quotes',
    api.POST('/v1/cases/{id}/quotes', {
      headers: agencyAuth,
      params: { ...caseId, header: key('quotes') },
      body: { requests: [{ serviceId, planId: 'basic' }], method: 'NEGOTIATED' },
    }),
  );
  const caseContract = { path: { id: String(asked.data?.contracts[0]?.id) } };
  await record(
    'POST /v1/contracts/{id}/quote (a case contract)',
    api.POST('/v1/contracts/{id}/quote', {
      headers: providerAuth,
      params: caseContract,
      body: { amountKrw: 200_000 },
    }),
  );
  await record(
    'POST /v1/contracts/{id}/sign (a case contract: 409)',
    api.POST('/v1/contracts/{id}/sign', { headers: agencyAuth, params: caseContract }),
  );
  await record(
    'POST /v1/cases/{id}/award',
    api.POST('/v1/cases/{id}/award', {
      headers: agencyAuth,
      params: caseId,
      body: { contractId: String(asked.data?.contracts[0]?.id) },
    }),
  );
  await record('GET /v1/cases/{id}', api.GET('/v1/cases/{id}', { headers: agencyAuth, params: caseId }));
  await record('GET /v1/cases (agency)', api.GET('/v1/cases', { headers: agencyAuth }));
  const unneeded = await record(
    'POST /v1/cases (to close)',
    api.POST('/v1/cases', {
      headers: agencyAuth,
      body: { title: '취소할 사업', need: '없음', quantity: 1, months: 1 },
    }),
  );
  await record(
    'POST /v1/cases/{id}/close',
    api.POST('/v1/cases/{id}/close', {
      headers: agencyAuth,
      params: { path: { id: String(unneeded.data?.id) } },
      body: { outcome: 'CANCELLED', reason: '사업 취소' },
    }),
  );
  await record(
    'POST /v1/contracts/{id}/amend',
    api.POST('/v1/contracts/{id}/amend', {
      headers: agencyAuth,
      params: caseContract,
      body: { months: 11, reason: '한 달 단축' },
    }),
  );
  await record(
    'POST /v1/contracts/{id}/renew',
    api.POST('/v1/contracts/{id}/renew', {
      headers: agencyAuth,
      params: { ...caseContract, header: key('renew') },
      body: { months: 12 },
    }),
  );
  await record(
    'POST /v1/contracts/{id}/terminate (scheduled)',
    api.POST('/v1/contracts/{id}/terminate', {
      headers: agencyAuth,
      params: caseContract,
      body: { reason: '사업 종료', effectiveAt: new Date(Date.now() + 40 * 86_400_000).toISOString() },
    }),
  );
  await record('GET /v1/stats', api.GET('/v1/stats'));
  // The audit feed is projected too.
  await waitFor(
    async () =>
      ((
        await api.GET('/v1/audit', {
          headers: admin,
          params: { query: { entity: 'contract', id: String(contract.data?.id) } },
        })
      ).data?.items.length ?? 0) > 0,
  );
  const events = await record(
    'GET /v1/audit?entity=&id=',
    api.GET('/v1/audit', {
      headers: admin,
      params: { query: { entity: 'contract', id: String(contract.data?.id) } },
    }),
  );
  await record(
    'GET /v1/audit?acknowledged=false (feed)',
    api.GET('/v1/audit', { headers: admin, params: { query: { acknowledged: 'false', limit: 5 } } }),
  );
  await record(
    'POST /v1/audit/{eventId}/acknowledge',
    api.POST('/v1/audit/{eventId}/acknowledge', {
      headers: admin,
      params: { path: { eventId: String(events.data?.items[0]?.id) } },
    }),
  );

  // Events and webhooks: the provider's feed, its subscription and the deliveries the contract made.
  await record('GET /v1/webhooks', api.GET('/v1/webhooks', { headers: providerAuth }));
  await record(
    'GET /v1/webhooks/{id}',
    api.GET('/v1/webhooks/{id}', { headers: providerAuth, params: webhookPath }),
  );
  await record(
    'PATCH /v1/webhooks/{id}',
    api.PATCH('/v1/webhooks/{id}', {
      headers: providerAuth,
      params: webhookPath,
      body: { types: ['contract.requested', 'contract.signed', 'contract.completed'] },
    }),
  );
  await waitFor(async () => receiver.received() > 0);
  const feed = await record(
    'GET /v1/events',
    api.GET('/v1/events', { headers: providerAuth, params: { query: { limit: 5 } } }),
  );
  await record(
    'GET /v1/events?after=next',
    api.GET('/v1/events', {
      headers: providerAuth,
      params: { query: { limit: 5, after: String(feed.data?.next) } },
    }),
  );
  await record(
    'GET /v1/events?type=',
    api.GET('/v1/events', { headers: providerAuth, params: { query: { type: 'contract.signed' } } }),
  );
  const deliveries = await record(
    'GET /v1/webhooks/{id}/deliveries',
    api.GET('/v1/webhooks/{id}/deliveries', {
      headers: providerAuth,
      params: { ...webhookPath, query: { status: 'delivered' } },
    }),
  );
  await record(
    'POST /v1/webhooks/{id}/deliveries/{eventId}/redeliver',
    api.POST('/v1/webhooks/{id}/deliveries/{eventId}/redeliver', {
      headers: providerAuth,
      params: { path: { ...webhookPath.path, eventId: String(deliveries.data?.items[0]?.eventId) } },
    }),
  );
  await record(
    'GET /v1/webhooks/{id} (agency: 404)',
    api.GET('/v1/webhooks/{id}', { headers: agencyAuth, params: webhookPath }),
  );
  await receiver.close();

  // No token where the document requires one: Prism reports the request, the API must refuse it.
  await record(
    'GET /v1/agencies/{id} (anonymous: 401)',
    api.GET('/v1/agencies/{id}', { params: { path: { id: agencyId } } }),
    true,
  );
  await record(
    'GET /v1/agencies/{id} (provider: 403)',
    api.GET('/v1/agencies/{id}', { headers: providerAuth, params: { path: { id: agencyId } } }),
  );
  await record(
    'GET /v1/services/{id} (unknown: 404)',
    api.GET('/v1/services/{id}', { params: { path: { id: 'svc_nosuchservice' } } }),
  );
  await record(
    'POST /v1/contracts/{id}/quote (unknown contract: 404)',
    api.POST('/v1/contracts/{id}/quote', {
      headers: providerAuth,
      params: { path: { id: 'ctr_nosuchcontract' } },
      body: { amountKrw: 1 },
    }),
  );

  const json = { 'content-type': 'application/json' };
  await raw('POST /v1/contracts (malformed body: 400)', '/v1/contracts', {
    method: 'POST',
    headers: { ...agencyAuth, ...json, 'idempotency-key': `prism-${run}-bad` },
    body: JSON.stringify({ ...contractBody, quantity: '2', extra: true }),
  });
  await raw('POST /v1/services (not JSON: 415)', '/v1/services', {
    method: 'POST',
    headers: { ...providerAuth, 'content-type': 'text/plain' },
    body: 'name=x',
  });
  await raw(
    'POST /v1/services/{id}/withdraw?force=true (unknown query: 400)',
    `/v1/services/${serviceId}/withdraw?force=true`,
    {
      method: 'POST',
      headers: providerAuth,
    },
  );
  await raw('GET /v1/audit?acknowledged=maybe (400)', '/v1/audit?acknowledged=maybe', { headers: admin });
  await raw('POST /v1/contracts without Idempotency-Key (400)', '/v1/contracts', {
    method: 'POST',
    headers: { ...agencyAuth, ...json },
    body: JSON.stringify(contractBody),
  });
  return calls;
}

/** A webhook receiver on 127.0.0.1 (allowed locally) that answers 204 and counts what it got. */
async function startReceiver() {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function retrying(request: Request): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(request.clone());
    if ((response.status !== 503 && response.status !== 429) || attempt === 5) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, Math.max(retryAfterMs(response), 250)));
  }
}

function summarise(calls: CallRecord[]) {
  const lines: string[] = [];
  let responseViolations = 0;
  let unexpectedRequestViolations = 0;
  let malformedAccepted = 0;
  for (const call of calls) {
    responseViolations += call.responseViolations.length;
    if (!call.malformed) unexpectedRequestViolations += call.requestViolations.length;
    if (call.malformed && call.status < 400) malformedAccepted += 1;
    const notes = [
      ...call.responseViolations.map((v) => `RESPONSE VIOLATION ${v.location?.join('.')}: ${v.message}`),
      ...call.requestViolations.map(
        (v) =>
          `${call.malformed ? 'request (on purpose)' : 'REQUEST VIOLATION'} ${v.location?.join('.')}: ${v.message}`,
      ),
    ];
    lines.push(`${String(call.status).padEnd(4)}${call.label}`);
    for (const note of notes) lines.push(`      ${note}`);
  }
  const statuses = [...new Set(calls.map((call) => call.status))].sort();
  const figures = {
    calls: calls.length,
    malformedOnPurpose: calls.filter((call) => call.malformed).length,
    statuses,
    responseViolations,
    unexpectedRequestViolations,
    malformedAccepted,
  };
  const passed = responseViolations === 0 && unexpectedRequestViolations === 0 && malformedAccepted === 0;
  lines.push(
    '',
    `${figures.calls} calls replayed through Prism (${figures.malformedOnPurpose} malformed on purpose), statuses ${statuses.join(', ')}`,
    `violations in answers: ${responseViolations}; in well-formed requests: ${unexpectedRequestViolations}; malformed requests the API accepted: ${malformedAccepted}`,
    passed ? 'PASSED' : 'FAILED',
    '',
  );
  return { text: lines.join('\n'), figures, passed };
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
