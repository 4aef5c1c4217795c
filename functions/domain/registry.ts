import * as z from 'zod/mini';
import { type Caller, requireUser } from './caller.js';
import { type Created, createIdempotently } from './create.js';
import { forbidden, notFound } from './errors.js';
import type { Deps } from './ports.js';
import { documented, lazySchema, parseInput, text } from './validation.js';
import { agencyKinds, networks } from './vocabulary.js';
import type { Agency, Provider } from './entities.js';

const BRN_WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5];

/** The check digit of a business registration number's first nine digits (National Tax Service algorithm). */
export function businessRegistrationCheckDigit(firstNine: string): number {
  const d = [...firstNine].map(Number);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d[i] ?? 0) * (BRN_WEIGHTS[i] ?? 0);
  sum += Math.floor(((d[8] ?? 0) * 5) / 10);
  return (10 - (sum % 10)) % 10;
}

export function isValidBusinessRegistrationNumber(digits: string): boolean {
  return /^\d{10}$/.test(digits) && businessRegistrationCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

// Piped so a malformed number reports only its format, not also a check-digit mismatch.
const businessRegistrationNumber = () =>
  documented(
    z
      .pipe(
        z
          .string()
          .check(z.regex(/^(\d{10}|\d{3}-\d{2}-\d{5})$/, 'Expected 10 digits, optionally as 123-45-67890.')),
        z.transform((s) => s.replaceAll('-', '')),
      )
      .check(z.refine(isValidBusinessRegistrationNumber, 'The check digit does not match.')),
    {
      description:
        'Ten digits (`123-45-67890` accepted); the last is the National Tax Service check digit of the first nine.',
    },
  );

export const providerInput = lazySchema(() =>
  z.strictObject({
    name: text(200),
    businessRegistrationNumber: businessRegistrationNumber(),
    contactEmail: z.email('Expected an e-mail address.').check(z.maxLength(254)),
  }),
);

export const agencyInput = lazySchema(() =>
  z.strictObject({
    name: text(200),
    institutionCode: z.string().check(z.regex(/^\d{7}$/, 'Expected 7 digits.')),
    kind: z.enum(agencyKinds),
    network: z.enum(networks),
  }),
);

export async function registerProvider(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<Provider>> {
  const user = requireUser(caller);
  const input = parseInput(providerInput, body, 'provider');
  return createIdempotently(deps, user, {
    kind: 'provider',
    identity: { prefix: 'prv' },
    body,
    idempotencyKey,
    uniqueKeys: [`brn:${input.businessRegistrationNumber}`],
    prepare: (id, createdAt) => ({ id, ...input, createdAt, version: 1 }),
    duplicateMessage: 'A provider with this business registration number is already registered.',
  });
}

export async function getProvider(deps: Deps, id: string): Promise<Provider> {
  const provider = await deps.entities.get<Provider>('provider', id);
  if (!provider) throw notFound(`Provider ${id}`);
  return provider;
}

export async function registerAgency(
  deps: Deps,
  caller: Caller,
  body: unknown,
  idempotencyKey: string | undefined,
): Promise<Created<Agency>> {
  const user = requireUser(caller);
  const input = parseInput(agencyInput, body, 'agency');
  return createIdempotently(deps, user, {
    kind: 'agency',
    identity: { prefix: 'agc' },
    body,
    idempotencyKey,
    uniqueKeys: [`institution:${input.institutionCode}`],
    prepare: (id, createdAt) => ({ id, ...input, createdAt, version: 1 }),
    duplicateMessage: 'An agency with this institution code is already registered.',
  });
}

/** Admins read any agency; an agency user reads only its own. */
export async function getAgency(deps: Deps, caller: Caller, id: string): Promise<Agency> {
  const user = requireUser(caller);
  if (user.role !== 'admin' && user.org !== id) {
    throw forbidden('Only administrators and the agency itself may read an agency.');
  }
  const agency = await deps.entities.get<Agency>('agency', id);
  if (!agency) throw notFound(`Agency ${id}`);
  return agency;
}
