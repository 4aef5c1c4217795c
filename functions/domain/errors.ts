/** Failures the domain reports; the HTTP layer maps each kind to a status and a problem type. */
export type FailureKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unavailable';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly errors: readonly FieldError[] = [],
    /** Seconds a client should wait before retrying (`unavailable` only). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, errors: readonly FieldError[] = []) =>
  new DomainError('invalid', message, errors);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (what: string) => new DomainError('not-found', `${what} was not found.`);
export const conflict = (message: string) => new DomainError('conflict', message);
export const preconditionFailed = (current: number) =>
  new DomainError('precondition-failed', `If-Match does not match the current version ${current}.`);
