/**
 * Cold-start section of the benchmark (issues 6 and 15): the minified size of every Lambda bundle and the
 * median time a fresh Node process takes to import it, against an empty-handler floor and, as the target
 * (issue 15), against a reference bundle holding only the DynamoDB client the functions build: what our own
 * code adds on top of a client every function needs. With a DynamoDB endpoint it also times the first
 * request (import plus the handler's first call, which reaches DynamoDB), and it measures what source maps
 * cost at import (`--enable-source-maps`, with and without `sourcesContent`).
 *
 * Bundles are built with the project's own esbuild and the options the CDK uses to deploy them (see
 * {@link cdkBundlingOptions}), so the sizes are the deployed ones. The import is timed inside the child
 * process, so Node's own startup is not counted: what is left is reading, parsing and evaluating the bundle,
 * which is what a Lambda cold start pays on top of the runtime's own init.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { tables } from '../functions/adapters/dynamodb/tables.js';
import { apiFunctions, routeTable } from '../functions/routes.js';
import { handlerBuildOptions } from '../infra/constructs/handler-function.js';
import { median } from '../local/percentiles.js';

/** The repository root (this file lives in `bench/`). */
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda functions that are not behind the API; each is `functions/handlers/<id>.ts` exporting `handler`. */
export const eventFunctions = ['projector', 'authorizer', 'selection-expiry'] as const;
/** Every deployed function, in report order. */
export const allFunctions = [...apiFunctions, ...eventFunctions] as const;
export type FunctionId = (typeof allFunctions)[number];

/**
 * Targets from issue 15: our share on top of the DynamoDB client every function builds. (Issue 6's "under 2×
 * the empty handler" could not be met by construction: the client alone imports at ~4× the floor.)
 */
export const COLD_START_TARGETS = {
  /** The reference every function is compared with (a key of {@link REFERENCE_HANDLERS}). */
  reference: 'dynamodb-client',
  /** Median import within 1.15× the reference's. */
  maxImportRatioToReference: 1.15,
  /** Bundle within +25% of the reference's. */
  maxSizeRatioToReference: 1.25,
} as const;

/** Fresh processes per bundle: quick mode, full mode. */
export const IMPORT_RUNS = { quick: 7, full: 21 } as const;

/**
 * The esbuild options every function is deployed with, from infra's `handlerBuildOptions` (the CDK calls it
 * for each function's asset), so the two cannot drift: minified ESM for Node 22 with code splitting, the entry
 * `index.mjs` and what it imports with `import()` in `chunks/`. Only the entry and output folder differ per
 * bundle. The source map is a separate file that loads at import only under Node's `--enable-source-maps`,
 * whose cost {@link measureSourceMaps} measures on its own.
 */
export const cdkBundlingOptions = (() => {
  const { entryPoints: _entry, outdir: _outdir, ...options } = handlerBuildOptions('', '');
  return options;
})();

/** The floor: an empty handler, bundled the same way. */
const EMPTY_HANDLER = "export const handler = async () => ({ statusCode: 200, body: '' });\n";

/**
 * Handlers that hold one dependency each, bundled and imported like the functions: they show how much of a
 * function's import is its libraries rather than its own code. The DynamoDB one imports the adapter the
 * functions use, which builds its client on first use, as the functions do.
 */
export const REFERENCE_HANDLERS = {
  'dynamodb-client':
    "import { GetCommand } from '@aws-sdk/lib-dynamodb';\n" +
    "import { documentClient } from './functions/adapters/dynamodb/client.js';\n" +
    '// Builds the client as the functions do; the first-request run also makes one read with it.\n' +
    'export const handler = async (event) => event?.table\n' +
    "  ? documentClient().send(new GetCommand({ TableName: event.table, Key: { pk: 'x', sk: 'x' } }))\n" +
    '  : documentClient();\n',
  'powertools-logger':
    "import { Logger } from '@aws-lambda-powertools/logger';\n" +
    "const logger = new Logger({ serviceName: 'reference' });\n" +
    "export const handler = async () => logger.info('request');\n",
} as const;

export interface ModuleShare {
  /** Input path as esbuild reports it (relative to the project root), or an npm package name. */
  readonly name: string;
  /** Minified bytes it contributes to the bundle (esbuild's `bytesInOutput`). */
  readonly bytes: number;
}

export interface BundleMeasurement {
  /** Function id, `floor` for the empty handler, or a reference's name. */
  readonly name: string;
  /** What an import loads: the entry and the chunks it imports statically, minified, without source map. */
  readonly bytes: number;
  /** Every `.mjs` of the asset, the chunks loaded only on first use (`import()`) included. */
  readonly totalBytes: number;
  /** Median import time in a fresh Node process. */
  readonly importP50Ms: number;
  /** Every sample, in run order. */
  readonly importSamplesMs: readonly number[];
  /** `importP50Ms` / the floor's. */
  readonly ratioToFloor: number;
  /**
   * Median CPU time (user + system, all threads) the process spent on the import: on a shared machine,
   * where other work preempts the import, a steadier measure of what the bundle costs than wall time.
   */
  readonly importCpuP50Ms: number;
  /**
   * Median time from the start of the import to the end of the first handler call (which makes the
   * function's first DynamoDB call), when a DynamoDB endpoint was given and the bundle has such a request;
   * else null.
   */
  readonly firstRequestP50Ms: number | null;
  /** The five input files contributing the most bytes. */
  readonly topModules: readonly ModuleShare[];
  /** The five npm packages (and `functions/` itself) contributing the most bytes. */
  readonly topPackages: readonly ModuleShare[];
}

export interface FunctionMeasurement extends BundleMeasurement {
  readonly name: FunctionId;
  /** `importP50Ms` / the reference's ({@link COLD_START_TARGETS.reference}). */
  readonly importRatioToReference: number;
  /** `importCpuP50Ms` / the reference's: the same ratio in CPU time. */
  readonly importCpuRatioToReference: number;
  /** `bytes` / the reference's. */
  readonly sizeRatioToReference: number;
  /** `firstRequestP50Ms` / the reference's first request, when both were measured. */
  readonly firstRequestRatioToReference: number | null;
  /** Packages (and `functions/`) with more minified bytes here than in the reference, largest first. */
  readonly aboveReference: readonly ModuleShare[];
  readonly meetsTarget: {
    /** `sizeRatioToReference` ≤ {@link COLD_START_TARGETS.maxSizeRatioToReference}. */
    readonly size: boolean;
    /** `importRatioToReference` ≤ {@link COLD_START_TARGETS.maxImportRatioToReference}. */
    readonly import: boolean;
    readonly both: boolean;
  };
}

/** One way to ship source maps, and what it costs at import. */
export interface SourceMapVariant {
  readonly name:
    | 'no map'
    | 'map, flag off'
    | 'map with sourcesContent, --enable-source-maps'
    | 'map without sourcesContent, --enable-source-maps';
  readonly sourcemap: boolean;
  readonly sourcesContent: boolean;
  readonly enableSourceMaps: boolean;
  /** Size of the `.map` file beside the bundle (0 without one). */
  readonly mapBytes: number;
  readonly importP50Ms: number;
  /** `importP50Ms` / the same bundle's without a map or flag. */
  readonly ratioToNoMap: number;
  /** Median CPU time of the import, and its ratio to the bundle's without a map or flag. */
  readonly importCpuP50Ms: number;
  readonly cpuRatioToNoMap: number;
}

export interface SourceMapStudy {
  /** The bundle measured (the largest API function by default). */
  readonly bundle: string;
  readonly variants: readonly SourceMapVariant[];
}

export interface ColdStartReport {
  readonly mode: 'quick' | 'full';
  /** Fresh processes per bundle. */
  readonly runs: number;
  readonly targets: typeof COLD_START_TARGETS;
  /** The esbuild options used, as deployed. */
  readonly bundling: typeof cdkBundlingOptions;
  readonly floor: BundleMeasurement;
  /** One-dependency handlers ({@link REFERENCE_HANDLERS}), against the same floor. */
  readonly references: readonly BundleMeasurement[];
  readonly functions: readonly FunctionMeasurement[];
  /** Every function meets both targets. */
  readonly allMeetTarget: boolean;
  /** What source maps cost at import; absent when not asked for. */
  readonly sourceMaps?: SourceMapStudy;
  /** Wall time of the whole section. */
  readonly durationMs: number;
}

export interface ColdStartOptions {
  readonly quick: boolean;
  /** Measure only these functions (the floor and references are always measured); all of them by default. */
  readonly functions?: readonly FunctionId[];
  /** Override the number of fresh processes per bundle. */
  readonly runs?: number;
  /**
   * A DynamoDB endpoint (DynamoDB Local) for the first-request runs; without it they are skipped. The tables
   * named `<tablePrefix>-<id>` need not exist: a missing table still costs the call its round trip.
   */
  readonly dynamodb?: { readonly endpoint: string; readonly tablePrefix?: string };
  /** Measure the source-map variants on this bundle (`services` by default); off when false. */
  readonly sourceMaps?: FunctionId | false;
}

interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly packages: readonly ModuleShare[];
  readonly topModules: readonly ModuleShare[];
  readonly topPackages: readonly ModuleShare[];
  /** What the first-request run passes to the handler; none: no first-request run. */
  readonly firstEvent?: unknown;
}

/** How a bundle is run: Node flags and whether the first-request run follows the import. */
interface RunMode {
  readonly enableSourceMaps?: boolean;
  readonly firstRequest?: { readonly endpoint: string; readonly tablePrefix: string };
}

/** A caller every route lets through (the functions read claims the authorizer passed). */
const BENCH_CLAIMS = { sub: 'cold-start', role: 'admin', org: 'cold-start' };

/**
 * The event of a function's first request: its first GET route with every path parameter `x` (a read that
 * reaches DynamoDB and answers 404), the daily run for the expiry job; none for the authorizer (no DynamoDB)
 * and the projector (its batches come from a stream).
 */
export function firstRequestEvent(fn: FunctionId, tablePrefix: string): unknown {
  if (fn === 'selection-expiry') return { source: 'aws.events', 'detail-type': 'Scheduled Event' };
  if (fn === 'authorizer' || fn === 'projector') return undefined;
  const route = routeTable.find((r) => r.fn === fn && r.method === 'GET');
  if (!route) return undefined;
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  void tablePrefix;
  return {
    httpMethod: 'GET',
    resource: route.path,
    path: route.path.replace(/\{\w+\}/g, 'x'),
    pathParameters: names.length ? Object.fromEntries(names.map((n) => [n, 'x'])) : null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    headers: { accept: 'application/json' },
    multiValueHeaders: {},
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'cold-start', authorizer: BENCH_CLAIMS },
  };
}

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartReport> {
  const started = performance.now();
  const runs = options.runs ?? (options.quick ? IMPORT_RUNS.quick : IMPORT_RUNS.full);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  const names = options.functions ?? allFunctions;
  for (const name of names) {
    if (!(allFunctions as readonly string[]).includes(name)) throw new Error(`unknown function ${name}`);
  }
  const tablePrefix = options.dynamodb?.tablePrefix ?? 'cold-start';
  const firstRequest = options.dynamodb ? { endpoint: options.dynamodb.endpoint, tablePrefix } : undefined;

  const dir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  try {
    const floorBundle = await bundle('floor', { source: EMPTY_HANDLER }, dir);
    const referenceBundles = await Promise.all(
      Object.entries(REFERENCE_HANDLERS).map(([name, source]) =>
        bundle(name, { source }, dir, {
          ...(name === COLD_START_TARGETS.reference
            ? { firstEvent: { table: `${tablePrefix}-catalog` } }
            : {}),
        }),
      ),
    );
    const bundles = await Promise.all(
      names.map((name) =>
        bundle(name, { file: join(projectRoot, 'functions', 'handlers', `${name}.ts`) }, dir, {
          firstEvent: firstRequestEvent(name, tablePrefix),
        }),
      ),
    );

    // One pass: every process imports its bundle and, given an endpoint and an event, answers the first
    // request too, so imports and first requests are timed under the same load.
    const all = [floorBundle, ...referenceBundles, ...bundles];
    const { samples, cpuSamples, firstSamples } = await timeImports(
      all,
      runs,
      firstRequest ? { firstRequest } : {},
    );
    const floorP50 = median(samples.get(floorBundle.name) ?? []);
    const measure = (b: Bundle): BundleMeasurement => {
      const importSamplesMs = samples.get(b.name) ?? [];
      const importP50Ms = median(importSamplesMs);
      const first = firstSamples.get(b.name);
      return {
        name: b.name,
        bytes: b.bytes,
        totalBytes: b.totalBytes,
        importP50Ms: round(importP50Ms),
        importSamplesMs: importSamplesMs.map((ms) => round(ms)),
        ratioToFloor: round(importP50Ms / floorP50),
        importCpuP50Ms: round(median(cpuSamples.get(b.name) ?? [])),
        firstRequestP50Ms: first && first.length > 0 ? round(median(first)) : null,
        topModules: b.topModules,
        topPackages: b.topPackages,
      };
    };

    const references = referenceBundles.map(measure);
    const reference = references.find((r) => r.name === COLD_START_TARGETS.reference) as BundleMeasurement;
    const referenceBundle = referenceBundles.find((r) => r.name === COLD_START_TARGETS.reference) as Bundle;
    const referenceImport = median(samples.get(reference.name) ?? []);
    const functions = bundles.map((b): FunctionMeasurement => {
      const m = measure(b);
      const importRatioToReference = round(median(samples.get(b.name) ?? []) / referenceImport);
      const importCpuRatioToReference = round(
        median(cpuSamples.get(b.name) ?? []) / median(cpuSamples.get(reference.name) ?? []),
      );
      const sizeRatioToReference = round(b.bytes / reference.bytes);
      const size = sizeRatioToReference <= COLD_START_TARGETS.maxSizeRatioToReference;
      const imported = importRatioToReference <= COLD_START_TARGETS.maxImportRatioToReference;
      return {
        ...m,
        name: b.name as FunctionId,
        importRatioToReference,
        importCpuRatioToReference,
        sizeRatioToReference,
        firstRequestRatioToReference:
          m.firstRequestP50Ms !== null && reference.firstRequestP50Ms !== null
            ? round(m.firstRequestP50Ms / reference.firstRequestP50Ms)
            : null,
        aboveReference: aboveReference(b.packages, referenceBundle.packages),
        meetsTarget: { size, import: imported, both: size && imported },
      };
    });
    const sourceMapTarget = options.sourceMaps === undefined ? 'services' : options.sourceMaps;
    return {
      mode: options.quick ? 'quick' : 'full',
      runs,
      targets: COLD_START_TARGETS,
      bundling: cdkBundlingOptions,
      floor: measure(floorBundle),
      references,
      functions,
      allMeetTarget: functions.every((f) => f.meetsTarget.both),
      ...(sourceMapTarget ? { sourceMaps: await measureSourceMaps(sourceMapTarget, runs, dir) } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Packages with more bytes in a bundle than in the reference, and by how much, largest first. */
export function aboveReference(
  packages: readonly ModuleShare[],
  reference: readonly ModuleShare[],
): ModuleShare[] {
  const base = new Map(reference.map((p) => [p.name, p.bytes]));
  return packages
    .map((p) => ({ name: p.name, bytes: p.bytes - (base.get(p.name) ?? 0) }))
    .filter((p) => p.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * What source maps cost at import, on one function: the bundle without a map; with a map but Node's flag off;
 * with `--enable-source-maps` and a map carrying `sourcesContent` (what the CDK ships by default); and with the
 * flag and a map without it. Node reads and parses the map when it loads the module, so the map's size is
 * paid at every cold start; stack traces need only the mappings, never the sources.
 */
export async function measureSourceMaps(fn: FunctionId, runs: number, dir: string): Promise<SourceMapStudy> {
  const file = { file: join(projectRoot, 'functions', 'handlers', `${fn}.ts`) };
  const specs = [
    { name: 'no map', sourcemap: false, sourcesContent: false, enableSourceMaps: false },
    { name: 'map, flag off', sourcemap: true, sourcesContent: true, enableSourceMaps: false },
    {
      name: 'map with sourcesContent, --enable-source-maps',
      sourcemap: true,
      sourcesContent: true,
      enableSourceMaps: true,
    },
    {
      name: 'map without sourcesContent, --enable-source-maps',
      sourcemap: true,
      sourcesContent: false,
      enableSourceMaps: true,
    },
  ] as const;
  const built = await Promise.all(
    specs.map(async (spec, i) => {
      const b = await bundle(`${fn}-sourcemap-${i}`, file, dir, {
        build: { sourcemap: spec.sourcemap, sourcesContent: spec.sourcesContent },
      });
      const mapBytes = spec.sourcemap ? (await stat(`${b.file}.map`)).size : 0;
      return { spec, bundle: b, mapBytes };
    }),
  );
  const samples = new Map<string, number[]>(built.map((b) => [b.bundle.name, []]));
  const cpu = new Map<string, number[]>(built.map((b) => [b.bundle.name, []]));
  for (const b of built) await timeImport(b.bundle, { enableSourceMaps: b.spec.enableSourceMaps });
  for (let round = 0; round < runs; round++) {
    for (const b of built) {
      const { importMs, importCpuMs } = await timeImport(b.bundle, {
        enableSourceMaps: b.spec.enableSourceMaps,
      });
      samples.get(b.bundle.name)?.push(importMs);
      cpu.get(b.bundle.name)?.push(importCpuMs);
    }
  }
  const p50 = (b: (typeof built)[number]) => median(samples.get(b.bundle.name) ?? []);
  const base = p50(built[0] as (typeof built)[number]);
  const cpuP50 = (b: (typeof built)[number]) => median(cpu.get(b.bundle.name) ?? []);
  const cpuBase = cpuP50(built[0] as (typeof built)[number]);
  return {
    bundle: fn,
    variants: built.map((b) => ({
      ...b.spec,
      mapBytes: b.mapBytes,
      importP50Ms: round(p50(b)),
      ratioToNoMap: round(p50(b) / base),
      importCpuP50Ms: round(cpuP50(b)),
      cpuRatioToNoMap: round(cpuP50(b) / cpuBase),
    })),
  };
}

/**
 * Bundles one entry as the CDK would, into `<dir>/<name>/` (entry `index.mjs`, chunks beside it): a handler
 * file, or source that resolves its imports from the project root.
 */
async function bundle(
  name: string,
  entry: { readonly file: string } | { readonly source: string },
  dir: string,
  extra: {
    readonly firstEvent?: unknown;
    readonly build?: { readonly sourcemap: boolean; readonly sourcesContent: boolean };
  } = {},
): Promise<Bundle> {
  const outdir = join(dir, name);
  const result = await build({
    ...('file' in entry
      ? handlerBuildOptions(entry.file, outdir)
      : {
          ...cdkBundlingOptions,
          outdir,
          entryNames: 'index',
          stdin: { contents: entry.source, resolveDir: projectRoot, sourcefile: `${name}.ts`, loader: 'ts' },
        }),
    ...(extra.build ? { sourcemap: extra.build.sourcemap, sourcesContent: extra.build.sourcesContent } : {}),
    write: true,
    metafile: true,
    logLevel: 'silent',
  });
  const file = join(outdir, 'index.mjs');
  const imported = importedOutputs(result.metafile, file);
  const { packages, topModules, topPackages } = shares(imported);
  return {
    name,
    file,
    bytes: imported.reduce((sum, [, output]) => sum + output.bytes, 0),
    totalBytes: Object.entries(result.metafile.outputs)
      .filter(([path]) => path.endsWith('.mjs'))
      .reduce((sum, [, output]) => sum + output.bytes, 0),
    packages,
    topModules,
    topPackages,
    ...(extra.firstEvent !== undefined ? { firstEvent: extra.firstEvent } : {}),
  };
}

type Output = Metafile['outputs'][string];

/** The entry and every chunk it imports statically, transitively: what an import of the bundle loads. */
function importedOutputs(metafile: Metafile, entryFile: string): [string, Output][] {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => resolve(projectRoot, path) === entryFile);
  const seen = new Set<string>();
  const queue = entry ? [entry] : [];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const next of outputs[path]?.imports ?? []) {
      if (next.kind === 'import-statement' && outputs[next.path]) queue.push(next.path);
    }
  }
  return [...seen].map((path) => [path, outputs[path] as Output]);
}

/** Where the imported bytes come from: per input file and per npm package. */
function shares(imported: readonly [string, Output][]) {
  const bytesByInput = new Map<string, number>();
  for (const [, output] of imported) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      bytesByInput.set(path, (bytesByInput.get(path) ?? 0) + bytesInOutput);
    }
  }
  const inputs = [...bytesByInput].map(([name, bytes]) => ({ name, bytes }));
  const byPackage = new Map<string, number>();
  for (const input of inputs) {
    const key = packageOf(input.name);
    byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytes);
  }
  const top = (list: ModuleShare[]) => [...list].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes }));
  return { packages, topModules: top(inputs), topPackages: top(packages) };
}

/** `node_modules/@scope/pkg/…` → `@scope/pkg`, `node_modules/pkg/…` → `pkg`, else the top folder. */
export function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  const rest = at === -1 ? path : path.slice(at + 'node_modules/'.length);
  const parts = rest.split('/');
  if (at === -1) return parts[0] ?? path;
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? rest);
}

/**
 * Imports each bundle in a fresh Node process `runs` times, interleaved (one round visits every bundle
 * once) so that drift in machine load lands on the floor and the functions alike. Sequential on purpose:
 * two imports at once on a 2-core machine would time each other.
 */
async function timeImports(
  bundles: readonly Bundle[],
  runs: number,
  mode: RunMode = {},
): Promise<{
  samples: Map<string, number[]>;
  cpuSamples: Map<string, number[]>;
  firstSamples: Map<string, number[]>;
}> {
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const cpuSamples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const firstSamples = new Map<string, number[]>();
  // One warm-up round, not recorded: the first reads pull the bundles into the page cache.
  for (const b of bundles) await timeImport(b, mode);
  for (let round = 0; round < runs; round++) {
    for (const b of bundles) {
      const { importMs, importCpuMs, firstRequestMs } = await timeImport(b, mode);
      samples.get(b.name)?.push(importMs);
      cpuSamples.get(b.name)?.push(importCpuMs);
      if (firstRequestMs !== undefined)
        firstSamples.set(b.name, [...(firstSamples.get(b.name) ?? []), firstRequestMs]);
    }
  }
  return { samples, cpuSamples, firstSamples };
}

/**
 * One fresh process: the time to import the bundle and, with `firstRequest` and an event for the bundle, the
 * time from the start of the import to the end of its first request (the handler's error, if any, still
 * ends the request: a missing table is a round trip too).
 */
function timeImport(
  b: Bundle,
  mode: RunMode = {},
): Promise<{ importMs: number; importCpuMs: number; firstRequestMs?: number }> {
  const url = JSON.stringify(pathToFileURL(b.file).href);
  const first = b.firstEvent !== undefined ? mode.firstRequest : undefined;
  const script =
    'const t = performance.now();' +
    'const c = process.cpuUsage();' +
    `const m = await import(${url});` +
    'const imported = performance.now() - t;' +
    'const u = process.cpuUsage(c);' +
    'const cpu = (u.user + u.system) / 1000;' +
    (first
      ? 'const context = { awsRequestId: "cold-start", functionName: "cold-start", getRemainingTimeInMillis: () => 10000 };' +
        `try { await m.handler(${JSON.stringify(b.firstEvent)}, context); } catch {}` +
        'process.stdout.write(JSON.stringify([imported, cpu, performance.now() - t]));'
      : 'process.stdout.write(JSON.stringify([imported, cpu]));');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...(first
      ? {
          AWS_ENDPOINT_URL_DYNAMODB: first.endpoint,
          AWS_ACCESS_KEY_ID: 'cold-start',
          AWS_SECRET_ACCESS_KEY: 'cold-start',
          ...Object.fromEntries(
            Object.entries(tables).map(([id, t]) => [t.envVar, `${first.tablePrefix}-${id}`]),
          ),
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(mode.enableSourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script],
      {
        cwd: dirname(b.file),
        // A clean environment, as in Lambda: no NODE_OPTIONS from the caller (tsx, vitest) may load hooks.
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      let times: unknown;
      try {
        times = JSON.parse(out);
      } catch {
        times = undefined;
      }
      const [importMs, importCpuMs, firstRequestMs] = Array.isArray(times) ? (times as number[]) : [];
      if (code === 0 && typeof importMs === 'number' && typeof importCpuMs === 'number') {
        resolve({ importMs, importCpuMs, ...(typeof firstRequestMs === 'number' ? { firstRequestMs } : {}) });
      } else reject(new Error(`importing ${b.file} failed (exit ${code}): ${err.trim() || out}`));
    });
  });
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** Markdown summary: one row per function against the reference, what each spends above it, source maps. */
export function formatColdStartMarkdown(report: ColdStartReport): string {
  const { floor, targets } = report;
  const reference = report.references.find((r) => r.name === targets.reference);
  const ms = (v: number | null) => (v === null ? '—' : v.toFixed(2));
  const ratio = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}×`);
  const lines = [
    `Cold start: minified bundle (size: the entry and the chunks it imports statically; asset: every chunk, those ` +
      `loaded on first use included), median import in a fresh Node process and, against DynamoDB Local, median first request ` +
      `(import plus the handler's first call, which loads the function's operations) (${report.runs} runs, ${report.mode} mode). Targets (issue 15), against the ` +
      `reference bundle holding only the DynamoDB client the functions build: import within ${targets.maxImportRatioToReference}× ` +
      `and size within ${Math.round((targets.maxSizeRatioToReference - 1) * 100)}% of it.`,
    '',
    '| Function | Size (KB) | Asset (KB) | Size / ref | Import p50 (ms) | Import / ref | Import CPU / ref | Import / floor | First request p50 (ms) | First request / ref | Target met | Above the reference (KB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    `| _floor (empty handler)_ | ${kb(floor.bytes)} | ${kb(floor.totalBytes)} | | ${floor.importP50Ms.toFixed(2)} | | | 1.00× | — | | — | |`,
    ...report.references.map(
      (r) =>
        `| _reference: ${r.name} only_ | ${kb(r.bytes)} | ${kb(r.totalBytes)} | | ${r.importP50Ms.toFixed(2)} | | | ${r.ratioToFloor.toFixed(2)}× | ${ms(r.firstRequestP50Ms)} | | — | |`,
    ),
  ];
  for (const f of report.functions) {
    const misses = [...(f.meetsTarget.size ? [] : ['size']), ...(f.meetsTarget.import ? [] : ['import'])];
    const above = f.aboveReference
      .filter((p) => p.bytes >= 512)
      .slice(0, 5)
      .map((p) => `${p.name} ${kb(p.bytes)}`)
      .join(', ');
    lines.push(
      `| ${f.name} | ${kb(f.bytes)} | ${kb(f.totalBytes)} | ${ratio(f.sizeRatioToReference)} | ${f.importP50Ms.toFixed(2)} | ` +
        `**${ratio(f.importRatioToReference)}** | ${ratio(f.importCpuRatioToReference)} | ${ratio(f.ratioToFloor)} | ${ms(f.firstRequestP50Ms)} | ` +
        `${ratio(f.firstRequestRatioToReference)} | ${misses.length === 0 ? 'yes' : `no (${misses.join(', ')})`} | ${above} |`,
    );
  }
  if (reference) {
    lines.push(
      '',
      `Reference: ${kb(reference.bytes)} KB, import ${reference.importP50Ms.toFixed(2)} ms` +
        `${reference.firstRequestP50Ms === null ? '' : `, first request ${reference.firstRequestP50Ms.toFixed(2)} ms`}.`,
    );
  }
  if (report.sourceMaps) {
    lines.push(
      '',
      `Source maps on **${report.sourceMaps.bundle}** (import p50 in a fresh process):`,
      '',
      '| Variant | Map (KB) | Import p50 (ms) | vs no map | Import CPU p50 (ms) | CPU vs no map |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...report.sourceMaps.variants.map(
        (v) =>
          `| ${v.name} | ${kb(v.mapBytes)} | ${v.importP50Ms.toFixed(2)} | ${v.ratioToNoMap.toFixed(2)}× | ` +
          `${v.importCpuP50Ms.toFixed(2)} | ${v.cpuRatioToNoMap.toFixed(2)}× |`,
      ),
    );
  }
  return lines.join('\n') + '\n';
}

/** `tsx bench/cold-start.ts [--quick] [--json] [--function f …]`: this section alone, with its own DynamoDB Local. */
async function main() {
  const { parseArgs } = await import('node:util');
  const { startDynamoDbLocal } = await import('../local/dynamodb-local.js');
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      function: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const dynamodb = await startDynamoDbLocal();
  try {
    const report = await measureColdStart({
      quick: values.quick,
      ...(values.function ? { functions: values.function as FunctionId[] } : {}),
      dynamodb: { endpoint: dynamodb.endpoint },
    });
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : formatColdStartMarkdown(report),
    );
  } finally {
    await dynamodb.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
