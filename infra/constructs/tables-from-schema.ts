import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  type ITableV2,
  MultiRegionConsistency,
  ProjectionType,
  StreamViewType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { physicalTableName, type TableSpec } from '../../functions/adapters/dynamodb/tables.js';

/** Where a global table's other copies live; the data stack's own Region holds the first replica. */
export interface GlobalPlacement {
  readonly replicaRegions: readonly string[];
  /** MRSC only: the Region that votes in the write quorum without holding a readable replica. */
  readonly witnessRegion: string;
}

/**
 * Replication copies bad writes and deletes as faithfully as good ones, so every replica gets its own
 * point-in-time recovery and deletion protection (neither is synchronised between replicas).
 */
const protection = {
  deletionProtection: true,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
} as const;

/**
 * Builds a table from its entry in the shared schema (`functions/adapters/dynamodb/tables.ts`): keys, indexes,
 * stream and replication come from the spec, never from here. Global specs (MREC, MRSC) need a placement
 * and belong in the data stack; REGIONAL specs take none and are built once per region stack.
 */
export function tableFromSchema(
  scope: Construct,
  spec: TableSpec,
  tablePrefix: string,
  placement?: GlobalPlacement,
): TableV2 {
  const isGlobal = spec.replication !== 'REGIONAL';
  if (isGlobal !== (placement !== undefined)) {
    throw new Error(
      `Table "${spec.id}" is ${spec.replication}: ${isGlobal ? 'a global table needs replica Regions' : 'a per-Region table takes no replicas'}.`,
    );
  }
  return new TableV2(scope, `${constructName(spec.id)}Table`, {
    tableName: physicalTableName(tablePrefix, spec.id),
    partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
    sortKey: { name: spec.sortKey, type: AttributeType.STRING },
    billing: Billing.onDemand(),
    removalPolicy: RemovalPolicy.RETAIN,
    ...protection,
    dynamoStream: spec.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
    globalSecondaryIndexes: spec.globalSecondaryIndexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    })),
    replicas: placement?.replicaRegions.map((region) => ({ region, ...protection })),
    ...(spec.replication === 'MRSC'
      ? { multiRegionConsistency: MultiRegionConsistency.STRONG, witnessRegion: placement?.witnessRegion }
      : {}),
  });
}

/**
 * This Region's replica of a global table, by its deterministic name: region stacks never hold a reference
 * into the data stack (which lives in another Region for all but one of them).
 */
export function importGlobalTable(scope: Construct, spec: TableSpec, tablePrefix: string): ITableV2 {
  return TableV2.fromTableAttributes(scope, `${constructName(spec.id)}Replica`, {
    tableName: physicalTableName(tablePrefix, spec.id),
    // Grants then cover `table/<name>/index/*` too, so queries on the spec's indexes are allowed.
    grantIndexPermissions: spec.globalSecondaryIndexes.length > 0,
  });
}

export function constructName(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
