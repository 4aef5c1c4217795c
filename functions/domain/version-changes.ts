/**
 * What changed between two versions of an entity, as RFC 6902 operations on its content. Free of schemas:
 * the projector and the history adapter need only this, so their bundles do not load the validation library.
 */
import type { Entity } from './entities.js';
import { diff, type Json, type PatchOperation } from './json-patch.js';

/**
 * Fields that move with the state rather than describe the entity: a change of only these is `changes: []`
 * ("only the status moved"). Identity and bookkeeping (`id`, `version`, times) are never content either.
 */
const NOT_CONTENT = new Set([
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'status',
  'selection',
  'requestedAt',
  'quotedAt',
  'signedAt',
  'closedAt',
  'leadTimeDays',
]);

/** What an entity says, as JSON, without its state and bookkeeping. */
export function contentOf(entity: Entity | Record<string, unknown>): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(JSON.parse(JSON.stringify(entity)) as Record<string, Json>).filter(
      ([name]) => !NOT_CONTENT.has(name),
    ),
  );
}

/** The patch from one version's content to the next; a first version adds the whole content. */
export function changesBetween(
  before: Entity | Record<string, unknown> | undefined,
  after: Entity | Record<string, unknown>,
): PatchOperation[] {
  if (!before) return [{ op: 'add', path: '', value: contentOf(after) }];
  return diff(contentOf(before), contentOf(after));
}
