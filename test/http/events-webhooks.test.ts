import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../functions/adapters/dynamodb/client.js';
import { entityKey } from '../../functions/adapters/dynamodb/entity-store.js';
import { Projector } from '../../functions/adapters/dynamodb/projector.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventFeed } from '../../functions/adapters/dynamodb/event-feed.js';
import { DynamoWebhookStore } from '../../functions/adapters/dynamodb/webhook-store.js';
import { HttpWebhookSender } from '../../functions/adapters/webhook-http.js';
import type { WebhookRequest, WebhookResponse } from '../../functions/domain/event-ports.js';
import type { MarketEvent } from '../../functions/domain/events.js';
import {
  attemptDelivery,
  DELIVERY_LEASE_MS,
  type DeliveryPorts,
} from '../../functions/domain/webhook-delivery.js';
import { pendingDelivery } from '../../functions/domain/event-ports.js';
import { rejectsWithoutWriting } from '../support/assertions.js';
import { createAgency, createProvider, seedService } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook receiver on 127.0.0.1 that records what it gets and answers `status` (changeable). */
async function startReceiver() {
  const received: Received[] = [];
  const state = { status: 204 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `check` passes (deliveries and the feed follow the request a moment later). */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

let api: TestApi;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let providerId: string;
let otherProviderId: string;
let agencyId: string;
let otherAgencyId: string;
let serviceId: string;

beforeAll(async () => {
  api = await startTestApi();
  receiver = await startReceiver();
  providerId = await createProvider(api, '711000001');
  otherProviderId = await createProvider(api, '711000002');
  agencyId = await createAgency(api, '7110001');
  otherAgencyId = await createAgency(api, '7110002');
  serviceId = (await seedService(api, providerId)).id;
});
afterAll(async () => {
  await receiver?.close();
  await api?.stop();
});

const subscribe = async (role: 'agency' | 'provider', org: string, types: string[], url = receiver.url) => {
  const res = await api.call('POST', '/v1/webhooks', {
    token: await api.token(role, org),
    body: { url, types },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string };
};

const requestContract = async (key: string) => {
  const res = await api.call('POST', '/v1/contracts', {
    token: await api.token('agency', agencyId),
    body: { serviceId, planId: 'basic', quantity: 2, months: 12, method: 'CATALOG' },
    headers: { 'idempotency-key': key },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

const feedOf = async (role: 'agency' | 'provider' | 'admin', org?: string, query = '') =>
  (await api.call('GET', `/v1/events${query}`, { token: await api.token(role, org) })).body as {
    items: MarketEvent[];
    next: string;
  };

describe('subscriptions', () => {
  it('refuses every address the rules do not allow, at create and at PATCH, writing nothing', async () => {
    const token = await api.token('provider', providerId);
    for (const url of [
      'https://10.0.0.8/hook',
      'https://169.254.169.254/latest',
      'https://[::1]/hook',
      'http://192.168.1.1/hook',
      'http://localhost/hook',
      'ftp://127.0.0.1/hook',
    ]) {
      const res = await rejectsWithoutWriting(
        api,
        'POST',
        '/v1/webhooks',
        { token, body: { url, types: ['contract.requested'] } },
        400,
      );
      expect(res.body.errors[0].path).toBe('/url');
    }
    const { id } = await subscribe('provider', providerId, ['service.updated']);
    await rejectsWithoutWriting(
      api,
      'PATCH',
      `/v1/webhooks/${id}`,
      { token, body: { url: 'https://172.16.0.1/' } },
      400,
    );
  });

  it('shows the secret only in the create’s answer, never in reads, lists, the audit feed or any projection', async () => {
    const created = await subscribe('provider', providerId, ['contract.quoted']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const token = await api.token('provider', providerId);
    const read = await api.call('GET', `/v1/webhooks/${created.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      id: created.id,
      org: providerId,
      url: receiver.url,
      types: ['contract.quoted'],
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      version: 1,
    });
    const list = await api.call('GET', '/v1/webhooks', { token });
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain(created.id);
    const patched = await api.call('PATCH', `/v1/webhooks/${created.id}`, {
      token,
      body: { enabled: false },
    });
    expect(patched.body).toMatchObject({ enabled: false, version: 2 });
    await api.settle();
    const audit = await api.call('GET', '/v1/audit?limit=100', { token: await api.token('admin') });
    const secretPart = created.secret.slice('whsec_'.length);
    expect(JSON.stringify([read.body, list.body, patched.body, audit.body])).not.toContain(secretPart);
    const projections = (await api.snapshot()).filter((item) => item.includes('-projections '));
    expect(projections.join('\n')).not.toContain(secretPart);
  });

  it('keeps each organisation to its own subscriptions; administrators name the org', async () => {
    const own = await subscribe('provider', providerId, ['contract.signed']);
    const other = await api.token('provider', otherProviderId);
    expect((await api.call('GET', `/v1/webhooks/${own.id}`, { token: other })).status).toBe(404);
    expect((await api.call('GET', `/v1/webhooks/${own.id}/deliveries`, { token: other })).status).toBe(404);
    const foreign = await api.call('POST', '/v1/webhooks', {
      token: other,
      body: { url: receiver.url, types: ['contract.signed'], org: providerId },
    });
    expect(foreign.status).toBe(403);
    const admin = await api.token('admin');
    expect((await api.call('GET', `/v1/webhooks/${own.id}`, { token: admin })).status).toBe(200);
    expect((await api.call('GET', '/v1/webhooks', { token: admin })).status).toBe(400);
    const listed = await api.call('GET', `/v1/webhooks?org=${providerId}`, { token: admin });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(own.id);
  });

  it('answers dry runs of a create and a PATCH as the real calls would, and writes nothing', async () => {
    const token = await api.token('provider', providerId);
    const { id } = await subscribe('provider', providerId, ['service.listed']);
    await api.settle();
    const before = await api.snapshot();
    const dry = await api.call('POST', '/v1/webhooks?dryRun=true', {
      token,
      body: { url: receiver.url, types: ['service.listed'] },
    });
    expect(dry.status).toBe(201);
    expect(dry.headers.get('dry-run')).toBe('true');
    expect(dry.body).toMatchObject({ org: providerId, enabled: true, version: 1 });
    const patch = await api.call('PATCH', `/v1/webhooks/${id}?dryRun=true`, {
      token,
      body: { enabled: false },
    });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ id, enabled: false, version: 2 });
    const refused = await api.call('POST', '/v1/webhooks?dryRun=true', {
      token,
      body: { url: 'https://10.1.1.1/', types: ['service.listed'] },
    });
    expect(refused.status).toBe(400);
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('replays a create with the same Idempotency-Key, and refuses the key with another body', async () => {
    const options = {
      token: await api.token('agency', agencyId),
      body: { url: receiver.url, types: ['contract.quoted'] },
      headers: { 'idempotency-key': 'hook-1' },
    };
    const first = await api.call('POST', '/v1/webhooks', options);
    const again = await api.call('POST', '/v1/webhooks', options);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const reused = await api.call('POST', '/v1/webhooks', {
      ...options,
      body: { url: receiver.url, types: ['contract.signed'] },
    });
    expect(reused.status).toBe(409);
  });
});

describe('events and deliveries', () => {
  it('delivers a signed contract.requested to the provider’s receiver, and files it in both parties’ feeds', async () => {
    const { id: subscriptionId, secret } = await subscribe('provider', providerId, ['contract.requested']);
    const contractId = await requestContract('evt-1');
    const eventId = `contract:${contractId}:v1`;
    const got = await eventually(
      () => receiver.received.find((r) => r.headers['webhook-id'] === eventId),
      'the delivery',
    );
    // What the receiver got verifies with the library's own verifier and the secret the create answered.
    const verified = new Webhook(secret).verify(
      got.body,
      got.headers as Record<string, string>,
    ) as MarketEvent;
    expect(verified).toMatchObject({
      id: eventId,
      type: 'contract.requested',
      entity: 'contract',
      entityId: contractId,
      version: 1,
      data: { id: contractId, status: 'REQUESTED', agencyId, providerId },
    });
    expect([...verified.orgs].sort()).toEqual([agencyId, providerId].sort());
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
        got.body,
        got.headers as Record<string, string>,
      ),
    ).toThrow();
    const deliveries = await eventually(async () => {
      const res = await api.call('GET', `/v1/webhooks/${subscriptionId}/deliveries?status=delivered`, {
        token: await api.token('provider', providerId),
      });
      return res.body.items.length ? res.body.items : undefined;
    }, 'the delivery record');
    expect(deliveries).toEqual([
      {
        eventId,
        type: 'contract.requested',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
        lastAttemptAt: expect.any(String),
        nextAttemptAt: null,
      },
    ]);
    for (const [role, org] of [
      ['agency', agencyId],
      ['provider', providerId],
    ] as const) {
      const feed = await eventually(async () => {
        const page = await feedOf(role, org, '?type=contract.requested&limit=100');
        return page.items.some((e) => e.id === eventId) ? page : undefined;
      }, `${role}'s feed`);
      expect(feed.next).toEqual(expect.any(String));
    }
    expect((await feedOf('agency', otherAgencyId)).items.map((e) => e.id)).not.toContain(eventId);
    expect((await feedOf('provider', otherProviderId)).items.map((e) => e.id)).not.toContain(eventId);
    const all = await feedOf('admin', undefined, '?limit=100');
    expect(all.items.map((e) => e.id)).toContain(eventId);
    await api.settle();
    const before = await api.snapshot();
    const dry = await api.call(
      'POST',
      `/v1/webhooks/${subscriptionId}/deliveries/${encodeURIComponent(eventId)}/redeliver?dryRun=true`,
      { token: await api.token('provider', providerId) },
    );
    expect(dry.status).toBe(202);
    expect(dry.body).toMatchObject({ eventId, status: 'pending' });
    await api.settle();
    expect(await api.snapshot()).toEqual(before);
  });

  it('resumes the feed from next, oldest first, and always gives next, even after an empty page', async () => {
    const token = await api.token('agency', agencyId);
    const first = await requestContract('evt-feed-1');
    const second = await requestContract('evt-feed-2');
    const ids = [`contract:${first}:v1`, `contract:${second}:v1`];
    const collected: string[] = [];
    let after: string | undefined;
    await eventually(async () => {
      const res = await api.call('GET', `/v1/events?limit=1${after ? `&after=${after}` : ''}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.next).toEqual(expect.any(String));
      collected.push(...res.body.items.map((e: MarketEvent) => e.id));
      after = res.body.next;
      return ids.every((id) => collected.includes(id)) || undefined;
    }, 'both events through the cursor');
    expect(new Set(collected).size).toBe(collected.length);
    // The feed is in the order this Region filed the events (arrival, so that a cursor never skips one
    // that arrives late), which two contracts' stream records need not keep: page by page, it is the order
    // of one read from the start.
    const whole = await api.call('GET', '/v1/events?limit=100', { token });
    expect(
      whole.body.items.map((e: MarketEvent) => e.id).filter((id: string) => collected.includes(id)),
    ).toEqual(collected);
    const empty = await api.call('GET', `/v1/events?after=${after}`, { token });
    expect(empty.body.items).toEqual([]);
    expect(empty.body.next).toEqual(expect.any(String));
    const foreign = await api.call('GET', `/v1/events?org=${providerId}`, { token });
    expect(foreign.status).toBe(403);
  });

  it('tells agencies with an ACTIVE contract on a service when it is suspended', async () => {
    const admin = await api.token('admin');
    const contractId = await requestContract('evt-active');
    const provider = await api.token('provider', providerId);
    const agency = await api.token('agency', agencyId);
    expect(
      (
        await api.call('POST', `/v1/contracts/${contractId}/quote`, {
          token: provider,
          body: { amountKrw: 1000 },
        })
      ).status,
    ).toBe(200);
    expect((await api.call('POST', `/v1/contracts/${contractId}/sign`, { token: agency })).status).toBe(200);
    await api.settle();
    const suspended = await api.call('POST', `/v1/services/${serviceId}/suspend`, { token: admin });
    expect(suspended.status).toBe(200);
    const eventId = `service:${serviceId}:v${suspended.body.version}`;
    const event = await eventually(
      async () =>
        (await feedOf('agency', agencyId, '?type=service.suspended')).items.find((e) => e.id === eventId),
      'the suspension in the agency’s feed',
    );
    expect([...event.orgs].sort()).toEqual([agencyId, providerId].sort());
    expect((await feedOf('agency', otherAgencyId, '?type=service.suspended')).items).toEqual([]);
    await api.call('POST', `/v1/services/${serviceId}/reinstate`, { token: admin });
  });

  it('retries a failing receiver until it answers, and redelivers on request', async () => {
    const { id: subscriptionId } = await subscribe('agency', agencyId, ['contract.cancelled']);
    const token = await api.token('agency', agencyId);
    receiver.state.status = 500;
    const contractId = await requestContract('evt-fail');
    expect((await api.call('POST', `/v1/contracts/${contractId}/cancel`, { token })).status).toBe(200);
    const eventId = `contract:${contractId}:v2`;
    const failing = await eventually(async () => {
      const res = await api.call('GET', `/v1/webhooks/${subscriptionId}/deliveries?status=pending`, {
        token,
      });
      return res.body.items.find((d: { attempts: number }) => d.attempts >= 1);
    }, 'a failed attempt');
    expect(failing).toMatchObject({ eventId, status: 'pending', lastStatusCode: 500 });
    receiver.state.status = 200;
    // The retry after about 5 s finds the receiver answering.
    const delivered = await eventually(async () => {
      const res = await api.call('GET', `/v1/webhooks/${subscriptionId}/deliveries?status=delivered`, {
        token,
      });
      return res.body.items.find((d: { eventId: string }) => d.eventId === eventId);
    }, 'the retry');
    expect(delivered).toMatchObject({ lastStatusCode: 200, nextAttemptAt: null });
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
    const before = receiver.received.filter((r) => r.headers['webhook-id'] === eventId).length;
    const again = await api.call(
      'POST',
      `/v1/webhooks/${subscriptionId}/deliveries/${encodeURIComponent(eventId)}/redeliver`,
      { token },
    );
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ eventId, status: 'pending' });
    await eventually(
      () => receiver.received.filter((r) => r.headers['webhook-id'] === eventId).length > before || undefined,
      'the redelivery',
    );
    const unknown = await api.call(
      'POST',
      `/v1/webhooks/${subscriptionId}/deliveries/contract:ctr_nope:v1/redeliver`,
      { token },
    );
    expect(unknown.status).toBe(404);
  });
});

describe('the daily job', () => {
  it('files service.selection_expiring and service.csap_expiring for the provider once, however often it runs', async () => {
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const service = await seedService(api, otherProviderId, {
      selection: { sessionNumber: 62, decidedAt: new Date().toISOString(), validUntil: inDays(20) },
      csap: { grade: 'LOW', certificateNumber: 'CSAP-E-1', validUntil: inDays(5) },
    });
    await api.settle();
    const { handler } = await import('../../functions/handlers/selection-expiry.js');
    await handler();
    await handler();
    const ids = [
      `service:${service.id}:selection-${inDays(20)}:expiring-30d`,
      `service:${service.id}:csap-${inDays(5)}:expiring-7d`,
    ];
    const feed = await eventually(async () => {
      const page = await feedOf('provider', otherProviderId, '?limit=100');
      return ids.every((id) => page.items.some((e) => e.id === id)) ? page : undefined;
    }, 'the expiry notices');
    expect(
      feed.items
        .filter((e) => ids.includes(e.id))
        .map((e) => e.type)
        .sort(),
    ).toEqual(['service.csap_expiring', 'service.selection_expiring']);
    expect((await feedOf('agency', agencyId, '?type=service.csap_expiring')).items).toEqual([]);
  });
});

describe('delivery across Regions', () => {
  /** A Region's delivery ports on the shared tables, with a clock and an answer the test decides. */
  const ports = (region: string, clock: { now: Date }, answer: () => WebhookResponse) => {
    const db = DynamoDBDocumentClient.from(api.region.client);
    const webhooks = new DynamoWebhookStore(db);
    const sends: string[] = [];
    const requests: WebhookRequest[] = [];
    const deliveryPorts: DeliveryPorts = {
      webhooks,
      feed: new DynamoEventFeed(db, webhooks),
      sender: {
        send: async (request) => {
          sends.push(`${region} ${request.headers['webhook-id']}`);
          requests.push(request);
          return answer();
        },
      },
      region,
      now: () => clock.now,
      random: () => 0.5,
    };
    return { ports: deliveryPorts, sends, requests, webhooks };
  };

  /** A delivery due far ahead of the real clock, so only the test's own Regions (and clocks) touch it. */
  async function openFutureDelivery(name: string) {
    const { id, secret } = await subscribe('agency', agencyId, ['contract.requested']);
    const start = new Date('2031-01-01T00:00:00.000Z');
    const event: MarketEvent = {
      id: `contract:ctr_${name}:v1`,
      type: 'contract.requested',
      at: start.toISOString(),
      entity: 'contract',
      entityId: `ctr_${name}`,
      version: 1,
      orgs: [agencyId],
      data: { id: `ctr_${name}`, agencyId },
    };
    const store = new DynamoWebhookStore(DynamoDBDocumentClient.from(api.region.client));
    await store.openDelivery(pendingDelivery({ id, org: agencyId }, event, start));
    return { key: { subscriptionId: id, eventId: event.id }, start, store, secret };
  }

  it('backs off about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then 2 h, and fails after 24 hours', async () => {
    const { key, start, store } = await openFutureDelivery('backoff');
    const clock = { now: start };
    const seoul = ports('ap-northeast-2', clock, () => ({ statusCode: 503 }));
    const gaps: number[] = [];
    for (;;) {
      const delivery = await attemptDelivery(seoul.ports, key);
      expect(delivery).toBeDefined();
      if (delivery?.status === 'failed') break;
      const next = Date.parse(delivery?.nextAttemptAt ?? '');
      gaps.push(next - clock.now.getTime());
      // Not due a moment before its time: nothing is sent.
      clock.now = new Date(next - 1);
      expect(await attemptDelivery(seoul.ports, key)).toBeUndefined();
      clock.now = new Date(next);
    }
    expect(gaps.slice(0, 8)).toEqual([
      5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 7_200_000,
    ]);
    expect(clock.now.getTime() - start.getTime()).toBeLessThanOrEqual(86_400_000);
    const failed = await store.getDelivery(key);
    expect(failed).toMatchObject({ status: 'failed', nextAttemptAt: null, lastStatusCode: 503 });
    expect(failed?.attempts).toBe(seoul.sends.length);
  });

  it('signs the timestamp it sends, however the clock moves between two readings', async () => {
    const { key, start, secret } = await openFutureDelivery('signed');
    // A clock a second further on at every reading: any two readings fall in different seconds.
    let readings = 0;
    const clock = {
      get now() {
        return new Date(start.getTime() + 1_000 * readings++);
      },
    };
    const seoul = ports('ap-northeast-2', clock, () => ({ statusCode: 200 }));
    expect(await attemptDelivery(seoul.ports, key)).toMatchObject({ status: 'delivered' });
    const [request] = seoul.requests;
    const sentAt = new Date(Number(request?.headers['webhook-timestamp']) * 1000);
    expect(request?.headers['webhook-signature']).toBe(
      new Webhook(secret).sign(key.eventId, sentAt, request?.body ?? ''),
    );
  });

  it('sends once when both Regions try the same delivery, and the other takes over only an expired lease', async () => {
    const { key, start, store } = await openFutureDelivery('twice');
    const clock = { now: start };
    const seoul = ports('ap-northeast-2', clock, () => ({ statusCode: 200 }));
    const tokyo = ports('ap-northeast-1', clock, () => ({ statusCode: 200 }));
    const results = await Promise.all([attemptDelivery(seoul.ports, key), attemptDelivery(tokyo.ports, key)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect([...seoul.sends, ...tokyo.sends]).toHaveLength(1);

    // Seoul claims a second delivery and dies before sending: Tokyo waits for the lease to run out.
    const orphan = await openFutureDelivery('orphan');
    expect(
      await store.claim(orphan.key, { owner: 'ap-northeast-2', now: start, leaseMs: DELIVERY_LEASE_MS }),
    ).toBeDefined();
    clock.now = new Date(start.getTime() + DELIVERY_LEASE_MS - 1);
    expect(await attemptDelivery(tokyo.ports, orphan.key)).toBeUndefined();
    clock.now = new Date(start.getTime() + DELIVERY_LEASE_MS + 1);
    expect(await attemptDelivery(tokyo.ports, orphan.key)).toMatchObject({ status: 'delivered' });
  });

  it('two Regions projecting the same stream records deliver each change once', async () => {
    await subscribe('agency', agencyId, ['contract.requested']);
    const contractId = await requestContract('evt-two-regions');
    const eventId = `contract:${contractId}:v1`;
    // This Region's own projector and delivery function have handled the change; a second projector and
    // delivery worker (the other Region) now see the same records and the same delivery.
    await eventually(
      () => receiver.received.some((r) => r.headers['webhook-id'] === eventId) || undefined,
      'the first delivery',
    );
    const db = DynamoDBDocumentClient.from(api.region.client);
    const key = entityKey('contract', contractId);
    const { Item } = await db.send(new GetCommand({ TableName: tableName('ledger'), Key: key }));
    await new Projector(db).project([{ key, newImage: Item ?? {} }]);
    const tokyo = ports('ap-northeast-1', { now: new Date() }, () => ({ statusCode: 200 }));
    const sender = new HttpWebhookSender();
    const store = new DynamoWebhookStore(db);
    // Both parties hear of a contract: every subscription of either that wants the type gets one copy.
    const subscriptions = [...(await store.allOf(agencyId)), ...(await store.allOf(providerId))];
    await Promise.all([
      api.region.deliverDue(),
      ...subscriptions.map((subscription) =>
        attemptDelivery({ ...tokyo.ports, sender }, { subscriptionId: subscription.id, eventId }),
      ),
    ]);
    const wanting = subscriptions.filter((s) => s.enabled && s.types.includes('contract.requested'));
    const copies = () => receiver.received.filter((r) => r.headers['webhook-id'] === eventId).length;
    await eventually(() => copies() >= wanting.length || undefined, 'a copy for every subscription');
    await api.region.deliverDue();
    expect(copies()).toBe(wanting.length);
  });
});
