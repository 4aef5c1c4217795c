import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { redocFile } from '../../functions/http/openapi/docs-page.js';
import { HandlerFunction } from '../../infra/constructs/handler-function.js';

/**
 * The tests that bundle for real (every other infra test skips bundling): functions built by the project's
 * own esbuild exactly as `cdk synth` builds them, never by Docker.
 */
describe('bundling a function with the local esbuild', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dsm-bundling-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('produces an ESM bundle of each handler, its operations in a chunk loaded on first use', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundling', { env: { account: '111111111111', region: 'ap-northeast-2' } });
    const health = new HandlerFunction(stack, 'Health', { handler: 'health', description: 'bundling test' });
    const stats = new HandlerFunction(stack, 'Stats', { handler: 'stats', description: 'bundling test' });
    const assembly = app.synth();

    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
    };
    // The asset's hash names both the uploaded zip and the staged directory in the cloud assembly.
    const assetOf = ({ fn }: HandlerFunction) =>
      /^([0-9a-f]{64})\.zip$/.exec(
        template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]?.Properties.Code.S3Key ?? '',
      )?.[1];
    expect(assetOf(health)).toBeDefined();
    // Two functions never share a staged bundle.
    expect(assetOf(stats)).not.toBe(assetOf(health));
    const asset = join(outdir, `asset.${assetOf(health)}`);
    const bundle = join(asset, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    const bundled = readFileSync(bundle, 'utf8');
    expect(bundled).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(bundled.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    // The operations are a chunk of their own, which the entry imports only with `import()`.
    const chunks = readdirSync(join(asset, 'chunks'));
    const operations = chunks.find((name) => /^health-[A-Z0-9]+\.mjs$/.test(name));
    expect(operations, chunks.join(', ')).toBeDefined();
    expect(bundled).toMatch(new RegExp(`import\\(\\s*["']\\./chunks/${operations}["']\\s*\\)`));
    expect(bundled).not.toMatch(new RegExp(`from\\s*["']\\./chunks/${operations}["']`));
  }, 60_000);

  it('ships Redoc beside the docs function, which serves /docs from its asset alone', async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'DocsBundling', {
      env: { account: '111111111111', region: 'ap-northeast-2' },
    });
    const { fn } = new HandlerFunction(stack, 'Docs', {
      handler: 'docs',
      description: 'bundling test',
      bundledFiles: { [redocFile.name]: redocFile.module },
    });
    const assembly = app.synth();
    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
    };
    const key = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]?.Properties.Code.S3Key;
    // Moved out of the project, where no node_modules can stand in for the copied file.
    const lambdaTask = mkdtempSync(join(tmpdir(), 'dsm-docs-task-'));
    cpSync(join(outdir, `asset.${key?.replace(/\.zip$/, '')}`), lambdaTask, { recursive: true });
    try {
      expect(readdirSync(lambdaTask).sort()).toEqual([
        'chunks',
        'index.mjs',
        'index.mjs.map',
        redocFile.name,
      ]);
      // Lambda names the package's root in LAMBDA_TASK_ROOT; the docs page reads Redoc from there.
      vi.stubEnv('LAMBDA_TASK_ROOT', lambdaTask);
      const { handler } = (await import(pathToFileURL(join(lambdaTask, 'index.mjs')).href)) as {
        handler: (event: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      const answer = await handler({
        httpMethod: 'GET',
        resource: '/docs',
        path: '/docs',
        headers: {},
        requestContext: { requestId: 'bundling-test' },
      });
      expect(answer.statusCode, answer.body.slice(0, 300)).toBe(200);
      expect(answer.body).toContain('Redoc.init(');
      expect(answer.body.length).toBeGreaterThan(1_000_000);
    } finally {
      vi.unstubAllEnvs();
      rmSync(lambdaTask, { recursive: true, force: true });
    }
  }, 60_000);
});
