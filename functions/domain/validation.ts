import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { type FieldError, invalid } from './errors.js';

// zod/mini ships without a locale, so every default message would read "Invalid input"; clients rely on
// the English ones classic zod installs.
z.config(en());

/**
 * A schema built on first use. zod does the work of a schema when it is made, so schemas made at module load
 * would cost every cold start, for every route of a function, whether or not the route is ever called.
 * (Parts shared by several schemas are plain builders, such as {@link text}, called inside these.)
 */
export function lazySchema<S extends z.ZodMiniType>(build: () => S): () => S {
  let schema: S | undefined;
  return () => (schema ??= build());
}

/** Parses input with a zod schema, turning every issue into `{path, message}` of a 400 problem. */
export function parseInput<S extends z.ZodMiniType>(
  schema: () => S,
  input: unknown,
  what: string,
): z.infer<S> {
  const result = schema().safeParse(input);
  if (result.success) return result.data;
  throw invalid(`The ${what} is not valid.`, toFieldErrors(result.error));
}

export function toFieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? `/${issue.path.map(String).join('/')}` : '/',
    message: issue.message,
  }));
}

/**
 * Whole KRW: a non-negative safe integer, never a float. `z.int` is a check rather than the schema, so a
 * non-number keeps the default type message instead of this one.
 */
export const krw = () =>
  z.number().check(z.int('Amounts are whole KRW.'), z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));

export const isoDate = () => z.iso.date('Expected a date as YYYY-MM-DD.');

/**
 * Text fields: trimmed, NFC-normalised (Korean input arrives in both forms), non-empty, bounded. Piped so
 * that a non-string stops at its type error, as the length checks would otherwise still run on an array.
 */
export const text = (max: number) =>
  z.pipe(
    // "Something besides white space" is what the input side can say in JSON Schema (a `pattern`), so the
    // document and the gateway's models state it; the length is measured after trimming and normalising.
    z.string().check(z.regex(/\S/, 'Must not be empty.'), z.normalize('NFC'), z.trim()),
    z.string().check(z.maxLength(max, `At most ${max} characters.`)),
  );

/** JSON Schema keywords for a schema whose check is a function: what the document and the edge models say. */
export function documented<S extends z.ZodMiniType>(schema: S, keywords: Record<string, unknown>): S {
  z.globalRegistry.add(schema, keywords);
  return schema;
}

/** `limit` (1–100, default 20) and the opaque `cursor` every list takes. */
export const pageQuery = () => ({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});
