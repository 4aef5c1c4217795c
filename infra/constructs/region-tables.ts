import type { ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  physicalTableName,
  type TableId,
  tableList,
  tables,
} from '../../functions/adapters/dynamodb/tables.js';
import { importGlobalTable, tableFromSchema } from './tables-from-schema.js';

/** Every table of the schema as one Region's functions see it. */
export interface RegionTables {
  /** The per-Region tables, built in this Region. */
  readonly regional: ReadonlyMap<TableId, TableV2>;
  /** Each table by id: a per-Region table, or this Region's replica of a global one. */
  readonly byId: Readonly<Record<TableId, ITableV2>>;
  /** The table-name environment variables of the given tables (`CATALOG_TABLE=<prefix>-catalog`, ...). */
  environment(ids: readonly TableId[]): Record<string, string>;
}

/**
 * Builds the schema's per-Region tables in `scope` and finds this Region's replicas of the global tables by
 * name (a region stack never references the data stack). The tables are made directly in `scope`, where
 * they have always been, so their logical IDs do not change.
 */
export function regionTables(scope: Construct, tablePrefix: string): RegionTables {
  const regional = new Map<TableId, TableV2>();
  const byId = Object.fromEntries(
    tableList.map((spec) => {
      if (spec.replication !== 'REGIONAL') return [spec.id, importGlobalTable(scope, spec, tablePrefix)];
      const table = tableFromSchema(scope, spec, tablePrefix);
      regional.set(spec.id, table);
      return [spec.id, table];
    }),
  ) as Record<TableId, ITableV2>;
  return {
    regional,
    byId,
    environment: (ids) =>
      Object.fromEntries(ids.map((id) => [tables[id].envVar, physicalTableName(tablePrefix, id)])),
  };
}
