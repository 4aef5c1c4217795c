/**
 * The typed client (`local/api-client`) is generated from the OpenAPI document: the checked-in types are
 * exactly what openapi-typescript makes of the document today, so a route or schema change that was not
 * followed by `npm run openapi:types` fails here instead of compiling against a stale contract.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generatedTypes, typesPath } from '../../local/api-client/generate-types.js';

describe('the typed API client', () => {
  it('has generated types that are up to date with the OpenAPI document (npm run openapi:types)', async () => {
    const checkedIn = await readFile(typesPath, 'utf8');
    expect(checkedIn === (await generatedTypes()), 'run `npm run openapi:types`').toBe(true);
  }, 60_000);
});
