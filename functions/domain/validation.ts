import * as z from 'zod';
import { type FieldError, invalid } from './errors.js';

/** Parses input with a zod schema, turning every issue into `{path, message}` of a 400 problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(`The ${what} is not valid.`, toFieldErrors(result.error));
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? `/${issue.path.map(String).join('/')}` : '/',
    message: issue.message,
  }));
}

/** Whole KRW: a non-negative safe integer, never a float. */
export const krw = z.number().int('Amounts are whole KRW.').nonnegative().max(Number.MAX_SAFE_INTEGER);

export const isoDate = z.iso.date('Expected a date as YYYY-MM-DD.');

/** Text fields: trimmed, NFC-normalised (Korean input arrives in both forms), non-empty, bounded. */
export const text = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1, 'Must not be empty.').max(max, `At most ${max} characters.`));

/** `limit` (1–100, default 20) and the opaque `cursor` every list takes. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
};
