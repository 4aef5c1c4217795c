import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError } from '../domain/errors.js';
import { type Problem, problem, refusedToken } from './problem.js';
import type { ApiResponse } from './responses.js';

/** AWS errors that mean "try again shortly": throttling, write conflicts between Regions, outages. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ReplicatedWriteConflictException',
  'TransactionConflictException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'AbortError',
  // An MRSC replica cut off from its quorum, or whose replication is paused, refuses with this: an outage.
  'AccessDeniedException',
]);

/** A bearer token was sent and refused: 401 with the challenge API Gateway's own refusal carries. */
export class RefusedTokenError extends DomainError {
  constructor() {
    super('unauthenticated', refusedToken.detail);
  }
}

/**
 * Every failure as problem+json: the domain's own kinds by their status, store outages (after the SDK's
 * retries, or past the request's deadline) as 503 with Retry-After, anything else as a logged 500.
 */
export function failure(
  error: unknown,
  instance: string,
  logger: Logger,
  logKeys: Readonly<Record<string, string | undefined>> = {},
): ApiResponse {
  if (error instanceof DomainError) {
    const body: Problem = { ...problem(error.kind, error.message, error.errors), instance };
    return {
      status: body.status,
      body,
      headers: {
        ...(error.kind === 'unauthenticated'
          ? { 'www-authenticate': error instanceof RefusedTokenError ? refusedToken.challenge : 'Bearer' }
          : {}),
        ...(error.retryAfterSeconds ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
      },
    };
  }
  const name = (error as Error)?.name ?? '';
  const code = (error as { code?: string })?.code ?? '';
  if (RETRYABLE.has(name) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) {
    logger.warn('store unavailable', { ...logKeys, error: name || code });
    return {
      status: 503,
      body: { ...problem('unavailable', 'The data store is busy or unreachable; retry shortly.'), instance },
      headers: { 'retry-after': '1' },
    };
  }
  logger.error('unhandled error', { ...logKeys, error: error as Error });
  return {
    status: 500,
    body: {
      type: '/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side; it has been logged.',
      instance,
    },
  };
}
