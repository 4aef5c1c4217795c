import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Alias,
  Architecture,
  Code,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiFunctionTimeoutSeconds } from '../../functions/routes.js';
import { acknowledge, XRAY_REASON } from '../nag.js';

/** The repository root: `functions/` and `package-lock.json` live there. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The alias every caller invokes; see {@link HandlerFunction.alias}. */
export const LIVE_ALIAS = 'live';

export interface HandlerFunctionProps {
  /** The handler module: `functions/handlers/<handler>.ts`, exporting `handler`. */
  readonly handler: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /**
   * Files the code reads at run time, copied next to the bundle: file name in the asset → the package
   * file it is (resolved from the project's node_modules). A Lambda package has no node_modules.
   * @default none
   */
  readonly bundledFiles?: Readonly<Record<string, string>>;
}

/**
 * How every function is bundled; the benchmark builds its bundles from the same options
 * ({@link handlerBuildOptions}).
 *
 * The AWS SDK is bundled, so deployed code runs the versions pinned in package-lock.json, except the
 * credential providers Lambda never reaches: it supplies credentials in environment variables, and the
 * SDK loads the other providers (SSO, INI files, process, web identity, container and instance metadata)
 * only lazily, when those are absent. Leaving them out saves ~93 KB per function; should one ever load,
 * the runtime's own SDK provides it.
 */
export const handlerBundling = {
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  externalModules: [
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@smithy/credential-provider-imds',
  ],
} as const;

/**
 * The esbuild options of one function's asset: `index.mjs` (Lambda's `index.handler`) and, with code
 * splitting, `chunks/*.mjs` for what the entry imports with `import()` (a function's operations, the
 * token verifier, the SDK's own lazy parts), so a cold start compiles only what it runs (issue 23).
 * Minified ESM for Node 22, with a source map whose mappings are enough for stack traces: with
 * `--enable-source-maps` Node reads and parses the map at every cold start, and the sources inside it
 * tripled its size for nothing (bench, services: import CPU ~1.5× the bundle's without a map with them,
 * ~1.3× without them; issue 15). The `require` banner lets bundled CommonJS reach Node's built-ins.
 */
export function handlerBuildOptions(entry: string, outdir: string) {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: handlerBundling.target,
    mainFields: [...handlerBundling.mainFields],
    banner: { js: handlerBundling.banner },
    external: [...handlerBundling.externalModules],
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    absWorkingDir: projectRoot,
    logLevel: 'warning',
  } satisfies BuildOptions;
}

/**
 * A Lambda function bundled from `functions/handlers/<handler>.ts` with the project's own esbuild (never
 * Docker): Node.js 22 on Graviton, ESM with code splitting, X-Ray active, logs kept three months in a log
 * group this stack owns. (`NodejsFunction` bundles into one `--outfile`, which esbuild refuses to split.)
 *
 * The AWS SDK is bundled rather than taken from the runtime, so the deployed code runs the SDK versions
 * pinned in package-lock.json, the ones the tests ran against.
 *
 * Each function has its own role that may write to its own log group only (instead of the managed
 * AWSLambdaBasicExecutionRole, which allows every log group in the account); grants add the rest.
 */
export class HandlerFunction extends Construct {
  readonly fn: LambdaFunction;
  /**
   * `live`: the alias every caller invokes (API Gateway, the authorizers, event source mappings, schedules),
   * never `$LATEST`. Each deploy publishes a version; CodeDeploy moves this alias to it step by step
   * (`safe-deployments.ts`) and back on an alarm.
   */
  readonly alias: Alias;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.handler}: its own log group, then what the stack grants`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.fn = new LambdaFunction(this, 'Function', {
      role: this.role,
      code: handlerCode(props.handler, props.bundledFiles ?? {}),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(apiFunctionTimeoutSeconds),
      tracing: Tracing.ACTIVE,
      // Replaced versions stay published: a hand rollback points the alias back at the previous one.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: `marketplace-${props.handler}`,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    // A new version per code or configuration change (`currentVersion` hashes both); see currentVersionOptions.
    this.alias = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.fn.currentVersion });
    acknowledge(this.role, 'AwsSolutions-IAM5[Resource::*]', XRAY_REASON);
    acknowledge(
      this.fn,
      'AwsSolutions-L1',
      'Node.js 22 is the runtime the project targets and tests (esbuild target node22, issue 4); Node.js 24 is a deliberate, tested upgrade, not a silent one.',
    );
  }
}

/**
 * The function's code asset, bundled by the project's esbuild in this process ({@link handlerBuildOptions}),
 * then the package files it reads at run time copied beside it (a Lambda package has no node_modules). The
 * asset is hashed from its output, so an unchanged bundle is not uploaded again.
 */
function handlerCode(handler: string, bundledFiles: Readonly<Record<string, string>>): Code {
  const entry = join(projectRoot, 'functions', 'handlers', `${handler}.ts`);
  const resolve = createRequire(join(projectRoot, 'package.json')).resolve;
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws. The command names the entry because the
      // staging cache is keyed on these options, and two functions must never share a bundle.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      command: ['esbuild', relative(projectRoot, entry), ...Object.keys(bundledFiles)],
      local: {
        tryBundle(outputDir) {
          buildSync(handlerBuildOptions(entry, outputDir));
          for (const [name, module] of Object.entries(bundledFiles)) {
            copyFileSync(resolve(module), join(outputDir, name));
          }
          return true;
        },
      },
    },
  });
}
