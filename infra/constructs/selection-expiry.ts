import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { acknowledge, wildcardFinding } from '../nag.js';
import { HandlerFunction } from './handler-function.js';
import type { RegionTables } from './region-tables.js';

/** Options of {@link addSelectionExpiry}. */
export interface SelectionExpiryOptions {
  /**
   * The Region's tables: the function rewrites the catalog (expiry) and the ledger (half-done awards and
   * closes, scheduled terminations), and reads the projections.
   */
  readonly tables: RegionTables;
}

/**
 * The daily job (`SelectionExpiry`, scheduled by `SelectionExpirySchedule`) that turns LISTED services
 * whose selection validity has passed into EXPIRED, finishes awards and closes a lost Region left half
 * done, and carries out scheduled terminations. Made directly in `scope`, where it has always been, so
 * no logical ID changes.
 */
export function addSelectionExpiry(scope: Construct, options: SelectionExpiryOptions): HandlerFunction {
  const handler = new HandlerFunction(scope, 'SelectionExpiry', {
    handler: 'selection-expiry',
    description:
      'Marketplace daily job: lapsed selections expire, half-done awards finish, scheduled terminations take effect',
    timeout: Duration.minutes(5),
    environment: options.tables.environment(['catalog', 'ledger', 'projections']),
  });
  options.tables.byId.catalog.grantReadWriteData(handler.fn);
  options.tables.byId.ledger.grantReadWriteData(handler.fn);
  options.tables.byId.projections.grantReadData(handler.fn);
  for (const id of ['ledger', 'projections'] as const) {
    acknowledge(
      handler.role,
      wildcardFinding(scope, `${options.tables.byId[id].tableArn}/index/*`),
      `Reads of the ${id} table may use its secondary indexes, all defined by the schema; "index/*" under this one table is the narrowest ARN that covers them.`,
    );
  }
  // Daily, just after midnight in Korea (15:05 UTC), when selection validity dates roll over.
  new Rule(scope, 'SelectionExpirySchedule', {
    description: 'Expire selections daily after the Korean date changes',
    schedule: Schedule.cron({ minute: '5', hour: '15' }),
    targets: [new LambdaFunction(handler.alias, { retryAttempts: 2 })],
  });
  return handler;
}
