import { describe, expect, it } from 'vitest';
import { physicalTableName, type TableSpec, tableList } from '../../functions/adapters/dynamodb/tables.js';
import { backupRetention, backupVaultName } from '../../infra/stacks/backup-stack.js';
import { synthesizeMarketplace } from './support.js';

const { config, marketplace, template } = synthesizeMarketplace();
const data = template(marketplace.data);
const globalSpecs = tableList.filter((spec) => spec.replication !== 'REGIONAL');

interface Replica {
  Region: string;
  DeletionProtectionEnabled?: boolean;
  PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean };
}

function tableResource(spec: TableSpec) {
  const found = Object.values(
    data.findResources('AWS::DynamoDB::GlobalTable', {
      Properties: { TableName: physicalTableName(config.tablePrefix, spec.id) },
    }),
  );
  expect(found).toHaveLength(1);
  return found[0] as {
    Properties: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  };
}

describe('data stack', () => {
  it('lives in the primary Region and holds exactly the global tables of the schema', () => {
    expect(marketplace.data.region).toBe(config.regions.primary);
    const names = Object.values(data.findResources('AWS::DynamoDB::GlobalTable')).map(
      (resource) => (resource.Properties as { TableName: string }).TableName,
    );
    expect(names.sort()).toEqual(
      globalSpecs.map((spec) => physicalTableName(config.tablePrefix, spec.id)).sort(),
    );
    expect(globalSpecs.map((spec) => spec.replication).sort()).toEqual(['MREC', 'MRSC']);
  });

  it.each(globalSpecs.map((spec) => [spec.id, spec] as const))(
    '%s: replicas in both active Regions, each protected',
    (_, spec) => {
      const table = tableResource(spec);
      const replicas = table.Properties.Replicas as Replica[];
      expect(replicas.map((replica) => replica.Region).sort()).toEqual([...config.activeRegions].sort());
      for (const replica of replicas) {
        expect(replica.DeletionProtectionEnabled).toBe(true);
        expect(replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled).toBe(true);
      }
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    },
  );

  it('ledger is MRSC: strong consistency with a witness in the witness Region', () => {
    const ledger = tableResource(globalSpecs.find((spec) => spec.replication === 'MRSC') as TableSpec);
    expect(ledger.Properties.MultiRegionConsistency).toBe('STRONG');
    expect(ledger.Properties.GlobalTableWitnesses).toEqual([{ Region: config.regions.witness }]);
  });

  it('catalog is MREC: no strong consistency, no witness', () => {
    const catalog = tableResource(globalSpecs.find((spec) => spec.replication === 'MREC') as TableSpec);
    expect(catalog.Properties.MultiRegionConsistency ?? 'EVENTUAL').toBe('EVENTUAL');
    expect(catalog.Properties.GlobalTableWitnesses).toBeUndefined();
  });

  it.each(globalSpecs.map((spec) => [spec.id, spec] as const))(
    '%s: keys, stream and indexes follow the schema',
    (_, spec) => {
      const table = tableResource(spec);
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        { AttributeName: spec.sortKey, KeyType: 'RANGE' },
      ]);
      if (spec.stream) {
        expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      } else {
        expect(table.Properties.StreamSpecification).toBeUndefined();
      }
      const indexes = (table.Properties.GlobalSecondaryIndexes ?? []) as {
        IndexName: string;
        KeySchema: { AttributeName: string; KeyType: string }[];
      }[];
      expect(indexes.map((index) => ({ indexName: index.IndexName, keys: index.KeySchema }))).toEqual(
        spec.globalSecondaryIndexes.map((index) => ({
          indexName: index.indexName,
          keys: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        })),
      );
    },
  );

  it('exports nothing: region stacks find the tables by name', () => {
    const outputs = Object.values((data.toJSON().Outputs ?? {}) as Record<string, { Export?: unknown }>);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.filter((output) => output.Export !== undefined)).toEqual([]);
  });
});

describe.each(marketplace.backups.map((stack) => [stack.region, stack] as const))(
  'backup stack in %s',
  (region, stack) => {
    const t = template(stack);
    const other = config.activeRegions.find((candidate) => candidate !== region) as string;

    it('is in an active Region, with a retained, locked vault of the shared name', () => {
      expect(config.activeRegions).toContain(region);
      const vaults = Object.values(t.findResources('AWS::Backup::BackupVault'));
      expect(vaults).toHaveLength(1);
      expect(vaults[0]?.DeletionPolicy).toBe('Retain');
      expect(vaults[0]?.Properties).toMatchObject({
        BackupVaultName: backupVaultName(config.tablePrefix),
        LockConfiguration: { MinRetentionDays: 7 },
      });
    });

    it('backs up daily and monthly, copying every recovery point to the vault of the other Region', () => {
      const plan = Object.values(t.findResources('AWS::Backup::BackupPlan'))[0]?.Properties as {
        BackupPlan: {
          BackupPlanRule: {
            RuleName: string;
            ScheduleExpression: string;
            Lifecycle: { DeleteAfterDays: number };
            CopyActions: { DestinationBackupVaultArn: unknown; Lifecycle: { DeleteAfterDays: number } }[];
          }[];
        };
      };
      const rules = plan.BackupPlan.BackupPlanRule;
      expect(rules.map((rule) => rule.RuleName).sort()).toEqual(['Daily', 'Monthly']);
      for (const rule of rules) {
        expect(rule.CopyActions).toHaveLength(1);
        const destination = JSON.stringify(rule.CopyActions[0]?.DestinationBackupVaultArn);
        expect(destination).toContain(
          `:backup:${other}:${stack.account}:backup-vault:${backupVaultName(config.tablePrefix)}`,
        );
        expect(rule.CopyActions[0]?.Lifecycle.DeleteAfterDays).toBe(rule.Lifecycle.DeleteAfterDays);
      }
      const daily = rules.find((rule) => rule.RuleName === 'Daily');
      expect(daily?.ScheduleExpression).toBe('cron(0 18 * * ? *)');
      expect(daily?.Lifecycle.DeleteAfterDays).toBe(backupRetention.daily.toDays());
    });

    it('selects this Region’s replica of every table, global and regional', () => {
      const selection = Object.values(t.findResources('AWS::Backup::BackupSelection'))[0]?.Properties as {
        BackupSelection: { Resources: unknown[] };
      };
      const resources = selection.BackupSelection.Resources.map((arn) => JSON.stringify(arn));
      expect(resources).toHaveLength(tableList.length);
      for (const spec of tableList) {
        expect(
          resources.some((arn) =>
            arn.includes(
              `:dynamodb:${region}:${stack.account}:table/${physicalTableName(config.tablePrefix, spec.id)}"`,
            ),
          ),
        ).toBe(true);
      }
    });

    it('turns on AWS Backup advanced features for DynamoDB, which cross-Region copies need', () => {
      const call = JSON.parse(
        (Object.values(t.findResources('Custom::AWS'))[0]?.Properties as { Update: string }).Update,
      ) as { action: string; parameters: Record<string, unknown> };
      expect(call.action).toBe('updateRegionSettings');
      expect(call.parameters).toEqual({
        ResourceTypeOptInPreference: { DynamoDB: true },
        ResourceTypeManagementPreference: { DynamoDB: true },
      });
    });
  },
);
