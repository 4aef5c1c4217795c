/**
 * A thin typed client of this API: openapi-fetch over the types openapi-typescript generates from the
 * OpenAPI document (`openapi.d.ts`), so paths, parameters, bodies and answers are checked against the
 * contract at compile time. The project's own tools (the drill's load driver, the bench) call the API
 * through it, as a front end or an agency system would.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi.js';

export type ApiClient = Client<paths>;
export type Schemas = components['schemas'];

/** A client of the API at `baseUrl` (a gateway, the drill's front, a deployed stage). */
export function apiClient(
  baseUrl: string,
  options: { readonly fetch?: (request: Request) => Promise<Response> } = {},
): ApiClient {
  return createClient<paths>({ baseUrl, ...options });
}

/** `Authorization: Bearer <token>`, for the `headers` option of a call. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** `Retry-After` of an answer, in milliseconds (0 when absent or not a number of seconds). */
export function retryAfterMs(response: Response): number {
  return Number(response.headers.get('retry-after')) * 1000 || 0;
}
