/**
 * RFC 6902 JSON Patch between two JSON documents: what the audit events and a service's version history
 * call `changes`. Objects are compared member by member, arrays of equal length element by element, and
 * anything else that differs is replaced whole (a shorter patch than the minimal edit script, and as valid).
 * Applying the patch to `before` gives `after` exactly; `applyPatch` does that, for the tests and readers.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type PatchOperation =
  | { readonly op: 'add'; readonly path: string; readonly value: Json }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'replace'; readonly path: string; readonly value: Json };

/** A JSON Pointer token (RFC 6901): `~` as `~0`, `/` as `~1`. */
const token = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function diff(before: Json, after: Json, path = ''): PatchOperation[] {
  if (equal(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const ops: PatchOperation[] = [];
    for (const key of Object.keys(before)) {
      if (!(key in after)) ops.push({ op: 'remove', path: `${path}/${token(key)}` });
    }
    for (const [key, value] of Object.entries(after)) {
      const at = `${path}/${token(key)}`;
      if (!(key in before)) ops.push({ op: 'add', path: at, value });
      else ops.push(...diff(before[key] as Json, value, at));
    }
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return after.flatMap((value, i) => diff(before[i] as Json, value, `${path}/${i}`));
  }
  return [{ op: 'replace', path, value: after }];
}

/** The document a patch makes of `document` (for checking; the API never applies a client's patch). */
export function applyPatch(document: Json, patch: readonly PatchOperation[]): Json {
  let result: Json = structuredClone(document);
  for (const operation of patch) {
    if (operation.path === '') {
      result = operation.op === 'remove' ? null : structuredClone(operation.value);
      continue;
    }
    const tokens = operation.path
      .slice(1)
      .split('/')
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop() as string;
    let parent: Json = result;
    for (const t of tokens) parent = (parent as Record<string, Json>)[t] as Json;
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (operation.op === 'remove') parent.splice(index, 1);
      else if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
      else parent[index] = structuredClone(operation.value);
    } else if (isObject(parent)) {
      if (operation.op === 'remove') delete parent[last];
      else parent[last] = structuredClone(operation.value);
    }
  }
  return result;
}

function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}
