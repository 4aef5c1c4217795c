import { describe, expect, it, vi } from 'vitest';
import { apiHandler, type OperationsModule } from '../../functions/http/api.js';
import { apiFunctions, routeKey, routesOf } from '../../functions/routes.js';
import { proxyEvent } from '../support/fixtures.js';

const event = (method: string, path: string, headers: Record<string, string> = {}) =>
  proxyEvent(method, path, headers, { requestId: 'api-handler-test' });

const statsModule = (ports: () => string): OperationsModule<string> => ({
  ports,
  operations: { 'GET /v1/stats': async (_request, port) => ({ status: 200, body: { port } }) },
});

describe('apiHandler: operations loaded on first use', () => {
  it('every function’s operations module has an operation for each of its routes, and no other', async () => {
    for (const fn of apiFunctions) {
      const file = new URL(`../../functions/handlers/operations/${fn}.ts`, import.meta.url).href;
      const module = (await import(/* @vite-ignore */ file)) as OperationsModule<unknown>;
      expect(Object.keys(module.operations).sort(), fn).toEqual(routesOf(fn).map(routeKey).sort());
      expect(typeof module.ports, fn).toBe('function');
    }
  });

  it('loads the operations once, on the first request that runs one, and passes them the ports', async () => {
    const load = vi.fn(async () => statsModule(() => 'region ports'));
    const handler = apiHandler('stats', load);
    expect(load).not.toHaveBeenCalled();

    const first = await handler(event('GET', '/v1/stats'));
    const second = await handler(event('GET', '/v1/stats'));
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ port: 'region ports' });
    expect(second.statusCode).toBe(200);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('never loads them for a request refused before any operation runs', async () => {
    const load = vi.fn(async () => statsModule(() => 'unused'));
    const handler = apiHandler('stats', load);

    expect((await handler(event('GET', '/v1/no-such-route'))).statusCode).toBe(404);
    expect((await handler(event('GET', '/v1/stats', { authorization: 'Basic x' }))).statusCode).toBe(401);
    expect(load).not.toHaveBeenCalled();
  });

  it('answers 500 when a route has no operation, and loads again after a failed load', async () => {
    const empty = apiHandler('stats', async () => ({ ports: () => 'x', operations: {} }));
    const missing = await empty(event('GET', '/v1/stats'));
    expect(missing.statusCode).toBe(500);
    expect(JSON.parse(missing.body)).toMatchObject({ status: 500, type: '/problems/internal' });

    const load = vi
      .fn<() => Promise<OperationsModule<string>>>()
      .mockRejectedValueOnce(new Error('chunk unreadable'))
      .mockResolvedValue(statsModule(() => 'second try'));
    const handler = apiHandler('stats', load);
    expect((await handler(event('GET', '/v1/stats'))).statusCode).toBe(500);
    const retried = await handler(event('GET', '/v1/stats'));
    expect(retried.statusCode).toBe(200);
    expect(JSON.parse(retried.body)).toEqual({ port: 'second try' });
    expect(load).toHaveBeenCalledTimes(2);
  });
});
