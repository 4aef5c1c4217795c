import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { remainingMs } from '../../request-context.js';
import { meterCapacity } from './capacity.js';
import { type TableId, tables } from './tables.js';

/**
 * Attempts per DynamoDB call, the first included. The SDK's standard strategy retries throttling,
 * timeouts and `ReplicatedWriteConflictException` (two Regions wrote one MRSC item at once) with
 * exponential backoff and full jitter, and draws each retry from a retry quota shared by the container, so
 * a failing store is not hammered. Attempts never outlive the request's deadline (below): past it the API
 * answers 503 with Retry-After, and the client's own retry lands on the same conditional write, so it
 * cannot apply twice.
 */
export const DYNAMODB_MAX_ATTEMPTS = 4;

/**
 * Per-attempt limits, sized against what a healthy store does: in-Region TCP and TLS set-up takes
 * milliseconds, and the heaviest call we make (an MRSC write, acknowledged only once another Region has
 * it, ~30–60 ms between Seoul and Tokyo) stays far under a second; locally the bench's p99 is under
 * 100 ms for every operation. An attempt past these limits is a stalled connection, better abandoned and
 * retried on a fresh one (AWS Database Blog, "Tuning AWS SDK HTTP request settings for latency-aware
 * DynamoDB applications"). Without them a stalled store held each request until the function timed out.
 */
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 500;
export const DYNAMODB_ATTEMPT_TIMEOUT_MS = 1000;

/**
 * Per-attempt limit for background work (the stream projector's batch writes and 100-item transactions,
 * the expiry sweep): no caller waits on it and its function has a minute, so a slow store should make it
 * retry less eagerly, not fail a batch that would have completed.
 */
export const DYNAMODB_BACKGROUND_ATTEMPT_TIMEOUT_MS = 5000;

/**
 * The SDK's Node HTTP handler, with every attempt also bounded by the current request's deadline: it gets
 * at most the time the request has left (the handler's own per-attempt `requestTimeout`), and once that is
 * gone it fails as aborted, which the SDK does not retry, so no call outlives the answer the API has given.
 * A timeout rather than an abort signal per request: an `AbortController`, its timer and the listener the
 * handler adds cost ~30 µs of CPU on every call (measured here, 8 concurrent reads: 606 against 576 µs).
 */
class DeadlineBoundHandler extends NodeHttpHandler {
  constructor(
    private readonly attemptTimeoutMs: number,
    options: NodeHttpHandlerOptions,
  ) {
    super(options);
  }

  override async handle(...[request, options = {}]: Parameters<NodeHttpHandler['handle']>) {
    const left = remainingMs();
    if (left === Infinity) return super.handle(request, options);
    if (left <= 0) throw deadlinePassed();
    const requestTimeout = Math.min(options.requestTimeout ?? this.attemptTimeoutMs, left);
    try {
      return await super.handle(request, { ...options, requestTimeout });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError' && remainingMs() <= 0) throw deadlinePassed(error);
      throw error;
    }
  }
}

const deadlinePassed = (cause?: unknown) =>
  Object.assign(new Error('The request deadline passed.', { cause }), { name: 'AbortError' });

/**
 * The Region's DynamoDB client. Endpoints follow the SDK's standard `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL`, which is how the local runtime (and LocalStack) points it elsewhere.
 */
export function documentClient(
  attemptTimeoutMs: number = DYNAMODB_ATTEMPT_TIMEOUT_MS,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: new DeadlineBoundHandler(attemptTimeoutMs, {
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      requestTimeout: attemptTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  meterCapacity(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function tableName(id: TableId): string {
  const name = process.env[tables[id].envVar];
  if (!name) throw new Error(`${tables[id].envVar} is not set`);
  return name;
}

export function currentRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'unknown';
}
