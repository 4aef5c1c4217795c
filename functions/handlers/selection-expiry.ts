import { Logger } from '@aws-lambda-powertools/logger';
// The DynamoDB client's code loads with the entry; the job's domain code when it runs (as in apiHandler).
import '../adapters/dynamodb/client.js';
import type { DailyJobResult } from './operations/selection-expiry.js';

let logger: Logger | undefined;

/** The daily job (see `dailyJob`), loaded when the schedule first runs it in this container. */
export async function handler(): Promise<DailyJobResult> {
  const { dailyJob } = await import('./operations/selection-expiry.js');
  return dailyJob((logger ??= new Logger({ serviceName: 'marketplace-selection-expiry' })));
}
