import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { HandlerFunction } from '../../infra/constructs/handler-function.js';

/**
 * The one test that bundles for real (every other infra test skips bundling): the health function, built by
 * the project's own esbuild exactly as `cdk synth` builds it, never by Docker.
 */
describe('bundling a function with the local esbuild', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dsm-bundling-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('produces an ESM bundle of the handler as the function’s code asset', () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundling', { env: { account: '111111111111', region: 'ap-northeast-2' } });
    const { fn } = new HandlerFunction(stack, 'Health', { handler: 'health', description: 'bundling test' });
    const assembly = app.synth();

    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
    };
    const code = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]?.Properties.Code;
    // The asset's hash names both the uploaded zip and the staged directory in the cloud assembly.
    const hash = /^([0-9a-f]{64})\.zip$/.exec(code?.S3Key ?? '')?.[1];
    expect(hash).toBeDefined();
    const bundle = join(outdir, `asset.${hash}`, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    const bundled = readFileSync(bundle, 'utf8');
    expect(bundled.length).toBeGreaterThan(10_000);
    expect(bundled).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(bundled.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
  }, 30_000);
});
