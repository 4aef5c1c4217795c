import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger } from '../../functions/http/log.js';

/** The lines a logger writes while `fn` runs, parsed. */
function linesOf(fn: () => void): Record<string, unknown>[] {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return out.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('structured logger', () => {
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  afterEach(() => {
    process.env.POWERTOOLS_LOG_LEVEL = level;
    delete process.env._X_AMZN_TRACE_ID;
  });

  it("writes one JSON line with Powertools' fields, the appended keys and the attributes", () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env._X_AMZN_TRACE_ID = 'Root=1-abc-def;Parent=123;Sampled=1';
    const logger = new Logger({ serviceName: 'marketplace-api' });
    const [line, after] = linesOf(() => {
      logger.appendKeys({ requestId: 'r1', org: 'o1' });
      logger.info('request', { status: 200 });
      logger.resetKeys();
      logger.warn('store unavailable', { error: 'ReplicatedWriteConflictException' });
    });
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'request',
      service: 'marketplace-api',
      xray_trace_id: '1-abc-def',
      requestId: 'r1',
      org: 'o1',
      status: 200,
    });
    expect(Number.isNaN(Date.parse(String(line?.timestamp)))).toBe(false);
    // What the store-unavailable metric filters read: $.message and $.error, at the top level.
    expect(after).toMatchObject({
      level: 'WARN',
      message: 'store unavailable',
      error: 'ReplicatedWriteConflictException',
    });
    expect(after).not.toHaveProperty('requestId');
  });

  it('logs an Error under `error` with its name, message, location and stack', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const [line] = linesOf(() =>
      new Logger({ serviceName: 's' }).error('unhandled error', new TypeError('boom')),
    );
    expect(line?.error).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(String((line?.error as { stack: string }).stack)).toContain('TypeError: boom');
    expect((line?.error as { location: string }).location).not.toBe('');
  });

  it('honours the level threshold, SILENT included, and survives a circular attribute', () => {
    const logger = new Logger({ serviceName: 's' });
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    expect(linesOf(() => logger.info('hidden')).length).toBe(0);
    expect(linesOf(() => logger.warn('shown')).length).toBe(1);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    expect(linesOf(() => logger.error('hidden')).length).toBe(0);
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(linesOf(() => logger.info('kept', circular))[0]).toMatchObject({ message: 'kept' });
  });
});
