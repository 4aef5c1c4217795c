import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  type IBackupVault,
} from 'aws-cdk-lib/aws-backup';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { physicalTableName, tableList } from '../../functions/adapters/dynamodb/tables.js';
import type { MarketplaceConfig } from '../config.js';
import { acknowledge, acknowledgeCustomResourceProvider } from '../nag.js';

export interface BackupStackProps extends StackProps {
  readonly config: MarketplaceConfig;
  /** Where this Region's backups are copied: the other active Region. */
  readonly copyRegion: string;
}

/** Every Region's vault has this name, so a plan can name the vault of another Region without a reference. */
export function backupVaultName(prefix: string): string {
  return `${prefix}-backups`;
}

export const backupRetention = { daily: Duration.days(35), monthly: Duration.days(365) } as const;

/**
 * AWS Backup for one active Region: a vault, and a plan that backs up this Region's replicas of every table
 * (the global tables and this Region's projections) daily and monthly, each recovery point copied to the
 * vault of the same name in the other active Region. Each Region runs its own plan, so backups continue
 * while either Region is down, and a bad write that replication copied everywhere can be undone from a copy
 * that lives outside both the Region and the table (PITR covers the last 35 days inside DynamoDB itself).
 *
 * Its own stack, because a vault with recovery points outlives everything else: region stacks can be torn
 * down and rebuilt without touching it, and it is retained if this stack is deleted.
 */
export class BackupStack extends Stack {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly copyVault: IBackupVault;

  constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = config.tablePrefix;

    this.vault = new BackupVault(this, 'Vault', {
      backupVaultName: backupVaultName(prefix),
      removalPolicy: RemovalPolicy.RETAIN,
      // Governance-mode lock: recovery points cannot be deleted before 7 days, or kept past 400, except by a
      // principal allowed to remove the lock; replication-proof and ransomware-resistant without being
      // irreversible (compliance mode would be).
      lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(400) },
    });
    this.copyVault = BackupVault.fromBackupVaultArn(
      this,
      'CopyVault',
      this.formatArn({
        service: 'backup',
        region: props.copyRegion,
        resource: 'backup-vault',
        resourceName: backupVaultName(prefix),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );

    const rule = (ruleName: string, schedule: Schedule, deleteAfter: Duration) =>
      new BackupPlanRule({
        ruleName,
        scheduleExpression: schedule,
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(8),
        deleteAfter,
        copyActions: [{ destinationBackupVault: this.copyVault, deleteAfter }],
      });
    this.plan = new BackupPlan(this, 'Plan', {
      backupPlanName: `${prefix}-tables-${this.region}`,
      backupVault: this.vault,
      backupPlanRules: [
        // 03:00 Korea time, outside office hours.
        rule('Daily', Schedule.cron({ hour: '18', minute: '0' }), backupRetention.daily),
        rule('Monthly', Schedule.cron({ day: '1', hour: '19', minute: '0' }), backupRetention.monthly),
      ],
    });
    const tableArn = (name: string) =>
      this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: name });
    const selection = this.plan.addSelection('Tables', {
      backupSelectionName: `${prefix}-tables`,
      resources: tableList.map((spec) =>
        BackupResource.fromArn(tableArn(physicalTableName(prefix, spec.id))),
      ),
      allowRestores: true,
    });
    acknowledge(
      selection,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'The AWS Backup service role for taking DynamoDB backups; AWS maintains this managed policy as Backup features change, and the selection limits which tables it covers.',
    );
    acknowledge(
      selection,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      'The AWS Backup service role for restoring those backups into new tables (OPERATIONS.md, restore); AWS maintains this managed policy.',
    );

    // Cross-Region copies of DynamoDB backups need AWS Backup's "advanced features for DynamoDB" (backups
    // managed by AWS Backup, encrypted with the vault key); it is a per-Region account setting, switched on
    // here at deploy time so a copy never fails for want of it. Deleting the stack leaves it on.
    const settings = new AwsCustomResource(this, 'DynamoDbAdvancedBackup', {
      onUpdate: {
        service: 'Backup',
        action: 'updateRegionSettings',
        parameters: {
          ResourceTypeOptInPreference: { DynamoDB: true },
          ResourceTypeManagementPreference: { DynamoDB: true },
        },
        physicalResourceId: PhysicalResourceId.of(`${prefix}-dynamodb-advanced-backup`),
      },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['backup:UpdateRegionSettings'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
    });
    acknowledge(
      settings,
      'AwsSolutions-IAM5[Resource::*]',
      'backup:UpdateRegionSettings is an account-and-Region setting with no resource ARN; it is the only action this deploy-time custom resource may call.',
    );
    this.plan.node.addDependency(settings);
    acknowledgeCustomResourceProvider(this);

    new CfnOutput(this, 'VaultArn', { value: this.vault.backupVaultArn });
    new CfnOutput(this, 'CopyVaultArn', {
      value: this.copyVault.backupVaultArn,
      description: 'Where every recovery point of this Region is copied',
    });
  }
}
