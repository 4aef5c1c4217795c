/**
 * Cold-start section of the benchmark (issue 6): the minified size of every Lambda bundle and the median
 * time a fresh Node process takes to import it, against an empty-handler bundle as the floor.
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
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { apiFunctions } from '../functions/routes.js';
import { handlerBundling } from '../infra/constructs/handler-function.js';
import { median } from '../local/percentiles.js';

/** The repository root (this file lives in `bench/`). */
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda functions that are not behind the API; each is `functions/handlers/<id>.ts` exporting `handler`. */
export const eventFunctions = ['projector', 'authorizer', 'selection-expiry'] as const;
/** Every deployed function, in report order. */
export const allFunctions = [...apiFunctions, ...eventFunctions] as const;
export type FunctionId = (typeof allFunctions)[number];

/** Targets from issue 6. */
export const COLD_START_TARGETS = {
  /** Every function bundle under 250 KB minified. */
  maxBundleBytes: 250 * 1024,
  /** Its import under 2× the empty-handler floor. */
  maxImportRatio: 2,
} as const;

/** Fresh processes per bundle: quick mode, full mode. */
export const IMPORT_RUNS = { quick: 7, full: 21 } as const;

/**
 * The esbuild options `NodejsFunction` passes for every function. Source of truth:
 * `infra/constructs/handler-function.ts` (`bundling: { minify, format: ESM, target, mainFields, banner,
 * externalModules: [] }`), which aws-cdk-lib turns into `esbuild --bundle <entry> --target=node22
 * --platform=node --format=esm --outfile=index.mjs --minify --sourcemap --main-fields=module,main
 * --banner:js=…`, run from the project root (so esbuild finds `tsconfig.json` itself). The options come from
 * infra's `handlerBundling`, so the two cannot drift. The source map is left out because
 * it is a separate file that does not count towards the `.mjs` size nor load at import.
 */
export const cdkBundlingOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: handlerBundling.target,
  mainFields: [...handlerBundling.mainFields],
  banner: { js: handlerBundling.banner },
  external: [...handlerBundling.externalModules],
} satisfies BuildOptions;

/** The floor: an empty handler, bundled the same way. */
const EMPTY_HANDLER = "export const handler = async () => ({ statusCode: 200, body: '' });\n";

/**
 * Handlers that hold one dependency each, bundled and imported like the functions: they show how much of a
 * function's import is its libraries rather than its own code. The DynamoDB one imports the adapter the
 * functions use, which builds its client on first use, as the functions do.
 */
export const REFERENCE_HANDLERS = {
  'dynamodb-client':
    "import { documentClient } from './functions/adapters/dynamodb/client.js';\n" +
    'export const handler = async () => documentClient();\n',
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
  /** Function id, or `floor` for the empty handler. */
  readonly name: string;
  /** Minified `.mjs` bundle, without source map. */
  readonly bytes: number;
  /** Median import time in a fresh Node process. */
  readonly importP50Ms: number;
  /** Every sample, in run order. */
  readonly importSamplesMs: readonly number[];
  /** `importP50Ms` / the floor's. */
  readonly ratioToFloor: number;
  /** The five input files contributing the most bytes. */
  readonly topModules: readonly ModuleShare[];
  /** The five npm packages (and `functions/` itself) contributing the most bytes. */
  readonly topPackages: readonly ModuleShare[];
}

export interface FunctionMeasurement extends BundleMeasurement {
  readonly name: FunctionId;
  readonly meetsTarget: {
    /** `bytes` < {@link COLD_START_TARGETS.maxBundleBytes}. */
    readonly size: boolean;
    /** `ratioToFloor` < {@link COLD_START_TARGETS.maxImportRatio}. */
    readonly import: boolean;
    readonly both: boolean;
  };
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
  /** Wall time of the whole section. */
  readonly durationMs: number;
}

export interface ColdStartOptions {
  readonly quick: boolean;
  /** Measure only these functions (the floor is always measured); all of them by default. */
  readonly functions?: readonly FunctionId[];
  /** Override the number of fresh processes per bundle. */
  readonly runs?: number;
}

interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly topModules: readonly ModuleShare[];
  readonly topPackages: readonly ModuleShare[];
}

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartReport> {
  const started = performance.now();
  const runs = options.runs ?? (options.quick ? IMPORT_RUNS.quick : IMPORT_RUNS.full);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  const names = options.functions ?? allFunctions;
  for (const name of names) {
    if (!(allFunctions as readonly string[]).includes(name)) throw new Error(`unknown function ${name}`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  try {
    const floorBundle = await bundle('floor', { source: EMPTY_HANDLER }, dir);
    const referenceBundles = await Promise.all(
      Object.entries(REFERENCE_HANDLERS).map(([name, source]) => bundle(name, { source }, dir)),
    );
    const bundles = await Promise.all(
      names.map((name) =>
        bundle(name, { file: join(projectRoot, 'functions', 'handlers', `${name}.ts`) }, dir),
      ),
    );

    const samples = await timeImports([floorBundle, ...referenceBundles, ...bundles], runs);
    const floorP50 = median(samples.get(floorBundle.name) ?? []);
    const measure = (b: Bundle): BundleMeasurement => {
      const importSamplesMs = samples.get(b.name) ?? [];
      const importP50Ms = median(importSamplesMs);
      return {
        name: b.name,
        bytes: b.bytes,
        importP50Ms: round(importP50Ms),
        importSamplesMs: importSamplesMs.map((ms) => round(ms)),
        ratioToFloor: round(importP50Ms / floorP50),
        topModules: b.topModules,
        topPackages: b.topPackages,
      };
    };

    const functions = bundles.map((b): FunctionMeasurement => {
      const m = measure(b);
      const size = m.bytes < COLD_START_TARGETS.maxBundleBytes;
      const imported = m.ratioToFloor < COLD_START_TARGETS.maxImportRatio;
      return {
        ...m,
        name: b.name as FunctionId,
        meetsTarget: { size, import: imported, both: size && imported },
      };
    });
    return {
      mode: options.quick ? 'quick' : 'full',
      runs,
      targets: COLD_START_TARGETS,
      bundling: cdkBundlingOptions,
      floor: measure(floorBundle),
      references: referenceBundles.map(measure),
      functions,
      allMeetTarget: functions.every((f) => f.meetsTarget.both),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Bundles one entry as the CDK would, into `<dir>/<name>/index.mjs`: a handler file, or source that
 * resolves its imports from the project root.
 */
async function bundle(
  name: string,
  entry: { readonly file: string } | { readonly source: string },
  dir: string,
): Promise<Bundle> {
  const outfile = join(dir, name, 'index.mjs');
  const result = await build({
    ...cdkBundlingOptions,
    mainFields: [...cdkBundlingOptions.mainFields],
    external: [...cdkBundlingOptions.external],
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : {
          stdin: { contents: entry.source, resolveDir: projectRoot, sourcefile: `${name}.ts`, loader: 'ts' },
        }),
    absWorkingDir: projectRoot,
    outfile,
    write: true,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = (await stat(outfile)).size;
  const { topModules, topPackages } = shares(result.metafile, outfile);
  return { name, file: outfile, bytes, topModules, topPackages };
}

/** Where the bundle's bytes come from: per input file and per npm package. */
function shares(metafile: Metafile, outfile: string) {
  const outputs = Object.entries(metafile.outputs);
  // One output per build (no source map, no splitting); matched by path, which esbuild gives relative.
  const output = outputs.find(([path]) => resolve(projectRoot, path) === outfile) ?? outputs[0];
  const inputs = Object.entries(output?.[1].inputs ?? {}).map(([path, { bytesInOutput }]) => ({
    name: path,
    bytes: bytesInOutput,
  }));
  const byPackage = new Map<string, number>();
  for (const input of inputs) {
    const key = packageOf(input.name);
    byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytes);
  }
  const top = (list: ModuleShare[]) => list.sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return {
    topModules: top(inputs),
    topPackages: top([...byPackage].map(([name, bytes]) => ({ name, bytes }))),
  };
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
async function timeImports(bundles: readonly Bundle[], runs: number): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // One warm-up round, not recorded: the first reads pull the bundles into the page cache.
  for (const b of bundles) await timeImport(b.file);
  for (let round = 0; round < runs; round++) {
    for (const b of bundles) samples.get(b.name)?.push(await timeImport(b.file));
  }
  return samples;
}

function timeImport(file: string): Promise<number> {
  const script =
    'const t = performance.now();' +
    `await import(${JSON.stringify(pathToFileURL(file).href)});` +
    'process.stdout.write(String(performance.now() - t));';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dirname(file),
      // A clean environment, as in Lambda: no NODE_OPTIONS from the caller (tsx, vitest) may load hooks.
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(out);
      if (code === 0 && out !== '' && Number.isFinite(ms)) resolve(ms);
      else reject(new Error(`importing ${file} failed (exit ${code}): ${err.trim() || out}`));
    });
  });
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** Markdown summary: one row per function, then what the biggest bundle is made of. */
export function formatColdStartMarkdown(report: ColdStartReport): string {
  const { floor, targets } = report;
  const lines = [
    `Cold start: minified bundle and median import in a fresh Node process (${report.runs} runs, ${report.mode} mode), ` +
      `against an empty-handler floor. Targets: under ${kb(targets.maxBundleBytes)} KB and under ${targets.maxImportRatio}× the floor.`,
    '',
    '| Function | Size (KB) | Import p50 (ms) | Ratio to floor | Target met |',
    '| --- | ---: | ---: | ---: | --- |',
    `| _floor (empty handler)_ | ${kb(floor.bytes)} | ${floor.importP50Ms.toFixed(2)} | 1.00 | — |`,
    ...report.references.map(
      (r) =>
        `| _reference: ${r.name} only_ | ${kb(r.bytes)} | ${r.importP50Ms.toFixed(2)} | ${r.ratioToFloor.toFixed(2)} | — |`,
    ),
  ];
  for (const f of report.functions) {
    const misses = [...(f.meetsTarget.size ? [] : ['size']), ...(f.meetsTarget.import ? [] : ['import'])];
    lines.push(
      `| ${f.name} | ${kb(f.bytes)} | ${f.importP50Ms.toFixed(2)} | ${f.ratioToFloor.toFixed(2)} | ` +
        `${misses.length === 0 ? 'yes' : `no (${misses.join(', ')})`} |`,
    );
  }
  const biggest = [...report.functions].sort((a, b) => b.bytes - a.bytes)[0];
  if (biggest !== undefined) {
    lines.push(
      '',
      `Biggest bundle: **${biggest.name}** (${kb(biggest.bytes)} KB). Largest contributors, minified:`,
      '',
      '| Package | KB |  | Module | KB |',
      '| --- | ---: | --- | --- | ---: |',
    );
    for (let i = 0; i < Math.max(biggest.topPackages.length, biggest.topModules.length); i++) {
      const p = biggest.topPackages[i];
      const m = biggest.topModules[i];
      lines.push(
        `| ${p ? `\`${p.name}\`` : ''} | ${p ? kb(p.bytes) : ''} |  | ${m ? `\`${m.name}\`` : ''} | ${m ? kb(m.bytes) : ''} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
