import { expect } from 'vitest';
import type { ApiCall, CallOptions, TestApi } from './local-api.js';

/**
 * Sends a request that must fail with `status`, as problem+json, and proves it changed no item in any
 * table (projections included: everything is settled before each snapshot).
 */
export async function rejectsWithoutWriting(
  api: TestApi,
  method: string,
  path: string,
  options: CallOptions,
  status: number,
) {
  await api.settle();
  const before = await api.snapshot();
  const res = await api.call(method, path, options);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  await api.settle();
  expect(await api.snapshot()).toEqual(before);
  return res;
}

/** An answer's status, with its body in the failure message. */
export function expectStatus(res: ApiCall, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

/** The provider quotes every one of the contracts at the same amount. */
export async function quoteEach(
  api: TestApi,
  providerToken: string,
  contractIds: readonly string[],
  amountKrw: number,
): Promise<void> {
  for (const contractId of contractIds) {
    expectStatus(
      await api.call('POST', `/v1/contracts/${contractId}/quote`, {
        token: providerToken,
        body: { amountKrw },
      }),
      200,
    );
  }
}
