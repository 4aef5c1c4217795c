import { describe, expect, it } from 'vitest';
import { type DrillOptions, type DrillReport, runDrill } from '../../local/drill/drill.js';

/** Short drills: five seconds of load, the fault after 1.5 s, healed after 3.5 s, a quick front. */
const short = (scenario: DrillOptions['scenario']): DrillOptions => ({
  scenario,
  mode: 'strong',
  durationMs: 5000,
  faultAtMs: 1500,
  healAtMs: 3500,
  rate: 4,
  lagMs: 0,
  storeLatencyMs: 1500,
  probeIntervalMs: 300,
  failureThreshold: 2,
});

/** What every strong drill must show: nothing acknowledged lost or doubled, nobody left waiting. */
function expectSafe(report: DrillReport): void {
  expect(report.acknowledged).toBeGreaterThan(20);
  expect(report.lost).toBe(0);
  expect(report.missingAtFailover).toBe(0);
  expect(report.duplicates).toBe(0);
  // Every version of every load contract reached both parties' receiver, correctly signed.
  expect(report.events.expected).toBeGreaterThan(0);
  expect(report.events.missing).toBe(0);
  expect(report.events.badSignatures, report.events.refusals.join('; ')).toBe(0);
  expect(report.hung).toBe(0);
  expect(report.converged).toBe(true);
  expect(report.flows.failed).toBe(0);
  expect(report.flows.completed).toBe(report.flows.started);
}

// One file, so the drills (each two DynamoDB Locals and two gateways) run one after another.
describe('disaster-recovery drills (short, strong mode)', () => {
  it(
    'kill: a Region killed under load loses and duplicates no acknowledged write',
    { timeout: 150_000 },
    async () => {
      const { report } = await runDrill(short('kill'));
      expectSafe(report);
      expect(report.rtoMs).not.toBeNull();
      // The client saw the fire (connections refused or reset) and got through it.
      expect(Object.keys(report.errors).length).toBeGreaterThan(0);
    },
  );

  it('stall: a stopped store costs answers, not hung requests', { timeout: 150_000 }, async () => {
    const { report } = await runDrill(short('stall'));
    expectSafe(report);
    expect(report.rtoMs).not.toBeNull();
  });

  it(
    'partition: the cut-off Region acknowledges no ledger write the survivor lacks',
    { timeout: 150_000 },
    async () => {
      const { report, timeline } = await runDrill(short('partition'));
      expectSafe(report);
      expect(report.cutOff?.missingFromSurvivor).toBe(0);
      // The cut-off Region kept answering (the front still reached it) but refused what needs a quorum.
      const cutOffAnswers = timeline.requests.filter(
        (r) => r.region === report.cutOff?.region && r.sentAt >= (timeline.events[0]?.at ?? 0),
      );
      expect(cutOffAnswers.some((r) => r.outcome === '5xx')).toBe(true);
    },
  );

  it(
    'burn: a Region whose data is destroyed comes back empty, is rebuilt, and serves only once healthy',
    // Two demo loads, their projection and the rebuild: minutes on a busy shared machine.
    { timeout: 600_000 },
    async () => {
      const { report } = await runDrill({ ...short('burn'), demoShare: 0.03 });
      expectSafe(report);
      expect(report.rebuild?.items).toBeGreaterThan(0);
      expect(report.rebuild?.matched).toBe(true);
      expect(report.rebuild?.servedBeforeHealthy).toBe(0);
      expect(report.reprotectMs).not.toBeNull();
      expect(Object.values(report.projectionDiff ?? { missing: 1 }).every((n) => n === 0)).toBe(true);
      expect(Object.keys(report.projectionDiff ?? {})).toHaveLength(9);
    },
  );
});
