import { describe, expect, it } from 'vitest';
import { handlerBundling } from '../../infra/constructs/handler-function.js';
import {
  COLD_START_TARGETS,
  formatColdStartMarkdown,
  IMPORT_RUNS,
  measureColdStart,
  packageOf,
  REFERENCE_HANDLERS,
} from '../../bench/cold-start.js';

// Structure only: timings belong in `npm run bench`, not in a test that must pass on a loaded machine.
describe('cold-start benchmark', () => {
  it('bundles and imports a subset against the empty-handler floor', { timeout: 120_000 }, async () => {
    const report = await measureColdStart({ quick: true, functions: ['health', 'authorizer'] });

    expect(report.mode).toBe('quick');
    expect(report.runs).toBe(IMPORT_RUNS.quick);
    // Bundled exactly as the CDK bundles the functions.
    expect(report.bundling).toMatchObject({
      minify: true,
      format: 'esm',
      target: 'node22',
      external: [...handlerBundling.externalModules],
    });
    expect(report.floor.name).toBe('floor');
    expect(report.floor.bytes).toBeGreaterThan(0);
    expect(report.floor.importSamplesMs).toHaveLength(IMPORT_RUNS.quick);
    expect(report.floor.importP50Ms).toBeGreaterThan(0);
    expect(report.floor.ratioToFloor).toBe(1);

    // One-dependency handlers show what the libraries alone cost, against the same floor.
    expect(report.references.map((r) => r.name)).toEqual(Object.keys(REFERENCE_HANDLERS));
    for (const r of report.references) {
      expect(r.bytes).toBeGreaterThan(report.floor.bytes);
      expect(r.importSamplesMs).toHaveLength(IMPORT_RUNS.quick);
    }
    const client = report.references.find((r) => r.name === 'dynamodb-client');
    expect(client?.topPackages.map((p) => p.name)).toContain('@smithy/core');
    expect(client?.topPackages.map((p) => p.name)).not.toContain('zod');

    expect(report.functions.map((f) => f.name)).toEqual(['health', 'authorizer']);
    for (const f of report.functions) {
      expect(f.bytes).toBeGreaterThan(report.floor.bytes);
      expect(f.importSamplesMs).toHaveLength(IMPORT_RUNS.quick);
      expect(f.importP50Ms).toBeGreaterThan(0);
      expect(f.ratioToFloor).toBeGreaterThan(0);
      expect(f.meetsTarget.size).toBe(f.bytes < COLD_START_TARGETS.maxBundleBytes);
      expect(f.meetsTarget.import).toBe(f.ratioToFloor < COLD_START_TARGETS.maxImportRatio);
      expect(f.meetsTarget.both).toBe(f.meetsTarget.size && f.meetsTarget.import);
      expect(f.topModules.length).toBeGreaterThan(0);
      expect(f.topModules.length).toBeLessThanOrEqual(5);
      const bytes = f.topModules.map((m) => m.bytes);
      expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
      expect(f.topPackages.reduce((sum, p) => sum + p.bytes, 0)).toBeLessThanOrEqual(f.bytes);
    }
    // health reaches DynamoDB through the bundled SDK; the authorizer only verifies tokens.
    const health = report.functions.find((f) => f.name === 'health');
    expect(health?.topPackages.map((p) => p.name)).toContain('@smithy/core');
    expect(report.allMeetTarget).toBe(report.functions.every((f) => f.meetsTarget.both));

    const markdown = formatColdStartMarkdown(report);
    expect(markdown).toContain('| Function | Size (KB) | Import p50 (ms) | Ratio to floor | Target met |');
    expect(markdown).toMatch(/^\| health \| /m);
    expect(markdown).toMatch(/^\| authorizer \| /m);
    expect(markdown).toMatch(/^\| _reference: dynamodb-client only_ \| /m);
    expect(markdown).toContain('Biggest bundle: **health**');
  });

  it('rejects a function that is not deployed', async () => {
    await expect(measureColdStart({ quick: true, functions: ['nope' as never] })).rejects.toThrow(
      'unknown function nope',
    );
  });

  it('attributes inputs to npm packages', () => {
    expect(packageOf('node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(packageOf('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOf('node_modules/a/node_modules/@aws-sdk/core/x.js')).toBe('@aws-sdk/core');
    expect(packageOf('functions/http/api.ts')).toBe('functions');
  });
});
