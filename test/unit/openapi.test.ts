/**
 * The OpenAPI document cannot drift from the code: every route of the table is in it and nothing else is,
 * every schema the domain validates a request with and every representation is in it as generated, and two
 * tools nobody here wrote accept it (the OpenAPI 3.1 schema, and Redocly CLI's recommended-strict rules).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { auditQuery } from '../../functions/domain/audit.js';
import { contractInput, contractListQuery, quoteInput } from '../../functions/domain/contract.js';
import { agencyInput, providerInput } from '../../functions/domain/registry.js';
import { agendaInput, decisionInput, openInput } from '../../functions/domain/review.js';
import { serviceInput, serviceListQuery, servicePatch } from '../../functions/domain/service.js';
import { openApiDocument } from '../../functions/http/openapi/document.js';
import * as representations from '../../functions/http/openapi/representations.js';
import { routeTable } from '../../functions/routes.js';

const document = openApiDocument();
const operationsOf = (doc: typeof document) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );

/** What `z.toJSONSchema` makes of a schema, with `$ref`s to the document's components inlined away. */
function generated(schema: z.ZodMiniType, io: 'input' | 'output') {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io });
  return rest;
}

function inlined(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inlined);
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) {
    const name = ref.replace('#/components/schemas/', '');
    return inlined(document.components.schemas[name]);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inlined(value)]));
}

describe('the OpenAPI document', () => {
  it('has exactly the routes of the route table', () => {
    expect(operationsOf(document).sort()).toEqual(routeTable.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('holds every request schema the domain validates with, as zod generates it', () => {
    const components = Object.values(document.components.schemas).map(inlined);
    for (const schema of [
      providerInput(),
      agencyInput(),
      serviceInput(),
      servicePatch(),
      openInput(),
      agendaInput(),
      decisionInput(),
      contractInput(),
      quoteInput(),
    ]) {
      expect(components).toContainEqual(generated(schema, 'input'));
    }
  });

  it('takes each list’s query parameters from the schema the domain parses the query with', () => {
    const queries = {
      '/v1/services': serviceListQuery(),
      '/v1/contracts': contractListQuery(),
      '/v1/audit': auditQuery(),
    } as const;
    for (const [path, query] of Object.entries(queries)) {
      const { properties = {}, required = [] } = generated(query, 'input') as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      const parameters = document.paths[path]?.get as { parameters: { in: string; name: string }[] };
      expect(parameters.parameters.filter((p) => p.in === 'query')).toEqual(
        Object.entries(properties).map(([name, schema]) => ({
          name,
          in: 'query',
          required: required.includes(name),
          schema,
        })),
      );
    }
  });

  it('holds every representation of the API', () => {
    const components = Object.values(document.components.schemas).map(inlined);
    const { page, ...named } = representations;
    for (const schema of Object.values(named)) expect(components).toContainEqual(generated(schema, 'output'));
    // The catalog's page is `servicePage` (it may carry facets); the other lists are plain pages.
    for (const item of [
      representations.serviceVersion,
      representations.contract,
      representations.auditEvent,
    ]) {
      expect(components).toContainEqual(generated(page(item), 'output'));
    }
  });

  it('documents the roles of every route that needs a token, and the bearer scheme', () => {
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of routeTable) {
      const operation = (document.paths[route.path] as Record<string, Record<string, unknown>>)[
        route.method.toLowerCase()
      ];
      expect(operation?.['x-roles'], `${route.method} ${route.path}`).toEqual(
        route.access === 'anyone' ? undefined : route.access,
      );
    }
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(validator.version).toBe('3.1');
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('passes Redocly CLI’s lint (recommended-strict, redocly.yaml) without a finding', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [
          'node_modules/@redocly/cli/bin/cli.js',
          'lint',
          file,
          '--config',
          'redocly.yaml',
          '--format',
          'json',
        ],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      ).catch((error: { stdout: string; stderr: string }) => error);
      const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems, stderr).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
