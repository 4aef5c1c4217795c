/**
 * What the case routes answer (DESIGN.md §7), as zod/mini schemas like `representations.ts`: strict
 * objects, the field names being the contract.
 */
import * as z from 'zod/mini';
import { krw } from '../../domain/validation.js';
import { caseStatuses, categories, csapGrades, networks } from '../../domain/vocabulary.js';
import { contract, page, pricePlan } from './representations.js';

const timestamp = z.iso.datetime();
const date = z.iso.date();
const id = z.string().check(z.minLength(1), z.maxLength(64));
const count = z.int().check(z.minimum(0));
const positive = z.int().check(z.minimum(1));

const query = z.strictObject({
  q: z.optional(z.string()),
  category: z.optional(z.enum(categories)),
  ai: z.optional(z.boolean()),
  network: z.optional(z.enum(networks)),
  csapGrade: z.optional(z.enum(csapGrades)),
});

export const savedSearch = z.strictObject({ id, query, savedAt: timestamp });

const shortlistEntry = z.strictObject({ serviceId: id, note: z.string(), addedAt: timestamp });

export const procurementCase = z.strictObject({
  id,
  agencyId: id,
  title: z.string(),
  need: z.string(),
  quantity: positive,
  months: positive,
  budgetKrw: z.nullable(krw()),
  status: z.enum(caseStatuses),
  searches: z.array(savedSearch),
  shortlist: z.array(shortlistEntry),
  snapshots: count,
  contractIds: z.array(id),
  award: z.nullable(z.strictObject({ contractId: id, amountKrw: krw(), awardedAt: timestamp })),
  outcome: z.nullable(z.strictObject({ reason: z.string(), at: timestamp })),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: positive,
});

export const comparison = z.strictObject({
  quantity: positive,
  months: positive,
  items: z.array(
    z.strictObject({
      serviceId: id,
      serviceVersion: positive,
      name: z.string(),
      providerId: id,
      providerName: z.string(),
      category: z.enum(categories),
      ai: z.boolean(),
      networks: z.array(z.enum(networks)),
      offeredOnAgencyNetwork: z.boolean(),
      listed: z.boolean(),
      csap: z.nullable(
        z.strictObject({ grade: z.enum(csapGrades), certificateNumber: z.string(), validUntil: date }),
      ),
      selection: z.nullable(
        z.strictObject({ sessionNumber: positive, decidedAt: timestamp, validUntil: date }),
      ),
      plans: z.array(z.strictObject({ ...pricePlan.shape, amountKrw: krw() })),
      lowestAmountKrw: z.nullable(krw()),
      withinBudget: z.nullable(z.boolean()),
      contractsSigned: count,
    }),
  ),
});

export const caseSnapshot = z.strictObject({
  number: positive,
  caseId: id,
  lockedAt: timestamp,
  lockedBy: z.strictObject({ sub: z.string(), org: id }),
  case: z.strictObject({
    title: z.string(),
    need: z.string(),
    quantity: positive,
    months: positive,
    budgetKrw: z.nullable(krw()),
  }),
  searches: z.array(
    z.strictObject({
      id,
      query,
      matched: count,
      results: z.array(z.strictObject({ serviceId: id, version: positive })),
    }),
  ),
  shortlist: z.array(shortlistEntry),
  comparison,
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

export const quotes = z.strictObject({ contracts: z.array(contract) });

export const casePage = page(procurementCase);
