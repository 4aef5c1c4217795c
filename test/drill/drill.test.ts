import { describe, expect, it } from 'vitest';
import { runDrill } from '../../local/drill/drill.js';

describe('disaster-recovery drill (short)', () => {
  it(
    'strong mode: a Region killed under load loses and duplicates no acknowledged write, and the Regions converge',
    { timeout: 150_000 },
    async () => {
      const report = await runDrill({
        mode: 'strong',
        durationMs: 5000,
        killAtMs: 1500,
        restartAtMs: 3500,
        rate: 6,
        lagMs: 0,
        probeIntervalMs: 300,
        failureThreshold: 2,
      });
      expect(report.acknowledged).toBeGreaterThan(20);
      expect(report.flows.started).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
      expect(report.missingAtFailover).toBe(0);
      expect(report.duplicates).toBe(0);
      expect(report.converged).toBe(true);
      expect(report.rtoMs).not.toBeNull();
      // The client saw the fire (connections refused or reset) and got through it.
      expect(Object.keys(report.errors).length).toBeGreaterThan(0);
      expect(report.flows.failed).toBe(0);
    },
  );
});
