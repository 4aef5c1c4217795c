import { Duration } from 'aws-cdk-lib';
import { EventSourceMapping, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { physicalTableName, tableList } from '../../functions/adapters/dynamodb/tables.js';
import { acknowledge, wildcardFinding } from '../nag.js';
import { HandlerFunction } from './handler-function.js';
import type { RegionTables } from './region-tables.js';
import { ReplicaStream } from './replica-stream.js';
import { constructName } from './tables-from-schema.js';

/** Options of {@link addStreamProjector}. */
export interface StreamProjectorOptions {
  /** Prefix of the physical table names, whose replica streams are read. */
  readonly tablePrefix: string;
  /** The Region's tables: the projector writes the projections. */
  readonly tables: RegionTables;
  /** Where the records of a batch that failed every retry (10, halving the batch) are recorded. */
  readonly failures: IQueue;
}

/**
 * The projector turns every change in this Region's replicas (local writes and replicated ones alike) into
 * this Region's read models: one function (`Projector`) mapped to the stream of every streamed global table.
 * A failing batch is split and retried; what still fails is recorded in a queue (the records themselves stay
 * in the stream for 24 hours) instead of silently skipped. Made directly in `scope`, where it has always
 * been, so no logical ID changes.
 */
export function addStreamProjector(scope: Construct, options: StreamProjectorOptions): HandlerFunction {
  const handler = new HandlerFunction(scope, 'Projector', {
    handler: 'projector',
    description: 'Marketplace projector: global table streams to this Region’s projections',
    memorySize: 512,
    timeout: Duration.seconds(60),
    environment: options.tables.environment(['catalog', 'ledger', 'projections']),
  });
  const { fn } = handler;
  options.tables.byId.projections.grantReadWriteData(fn);
  // Events: who subscribes is read from the catalog, and each delivery is opened in the ledger (one
  // conditional put); an active contract's agencies are read from a ledger index.
  options.tables.byId.catalog.grantReadData(fn);
  options.tables.byId.ledger.grantReadWriteData(fn);
  acknowledge(
    handler.role,
    wildcardFinding(scope, `${options.tables.byId.ledger.tableArn}/index/*`),
    'The projector reads the agencies with an active contract on a service from the ledger’s plan-and-status index, defined by the schema; "index/*" under this one table is the narrowest ARN that covers it.',
  );
  acknowledge(
    handler.role,
    wildcardFinding(scope, `${options.tables.byId.projections.tableArn}/index/*`),
    'The projector keeps the projections table and its secondary indexes, all defined by the schema; "index/*" under this one table is the narrowest ARN that covers them.',
  );

  for (const spec of tableList) {
    if (spec.replication === 'REGIONAL' || !spec.stream) continue;
    const tableName = physicalTableName(options.tablePrefix, spec.id);
    const stream = new ReplicaStream(scope, `${constructName(spec.id)}Stream`, { tableName });
    stream.grantRead(handler, spec.id);
    // The mapping invokes the `live` alias, so a new projector version takes batches only as CodeDeploy
    // shifts the alias to it, and a rollback sends them back to the old version.
    new EventSourceMapping(scope, `${constructName(spec.id)}StreamToProjector`, {
      target: handler.alias,
      eventSourceArn: stream.streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      bisectBatchOnError: true,
      retryAttempts: 10,
      onFailure: new SqsDlq(options.failures),
    });
  }
  return handler;
}
