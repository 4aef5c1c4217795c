import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ArcSwitchConfig,
  type ClusterEndpoint,
  loadArcSwitchConfig,
  readStates,
  type SwitchOptions,
  SwitchError,
  switchRegion,
} from '../../ops/routing-control.js';

const arn = (id: string) =>
  `arn:aws:route53-recovery-control::111111111111:controlpanel/0123456789abcdef0123456789abcdef/routingcontrol/${id}`;
const routingControls = {
  'ap-northeast-2': arn('seoul000000000000'),
  'ap-northeast-1': arn('tokyo000000000000'),
};

interface SeenCall {
  readonly endpointRegion: string;
  readonly operation: string;
  readonly signedFor: string;
  readonly path: string;
}

/**
 * A stand-in for one ARC cluster: five endpoints on 127.0.0.1 sharing one set of routing-control states, with
 * the safety rule "at least one ON", speaking the cluster's JSON protocol (`ToggleCustomerAPI.*`). One endpoint
 * is down (its port refuses connections) and one is slow (answers long after the client's timeout).
 */
async function startFakeCluster(slowMs: number) {
  const states = new Map<string, 'On' | 'Off'>(Object.values(routingControls).map((a) => [a, 'On']));
  const seen: SeenCall[] = [];
  const servers: Server[] = [];
  const listen = async (region: string, behaviour: 'healthy' | 'slow'): Promise<ClusterEndpoint> => {
    const server = createServer((req, res) => {
      readBody(req).then(async (body) => {
        const operation = String(req.headers['x-amz-target'] ?? '').replace('ToggleCustomerAPI.', '');
        const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization))?.[1];
        seen.push({ endpointRegion: region, operation, signedFor: signedFor ?? '', path: req.url ?? '' });
        if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, slowMs));
        const input = JSON.parse(body) as { RoutingControlArn: string; RoutingControlState?: 'On' | 'Off' };
        const answer = (status: number, payload: unknown) => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fake' });
          res.end(JSON.stringify(payload));
        };
        if (!states.has(input.RoutingControlArn)) {
          answer(404, { __type: 'ResourceNotFoundException', message: 'No such routing control' });
        } else if (operation === 'GetRoutingControlState') {
          answer(200, {
            RoutingControlArn: input.RoutingControlArn,
            RoutingControlState: states.get(input.RoutingControlArn),
          });
        } else if (operation === 'UpdateRoutingControlState' && input.RoutingControlState) {
          const after = new Map(states).set(input.RoutingControlArn, input.RoutingControlState);
          if (![...after.values()].includes('On')) {
            answer(409, {
              __type: 'ConflictException',
              message: 'Safety rule at-least-one-region-on failed',
            });
            return;
          }
          states.set(input.RoutingControlArn, input.RoutingControlState);
          answer(200, {});
        } else answer(400, { __type: 'ValidationException', message: `Unknown operation ${operation}` });
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, region };
  };

  const downServer = createServer();
  await new Promise<void>((resolve) => downServer.listen(0, '127.0.0.1', resolve));
  const down = {
    endpoint: `http://127.0.0.1:${(downServer.address() as AddressInfo).port}/v1`,
    region: 'us-east-1',
  };
  await new Promise<void>((resolve) => downServer.close(() => resolve()));

  const endpoints = {
    down,
    slow: await listen('ap-southeast-2', 'slow'),
    healthy: [await listen('eu-west-1', 'healthy'), await listen('us-west-2', 'healthy')],
    tokyo: await listen('ap-northeast-1', 'healthy'),
  };
  return {
    endpoints,
    states,
    seen,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe('drain and restore through the ARC cluster data plane', async () => {
  const cluster = await startFakeCluster(10_000);
  afterAll(() => cluster.close());
  const { down, slow, healthy, tokyo } = cluster.endpoints;
  // The unreachable and the slow endpoint first, as an unlucky shuffle would put them.
  const config: ArcSwitchConfig = {
    clusterEndpoints: [down, slow, ...healthy, tokyo],
    routingControls,
  };
  const options: SwitchOptions = {
    attemptTimeoutMs: 300,
    rounds: 2,
    roundPauseMs: 10,
    confirmReads: 3,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    order: (items) => [...items],
  };

  beforeEach(() => {
    for (const control of Object.values(routingControls)) cluster.states.set(control, 'On');
    cluster.seen.length = 0;
  });

  it('drains a Region past a down and a slow endpoint, and confirms the state it reads back', async () => {
    const result = await switchRegion(config, 'ap-northeast-2', 'Off', options);

    expect(result.state).toBe('Off');
    expect(result.states).toEqual({ 'ap-northeast-2': 'Off', 'ap-northeast-1': 'On' });
    expect(result.changedThrough).toEqual(healthy[0]);
    expect(cluster.states.get(routingControls['ap-northeast-2'])).toBe('Off');
    // The slow endpoint was asked and abandoned; the down one never answered.
    expect(cluster.seen.filter((call) => call.endpointRegion === slow.region).length).toBeGreaterThan(0);
    // Every endpoint was signed for its own Region, at the recorded URL (which already ends in /v1).
    for (const call of cluster.seen) {
      expect(call.signedFor).toBe(call.endpointRegion);
      expect(call.path).toBe('/v1/');
    }
  });

  it('restores a Region in a random endpoint order', async () => {
    cluster.states.set(routingControls['ap-northeast-1'], 'Off');
    const { order: _fixed, ...shuffling } = options;

    const result = await switchRegion(config, 'ap-northeast-1', 'On', shuffling);

    expect(result.states).toEqual({ 'ap-northeast-2': 'On', 'ap-northeast-1': 'On' });
  });

  it('stops at once, changing nothing, when the safety rule refuses to drain the last Region', async () => {
    cluster.states.set(routingControls['ap-northeast-1'], 'Off');

    const refused = switchRegion(config, 'ap-northeast-2', 'Off', options);

    await expect(refused).rejects.toBeInstanceOf(SwitchError);
    await expect(refused).rejects.toThrow(/ConflictException: Safety rule/);
    expect(await readStates(config, options)).toEqual({ 'ap-northeast-2': 'On', 'ap-northeast-1': 'Off' });
    // The slow endpoint was abandoned, the first healthy one refused, and no other endpoint was asked.
    expect(
      cluster.seen
        .filter((call) => call.operation === 'UpdateRoutingControlState')
        .map((c) => c.endpointRegion),
    ).toEqual([slow.region, healthy[0]?.region]);
  });

  it('gives up with every endpoint’s failure when none answers', async () => {
    const unreachable: ArcSwitchConfig = { clusterEndpoints: [down, slow], routingControls };

    const failed = switchRegion(unreachable, 'ap-northeast-2', 'Off', options);

    await expect(failed).rejects.toThrow(/no cluster endpoint answered/);
    await expect(failed).rejects.toSatisfy(
      (error: SwitchError) =>
        error.failures.length === 4 && error.failures.every((f) => /us-east-1|ap-southeast-2/.test(f)),
    );
  });

  it('names the Regions it knows when asked for another', async () => {
    await expect(switchRegion(config, 'eu-central-1', 'Off', options)).rejects.toThrow(
      'No routing control recorded for eu-central-1; known: ap-northeast-2, ap-northeast-1.',
    );
  });
});

describe('the recorded cluster configuration', () => {
  const write = (content: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), 'arc-')), 'arc-cluster.json');
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  it('reads the example the guide shows', () => {
    const config = loadArcSwitchConfig(
      join(import.meta.dirname, '..', '..', 'ops', 'arc-cluster.example.json'),
    );
    expect(config.clusterEndpoints).toHaveLength(5);
    expect(Object.keys(config.routingControls)).toEqual(['ap-northeast-2', 'ap-northeast-1']);
  });

  it('refuses endpoints without their Region', () => {
    const path = write({ clusterEndpoints: [{ endpoint: 'https://host.example.com/v1' }], routingControls });
    expect(() => loadArcSwitchConfig(path)).toThrow(/needs its "region"/);
  });
});
