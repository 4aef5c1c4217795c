/**
 * Property tests: every write route that takes a JSON body answers an invalid body with a 400 problem
 * (RFC 9457, `status` equal to the HTTP status, an `errors` entry per problem) and writes nothing, whatever
 * the body: any JSON value, a valid body with one field of the wrong type, with an unknown field, or without
 * a required field. The calls are made by a caller allowed to make them, against resources in a state where
 * the valid body succeeds (the last test of each route proves it does).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brn, createProvider, seedService, serviceBody } from '../support/fixtures.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/** Runs per property; every route has four properties, one per kind of invalid body. */
const RUNS = 25;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = readonly (string | number)[];
/** The JSON type a field must have (its value may be constrained further; that is not what is tested). */
type Kind = 'string' | 'integer' | 'boolean' | 'array' | 'object-or-null';

interface BodyRoute {
  readonly method: 'POST' | 'PATCH';
  readonly path: () => string;
  readonly token: () => string;
  /** Headers every call needs besides the token, e.g. an Idempotency-Key. */
  readonly headers?: () => Record<string, string>;
  /** A valid body, which the generators break in one place. */
  readonly valid: () => JsonObject;
  /** Every field with a JSON type, nested ones included. */
  readonly fields: readonly (readonly [Path, Kind])[];
  /** Objects that refuse unknown keys (`[]` is the body itself). */
  readonly strictObjects: readonly Path[];
  /** Fields whose absence makes the body invalid. */
  readonly required: readonly Path[];
  /** What the valid body gets. */
  readonly accepted: number;
}

let api: TestApi;
let admin: string;
let committee: string;
let provider: string;
let agency: string;
let listedId: string;
let draftId: string;
let agendaServiceId: string;
let decisionServiceId: string;
let contractId: string;
const SESSION = 301;
let keys = 0;

const serviceFields: BodyRoute['fields'] = [
  [['name'], 'string'],
  [['summary'], 'string'],
  [['category'], 'string'],
  [['ai'], 'boolean'],
  [['networks'], 'array'],
  [['networks', 0], 'string'],
  [['csap'], 'object-or-null'],
  [['csap', 'grade'], 'string'],
  [['csap', 'certificateNumber'], 'string'],
  [['csap', 'validUntil'], 'string'],
  [['plans'], 'array'],
  [['plans', 0, 'id'], 'string'],
  [['plans', 0, 'name'], 'string'],
  [['plans', 0, 'unit'], 'string'],
  [['plans', 0, 'unitPriceKrw'], 'integer'],
];
const serviceStrictObjects: Path[] = [[], ['csap'], ['plans', 0]];
const nestedServiceRequired: Path[] = [
  ['csap', 'grade'],
  ['csap', 'certificateNumber'],
  ['csap', 'validUntil'],
  ['plans', 0, 'id'],
  ['plans', 0, 'name'],
  ['plans', 0, 'unit'],
  ['plans', 0, 'unitPriceKrw'],
];
const topLevel = (fields: BodyRoute['fields']): Path[] =>
  fields.filter(([path]) => path.length === 1).map(([path]) => path);

const routes: Record<string, BodyRoute> = {
  'POST /v1/providers': {
    method: 'POST',
    path: () => '/v1/providers',
    token: () => admin,
    valid: () => ({
      name: '누리데이터 주식회사',
      businessRegistrationNumber: brn('551234567'),
      contactEmail: 'sales@nuri.kr',
    }),
    fields: [
      [['name'], 'string'],
      [['businessRegistrationNumber'], 'string'],
      [['contactEmail'], 'string'],
    ],
    strictObjects: [[]],
    required: [['name'], ['businessRegistrationNumber'], ['contactEmail']],
    accepted: 201,
  },
  'POST /v1/agencies': {
    method: 'POST',
    path: () => '/v1/agencies',
    token: () => admin,
    valid: () => ({
      name: '서울특별시 강남구',
      institutionCode: '3220000',
      kind: 'LOCAL',
      network: 'INTRANET',
    }),
    fields: [
      [['name'], 'string'],
      [['institutionCode'], 'string'],
      [['kind'], 'string'],
      [['network'], 'string'],
    ],
    strictObjects: [[]],
    required: [['name'], ['institutionCode'], ['kind'], ['network']],
    accepted: 201,
  },
  'POST /v1/services': {
    method: 'POST',
    path: () => '/v1/services',
    token: () => provider,
    valid: () => serviceBody() as JsonObject,
    fields: serviceFields,
    strictObjects: serviceStrictObjects,
    required: [...topLevel(serviceFields), ...nestedServiceRequired],
    accepted: 201,
  },
  'PATCH /v1/services/{id}': {
    method: 'PATCH',
    path: () => `/v1/services/${draftId}`,
    token: () => provider,
    // Every field of a patch is optional, but a csap or plan given must be whole.
    valid: () => serviceBody() as JsonObject,
    fields: serviceFields,
    strictObjects: serviceStrictObjects,
    required: nestedServiceRequired,
    accepted: 200,
  },
  'POST /v1/services/{id}/revert': {
    method: 'POST',
    path: () => `/v1/services/${draftId}/revert`,
    token: () => admin,
    valid: () => ({ toVersion: 1 }),
    fields: [[['toVersion'], 'integer']],
    strictObjects: [[]],
    required: [['toVersion']],
    accepted: 200,
  },
  'POST /v1/review-sessions': {
    method: 'POST',
    path: () => '/v1/review-sessions',
    token: () => committee,
    valid: () => ({ number: 300, date: '2025-03-14' }),
    fields: [
      [['number'], 'integer'],
      [['date'], 'string'],
    ],
    strictObjects: [[]],
    required: [['number'], ['date']],
    accepted: 201,
  },
  'POST /v1/review-sessions/{number}/agenda': {
    method: 'POST',
    path: () => `/v1/review-sessions/${SESSION}/agenda`,
    token: () => committee,
    valid: () => ({ serviceId: agendaServiceId }),
    fields: [[['serviceId'], 'string']],
    strictObjects: [[]],
    required: [['serviceId']],
    accepted: 200,
  },
  'POST /v1/review-sessions/{number}/decisions': {
    method: 'POST',
    path: () => `/v1/review-sessions/${SESSION}/decisions`,
    token: () => committee,
    valid: () => ({ serviceId: decisionServiceId, decision: 'SELECTED', reason: '보안 요건을 충족함' }),
    fields: [
      [['serviceId'], 'string'],
      [['decision'], 'string'],
      [['reason'], 'string'],
    ],
    strictObjects: [[]],
    required: [['serviceId'], ['decision'], ['reason']],
    accepted: 200,
  },
  'POST /v1/contracts': {
    method: 'POST',
    path: () => '/v1/contracts',
    token: () => agency,
    headers: () => ({ 'idempotency-key': `invalid-body-${++keys}` }),
    valid: () => ({ serviceId: listedId, planId: 'basic', quantity: 3, months: 12, method: 'CATALOG' }),
    fields: [
      [['serviceId'], 'string'],
      [['planId'], 'string'],
      [['quantity'], 'integer'],
      [['months'], 'integer'],
      [['method'], 'string'],
    ],
    strictObjects: [[]],
    required: [['serviceId'], ['planId'], ['quantity'], ['months'], ['method']],
    accepted: 201,
  },
  'POST /v1/contracts/{id}/quote': {
    method: 'POST',
    path: () => `/v1/contracts/${contractId}/quote`,
    token: () => provider,
    valid: () => ({ amountKrw: 300_000 }),
    fields: [[['amountKrw'], 'integer']],
    strictObjects: [[]],
    required: [['amountKrw']],
    accepted: 200,
  },
};

// ---------------------------------------------------------------------------------------------------------
// Generators.

function hasKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object-or-null':
      return value === null || (typeof value === 'object' && !Array.isArray(value));
  }
}

const anyJson = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;

/** A value a field of this kind can never take. */
function wrongValue(kind: Kind): fc.Arbitrary<Json> {
  const wrongType = anyJson.filter((value) => !hasKind(value, kind));
  if (kind !== 'integer') return wrongType;
  const fraction = fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })
    .filter((n) => !Number.isInteger(n));
  return fc.oneof(wrongType, fraction);
}

function clone(body: JsonObject): JsonObject {
  return structuredClone(body);
}

function at(body: Json, path: Path): Json | undefined {
  let node: Json | undefined = body;
  for (const step of path) node = (node as Record<string | number, Json> | undefined)?.[step];
  return node;
}

/** Sets (as an own, enumerable property, so `__proto__` too) or deletes the field at `path`. */
function change(body: JsonObject, path: Path, value: Json | undefined): JsonObject {
  const copy = clone(body);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1] as string | number;
  if (value === undefined) delete parent[key];
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((step, i) => step === b[i]);

/**
 * Whether a value might be a valid body, judged only by its top-level shape: an object with known keys of
 * the right JSON types, the required ones present (a patch names at least one). Such values are left out of
 * the "any JSON" property, which must only send invalid bodies.
 */
function mightBeValid(route: BodyRoute, value: Json): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const kinds = new Map(route.fields.filter(([path]) => path.length === 1).map(([[k], kind]) => [k, kind]));
  const present = Object.keys(value);
  if (present.length === 0) return false;
  if (!present.every((key) => kinds.has(key) && hasKind(value[key], kinds.get(key) as Kind))) return false;
  return route.required.filter((path) => path.length === 1).every(([key]) => present.includes(key as string));
}

function invalidBodies(route: BodyRoute): [string, fc.Arbitrary<Json>][] {
  const topKeys = topLevel(route.fields).map(([key]) => key as string);
  const anyValue = fc
    .oneof(
      anyJson,
      fc.dictionary(fc.oneof(fc.constantFrom(...topKeys), fc.string()), anyJson, { maxKeys: 6 }),
    )
    .filter((value) => !mightBeValid(route, value));

  const wrongTyped = fc
    .constantFrom(...route.fields)
    .chain(([path, kind]) => wrongValue(kind).map((value) => change(route.valid(), path, value)));

  const unknownKey = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'toString', 'id', 'status', 'version', 'providerId'),
    fc.string({ minLength: 1, maxLength: 12 }),
  );
  const extraField = fc
    .tuple(fc.constantFrom(...route.strictObjects), unknownKey, anyJson)
    .filter(([object, key]) => !route.fields.some(([path]) => samePath(path, [...object, key])))
    .map(([object, key, value]) => change(route.valid(), [...object, key], value));

  const missingField = fc
    .constantFrom(...route.required)
    .map((path) => change(route.valid(), path, undefined));

  return [
    ['any JSON value', anyValue],
    ['a valid body with one field of the wrong type', wrongTyped],
    ['a valid body with an unknown field', extraField],
    ['a valid body without a required field', missingField],
  ];
}

// ---------------------------------------------------------------------------------------------------------

function send(route: BodyRoute, body: Json) {
  return api.call(route.method, route.path(), {
    token: route.token(),
    body,
    ...(route.headers ? { headers: route.headers() } : {}),
  });
}

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  committee = await api.token('committee');
  const providerId = await createProvider(api, '550811111');
  provider = await api.token('provider', providerId);
  const registered = await api.call('POST', '/v1/agencies', {
    token: admin,
    body: { name: '행정안전부', institutionCode: '1741000', kind: 'CENTRAL', network: 'INTERNET' },
  });
  expect(registered.status).toBe(201);
  agency = await api.token('agency', registered.body.id);

  listedId = (await seedService(api, providerId)).id;
  const draft = await api.call('POST', '/v1/services', { token: provider, body: serviceBody() });
  expect(draft.status).toBe(201);
  draftId = draft.body.id;

  const session = await api.call('POST', '/v1/review-sessions', {
    token: committee,
    body: { number: SESSION, date: '2025-03-14' },
  });
  expect(session.status).toBe(201);
  agendaServiceId = (await seedService(api, providerId, { status: 'SUBMITTED', selection: null })).id;
  decisionServiceId = (await seedService(api, providerId, { status: 'SUBMITTED', selection: null })).id;
  const onAgenda = await api.call('POST', `/v1/review-sessions/${SESSION}/agenda`, {
    token: committee,
    body: { serviceId: decisionServiceId },
  });
  expect(onAgenda.status).toBe(200);

  const contract = await api.call('POST', '/v1/contracts', {
    token: agency,
    body: { serviceId: listedId, planId: 'basic', quantity: 3, months: 12, method: 'NEGOTIATED' },
    headers: { 'idempotency-key': 'quote-target' },
  });
  expect(contract.status).toBe(201);
  contractId = contract.body.id;
}, 60_000);
afterAll(async () => api?.stop());

for (const [name, route] of Object.entries(routes)) {
  describe(name, () => {
    for (const [what, bodies] of invalidBodies(route)) {
      it(`answers ${what} with a 400 problem and writes nothing`, async () => {
        await api.settle();
        const before = await api.snapshot();
        await fc.assert(
          fc.asyncProperty(bodies, async (body) => {
            const res = await send(route, body);
            const context = `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`;
            expect(res.status, context).toBe(400);
            expect(res.headers.get('content-type'), context).toBe('application/problem+json');
            expect(res.body, context).toMatchObject({
              type: '/problems/invalid',
              title: expect.any(String),
              status: res.status,
              detail: expect.any(String),
            });
            expect(res.body.errors, context).toEqual(
              expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }]),
            );
          }),
          { numRuns: RUNS },
        );
        // Every answer was a 400; a 2xx among them, or a 4xx that wrote, would show here.
        await api.settle();
        expect(await api.snapshot()).toEqual(before);
      });
    }

    it(`accepts the valid body the generators start from (${route.accepted})`, async () => {
      const res = await send(route, route.valid());
      expect(res.status, JSON.stringify(res.body)).toBe(route.accepted);
    });
  });
}
