import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { physicalTableName, tableList } from '../../functions/adapters/dynamodb/tables.js';
import type { Role } from '../../functions/domain/caller.js';
import { type LocalRegion, startLocalRegion } from '../../local/region.js';
import type { RateLimits } from '../../local/rate-limit.js';
import { generateSigningKeys, mintToken, type SigningKeys } from '../../local/tokens.js';
import { assertKeepsContract } from './contract-check.js';

export interface TestApi {
  readonly region: LocalRegion;
  readonly keys: SigningKeys;
  token(role: Role, org?: string, sub?: string): Promise<string>;
  call(method: string, path: string, options?: CallOptions): Promise<ApiCall>;
  /** Waits until every write so far is projected (search postings, statistics, audit, events) and every
   * webhook delivery due has been attempted. */
  settle(): Promise<void>;
  /** Every item of every table, to prove a request wrote nothing. */
  snapshot(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is, without JSON encoding. */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
}

export interface ApiCall {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/**
 * A local Region on the run's shared DynamoDB Local, with tables of its own. `endpoint` puts something (a
 * fault proxy) between the functions and DynamoDB Local; `loading` starts it as a Region still loading its
 * data, whose `/health` says `starting` (with `bareTablesForLoad`, in tables without indexes and streams
 * until `markReady`, as `npm start`'s first start); `rateLimits` makes the gateway answer 429 past them.
 */
export async function startTestApi(
  options: {
    endpoint?: string;
    loading?: boolean;
    bareTablesForLoad?: boolean;
    rateLimits?: RateLimits;
    corsOrigins?: readonly string[];
  } = {},
): Promise<TestApi> {
  const keys = await generateSigningKeys();
  const tablePrefix = `t${randomBytes(4).toString('hex')}`;
  const region = await startLocalRegion({
    endpoint: options.endpoint ?? inject('dynamodbEndpoint'),
    tablePrefix,
    keys,
    ...(options.loading ? { loading: true } : {}),
    ...(options.bareTablesForLoad ? { bareTablesForLoad: true } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
  });
  const tableNames = tableList.map((spec) => physicalTableName(tablePrefix, spec.id));
  return {
    region,
    keys,
    token: (role, org, sub) =>
      mintToken(keys, { sub: sub ?? `test-${role}-${org ?? 'none'}`, role, ...(org ? { org } : {}) }),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | Buffer | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${region.url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: keep the text for the assertion message.
      }
      const answer = { status: response.status, headers: response.headers, body: parsed };
      assertKeepsContract({ method, path, ...answer });
      return answer;
    },
    async settle() {
      await region.poller.drain();
      await region.deliverDue();
    },
    async snapshot() {
      const items: string[] = [];
      for (const TableName of tableNames) {
        let ExclusiveStartKey: Record<string, any> | undefined;
        do {
          const page = await region.client.send(new ScanCommand({ TableName, ExclusiveStartKey }));
          for (const item of page.Items ?? []) items.push(`${TableName} ${JSON.stringify(item)}`);
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }
      return items.sort();
    },
    /** Drops this file's tables, so the shared DynamoDB Local does not grow through the run. */
    async stop() {
      for (const TableName of tableNames) {
        await region.client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      }
      await region.stop().catch(() => undefined);
    },
  };
}
