import type { FailureKind, FieldError } from '../domain/errors.js';

export const statusOf: Record<FailureKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unavailable: 503,
};

const titles: Record<FailureKind, string> = {
  invalid: 'The request is not valid',
  unauthenticated: 'Authentication is required',
  forbidden: 'Not allowed for this caller',
  'not-found': 'Not found',
  conflict: 'Conflicts with the current state',
  'precondition-failed': 'The resource has changed',
  'payload-too-large': 'The request body is too large',
  'unsupported-media-type': 'The request body must be JSON',
  unavailable: 'Temporarily unavailable',
};

/** RFC 9457 problem details; `type` is a relative reference under the API's own `/problems/`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly instance?: string;
}

export function problem(kind: FailureKind, detail: string, errors: readonly FieldError[] = []): Problem {
  return {
    type: `/problems/${kind}`,
    title: titles[kind],
    status: statusOf[kind],
    detail,
    ...(errors.length ? { errors } : {}),
  };
}

/**
 * 429: what the API Gateway stage throttle, the WAF rate rule and the local gateway answer past a limit. Not
 * a failure kind of the functions: only what stands in front of them refuses for rate.
 */
export function throttledProblem(detail: string): Problem {
  return { type: '/problems/throttled', title: 'Too many requests', status: 429, detail };
}

/** 431: what a gateway answers to request headers over its limit, before any route is looked up. */
export function headersTooLargeProblem(detail: string): Problem {
  return {
    type: '/problems/headers-too-large',
    title: 'Request header fields too large',
    status: 431,
    detail,
  };
}
