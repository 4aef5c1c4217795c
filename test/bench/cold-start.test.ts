import { describe, expect, inject, it } from 'vitest';
import { handlerBundling } from '../../infra/constructs/handler-function.js';
import {
  aboveReference,
  COLD_START_TARGETS,
  firstRequestEvent,
  formatColdStartMarkdown,
  IMPORT_RUNS,
  measureColdStart,
  packageOf,
  REFERENCE_HANDLERS,
} from '../../bench/cold-start.js';

// Structure only: timings belong in `npm run bench`, not in a test that must pass on a loaded machine.
describe('cold-start benchmark', () => {
  it(
    'bundles, imports and first-requests a subset against the floor and the client-only reference',
    { timeout: 240_000 },
    async () => {
      const report = await measureColdStart({
        quick: true,
        functions: ['health', 'authorizer'],
        dynamodb: { endpoint: inject('dynamodbEndpoint') },
        sourceMaps: 'health',
      });

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
        // Targets are against the client-only reference (issue 15).
        expect(f.sizeRatioToReference).toBeCloseTo(f.bytes / (client?.bytes ?? NaN), 2);
        expect(f.importRatioToReference).toBeGreaterThan(0);
        expect(f.importCpuP50Ms).toBeGreaterThan(0);
        expect(f.importCpuRatioToReference).toBeGreaterThan(0);
        expect(f.meetsTarget.size).toBe(f.sizeRatioToReference <= COLD_START_TARGETS.maxSizeRatioToReference);
        expect(f.meetsTarget.import).toBe(
          f.importRatioToReference <= COLD_START_TARGETS.maxImportRatioToReference,
        );
        expect(f.meetsTarget.both).toBe(f.meetsTarget.size && f.meetsTarget.import);
        for (const p of f.aboveReference) expect(p.bytes).toBeGreaterThan(0);
        expect(f.topModules.length).toBeGreaterThan(0);
        expect(f.topModules.length).toBeLessThanOrEqual(5);
        const bytes = f.topModules.map((m) => m.bytes);
        expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
        expect(f.topPackages.reduce((sum, p) => sum + p.bytes, 0)).toBeLessThanOrEqual(f.bytes);
        expect(f.totalBytes).toBeGreaterThanOrEqual(f.bytes);
      }
      // health reaches DynamoDB through the bundled SDK; the authorizer only verifies tokens.
      const health = report.functions.find((f) => f.name === 'health');
      expect(health?.topPackages.map((p) => p.name)).toContain('@smithy/core');
      // What health adds on top of the client is our code and the logger, not a second SDK.
      expect(health?.aboveReference.map((p) => p.name)).toContain('functions');
      const smithy = health?.aboveReference.find((p) => p.name === '@smithy/core');
      expect(smithy?.bytes ?? 0).toBeLessThan(2048);
      // Its operations (the domain, zod) and the token verifier (jose) are chunks loaded on first use: in the
      // asset, not in what the import loads.
      expect(health?.topPackages.map((p) => p.name)).not.toContain('zod');
      expect(health?.aboveReference.map((p) => p.name)).not.toContain('jose');
      expect(health?.totalBytes ?? 0).toBeGreaterThan((health?.bytes ?? 0) + 20_000);

      // First request: the reference and health reach DynamoDB Local; the authorizer has no first-request run.
      expect(client?.firstRequestP50Ms).toBeGreaterThan(0);
      expect(health?.firstRequestP50Ms).toBeGreaterThan(0);
      expect(health?.firstRequestRatioToReference).toBeGreaterThan(0);
      const authorizer = report.functions.find((f) => f.name === 'authorizer');
      expect(authorizer?.firstRequestP50Ms).toBeNull();
      expect(authorizer?.firstRequestRatioToReference).toBeNull();

      // Source maps: four variants of one bundle; a map without sourcesContent is smaller than one with it.
      expect(report.sourceMaps?.bundle).toBe('health');
      const variants = report.sourceMaps?.variants ?? [];
      expect(variants.map((v) => v.name)).toEqual([
        'no map',
        'map, flag off',
        'map with sourcesContent, --enable-source-maps',
        'map without sourcesContent, --enable-source-maps',
      ]);
      expect(variants[0]?.mapBytes).toBe(0);
      expect(variants[3]?.mapBytes).toBeLessThan(variants[2]?.mapBytes ?? 0);
      expect(variants[0]?.ratioToNoMap).toBe(1);
      expect(report.allMeetTarget).toBe(report.functions.every((f) => f.meetsTarget.both));

      const markdown = formatColdStartMarkdown(report);
      expect(markdown).toContain(
        '| Function | Size (KB) | Asset (KB) | Size / ref | Import p50 (ms) | Import / ref |',
      );
      expect(markdown).toMatch(/^\| health \| /m);
      expect(markdown).toMatch(/^\| authorizer \| /m);
      expect(markdown).toMatch(/^\| _reference: dynamodb-client only_ \| /m);
      expect(markdown).toContain('Source maps on **health**');
    },
  );

  it('rejects a function that is not deployed', async () => {
    await expect(measureColdStart({ quick: true, functions: ['nope' as never] })).rejects.toThrow(
      'unknown function nope',
    );
  });

  it('picks a first request per function: a GET route that reads, the daily run, none for the authorizer', () => {
    expect(firstRequestEvent('services', 'p')).toMatchObject({ httpMethod: 'GET', resource: '/v1/services' });
    expect(firstRequestEvent('registry', 'p')).toMatchObject({
      resource: '/v1/providers/{id}',
      path: '/v1/providers/x',
      pathParameters: { id: 'x' },
    });
    expect(firstRequestEvent('selection-expiry', 'p')).toBeDefined();
    expect(firstRequestEvent('authorizer', 'p')).toBeUndefined();
  });

  it('finds what a bundle spends above the reference, per package', () => {
    expect(
      aboveReference(
        [
          { name: '@smithy/core', bytes: 100 },
          { name: 'zod', bytes: 30 },
          { name: 'functions', bytes: 40 },
        ],
        [
          { name: '@smithy/core', bytes: 100 },
          { name: 'functions', bytes: 10 },
        ],
      ),
    ).toEqual([
      { name: 'zod', bytes: 30 },
      { name: 'functions', bytes: 30 },
    ]);
  });

  it('attributes inputs to npm packages', () => {
    expect(packageOf('node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(packageOf('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOf('node_modules/a/node_modules/@aws-sdk/core/x.js')).toBe('@aws-sdk/core');
    expect(packageOf('functions/http/api.ts')).toBe('functions');
  });
});
