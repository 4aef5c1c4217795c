import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runOps, usage } from '../../ops/commands.js';
import { healthCheckStates, runPlan, type RegionSwitchConfig } from '../../ops/region-switch.js';
import { freePort } from '../../local/dynamodb-local.js';

const run = async (argv: string[], dir = mkdtempSync(join(tmpdir(), 'ops-'))) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runOps(argv, { out: (t) => out.push(t), err: (t) => err.push(t), dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('npm run ops', () => {
  it('prints its usage on --help (exit 0) and with no arguments (exit 1)', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, out: usage, err: '' });
    expect(await run([])).toEqual({ code: 1, out: usage, err: '' });
    expect((await run(['drain'])).err).toBe(usage);
    expect((await run(['status', 'extra'])).code).toBe(1);
    expect(usage).toMatch(/drain <region>[\s\S]*restore <region>[\s\S]*status/);
  });

  it('says how to record the configuration when no file is there', async () => {
    for (const argv of [['status'], ['drain', 'ap-northeast-2']]) {
      const { code, out, err } = await run(argv);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toContain('ops/region-switch.example.json');
      expect(err).toContain('ops/arc-cluster.example.json');
      expect(err).toContain('RegionSwitchPlanArn');
    }
    expect((await run(['status', '--config', '/nonexistent/x.json'])).err).toMatch(/x\.json does not exist/);
  });
});

interface Seen {
  readonly endpointRegion: string;
  readonly target: string;
  readonly signedFor: string;
  readonly body: Record<string, unknown>;
}

/** Region switch's data plane in two Regions on 127.0.0.1, sharing one plan's executions. */
async function startFakeRegionSwitch(planArn: string) {
  const seen: Seen[] = [];
  const servers: Server[] = [];
  let reads = 0;
  const drained = new Set<string>();
  const listen = async (region: string) => {
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\/arc-region-switch\//.exec(
          String(req.headers.authorization),
        )?.[1];
        const body = JSON.parse(text) as Record<string, unknown>;
        seen.push({ endpointRegion: region, target, signedFor: signedFor ?? '', body });
        const answer = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(payload));
        };
        if ((body.planArn ?? body.arn) !== planArn) {
          answer(400, { __type: 'ResourceNotFoundException', message: 'no such plan' });
        } else if (target === 'ArcRegionSwitch.StartPlanExecution') {
          if (body.action === 'deactivate') drained.add(String(body.targetRegion));
          else drained.delete(String(body.targetRegion));
          answer(200, { executionId: 'exec-1', plan: planArn });
        } else if (target === 'ArcRegionSwitch.GetPlanExecution') {
          reads += 1;
          answer(200, {
            executionId: body.executionId,
            executionState: reads < 2 ? 'inProgress' : 'completed',
          });
        } else if (target === 'ArcRegionSwitch.ListRoute53HealthChecksInRegion') {
          answer(200, {
            healthChecks: ['ap-northeast-2', 'ap-northeast-1'].map((r) => ({
              region: r,
              healthCheckId: `hc-${r}`,
              status: drained.has(r) ? 'unhealthy' : 'healthy',
            })),
          });
        } else answer(400, { __type: 'UnknownOperationException', message: target });
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  };
  return {
    seen,
    endpoints: {
      'ap-northeast-2': await listen('ap-northeast-2'),
      'ap-northeast-1': await listen('ap-northeast-1'),
    },
    close: () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))),
  };
}

describe('the Region switch plan, through its data plane', async () => {
  const planArn = 'arn:aws:arc-region-switch::111111111111:plan/dsm-regions:abc123';
  const fake = await startFakeRegionSwitch(planArn);
  afterAll(() => fake.close());
  const options = {
    attemptTimeoutMs: 2000,
    pollMs: 10,
    polls: 5,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  };
  const config: RegionSwitchConfig = {
    planArn,
    regions: ['ap-northeast-2', 'ap-northeast-1'],
    endpoints: fake.endpoints,
  };

  it('drains a Region through the other Region of the plan, signed for it, and waits for the execution', async () => {
    fake.seen.length = 0;
    const result = await runPlan(config, 'ap-northeast-2', 'deactivate', options);
    expect(result).toMatchObject({
      region: 'ap-northeast-2',
      action: 'deactivate',
      state: 'completed',
      via: 'ap-northeast-1',
    });
    expect(fake.seen[0]).toEqual({
      endpointRegion: 'ap-northeast-1',
      target: 'ArcRegionSwitch.StartPlanExecution',
      signedFor: 'ap-northeast-1',
      body: { planArn, targetRegion: 'ap-northeast-2', action: 'deactivate' },
    });
    expect(fake.seen.slice(1).map((s) => s.target)).toEqual([
      'ArcRegionSwitch.GetPlanExecution',
      'ArcRegionSwitch.GetPlanExecution',
    ]);
    expect(await healthCheckStates(config, options)).toEqual([
      { region: 'ap-northeast-2', healthCheckId: 'hc-ap-northeast-2', status: 'unhealthy' },
      { region: 'ap-northeast-1', healthCheckId: 'hc-ap-northeast-1', status: 'healthy' },
    ]);
  });

  it('falls back to another Region when the first does not answer, and stops at a refusal', async () => {
    const down = `http://127.0.0.1:${await freePort()}/`;
    const halfDown = { ...config, endpoints: { ...fake.endpoints, 'ap-northeast-1': down } };
    fake.seen.length = 0;
    const result = await runPlan(halfDown, 'ap-northeast-2', 'activate', options);
    expect(result.via).toBe('ap-northeast-2');
    await expect(
      runPlan({ ...config, planArn: `${planArn}x` }, 'ap-northeast-1', 'activate', options),
    ).rejects.toThrow(/refused by ap-northeast-1: ResourceNotFoundException/);
    await expect(runPlan(config, 'us-east-1', 'activate', options)).rejects.toThrow(
      /not a Region of the plan/,
    );
  });

  it('is what `npm run ops` drives when ops/region-switch.json is recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-'));
    writeFileSync(join(dir, 'region-switch.json'), JSON.stringify(config));
    // The usual AWS credential chain, here from the environment.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const { code, out } = await run(['status'], dir).finally(() => vi.unstubAllEnvs());
    expect(code).toBe(0);
    expect(JSON.parse(out).healthChecks).toHaveLength(2);
  });
});
