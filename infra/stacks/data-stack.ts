import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { type TableId, tableList } from '../../functions/adapters/dynamodb/tables.js';
import type { MarketplaceConfig } from '../config.js';
import { constructName, tableFromSchema } from '../constructs/tables-from-schema.js';

export interface DataStackProps extends StackProps {
  readonly config: MarketplaceConfig;
}

/**
 * The global tables (every spec in the schema that is not REGIONAL), owned by one stack in the primary
 * Region with replicas in the secondary; the MRSC ledger also names the witness Region.
 *
 * Nothing else lives here, so this stack rarely changes, and everything regional can be redeployed,
 * replaced or torn down without touching data. Region stacks find these tables by name, never by reference.
 */
export class DataStack extends Stack {
  readonly tables: ReadonlyMap<TableId, TableV2>;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const tables = new Map<TableId, TableV2>();
    for (const spec of tableList) {
      if (spec.replication === 'REGIONAL') continue;
      const table = tableFromSchema(this, spec, config.tablePrefix, {
        replicaRegions: [config.regions.secondary],
        witnessRegion: config.regions.witness,
      });
      tables.set(spec.id, table);
      new CfnOutput(this, `${constructName(spec.id)}TableName`, {
        value: table.tableName,
        description: `${spec.purpose} (${spec.replication} global table; read by functions from ${spec.envVar})`,
      });
    }
    this.tables = tables;
  }
}
