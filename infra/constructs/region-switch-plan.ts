import { CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnPlan } from 'aws-cdk-lib/aws-arcregionswitch';
import {
  type PolicyStatement,
  PolicyStatement as Statement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface RegionSwitchPlanProps {
  readonly name: string;
  readonly regions: readonly [string, string];
  /** The one step of both workflows: what deactivating or activating a Region changes. */
  readonly step: CfnPlan.StepProperty;
  /** What the step needs the execution role to do. */
  readonly permissions: readonly PolicyStatement[];
}

/**
 * An ARC Region switch plan, active/active: deactivating a Region takes it out of DNS (the other stays in),
 * activating puts it back. Both workflows carry the same step, as Region switch asks of a plan with several
 * workflows. ARC evaluates the plan on its own (resources reachable, execution role allowed) and records
 * every execution. Starting and following an execution (`StartPlanExecution`, `GetPlanExecution`) are
 * data-plane calls, answered in each Region of the plan; creating or changing the plan is the control plane
 * (ARC Developer Guide, "Region switch API operations"). `npm run ops` drives it.
 */
export class RegionSwitchPlan extends Construct {
  readonly plan: CfnPlan;

  constructor(scope: Construct, id: string, props: RegionSwitchPlanProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const role = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('arc-region-switch.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: `ARC Region switch: evaluate and run ${props.name}`,
    });
    for (const statement of props.permissions) role.addToPolicy(statement);
    this.plan = new CfnPlan(this, 'Plan', {
      name: props.name,
      description: 'Marketplace: drain (deactivate) or restore (activate) one Region',
      executionRole: role.roleArn,
      recoveryApproach: 'activeActive',
      regions: [...props.regions],
      recoveryTimeObjectiveMinutes: 5,
      workflows: [
        { workflowTargetAction: 'deactivate', workflowDescription: 'Drain a Region', steps: [props.step] },
        { workflowTargetAction: 'activate', workflowDescription: 'Restore a Region', steps: [props.step] },
      ],
    });
    // Plan evaluation reads the plan and simulates the role's permissions (the managed
    // AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy grants the same, on "*").
    role.addToPolicy(
      new Statement({
        actions: [
          'arc-region-switch:GetPlan',
          'arc-region-switch:GetPlanExecution',
          'arc-region-switch:ListPlanExecutions',
        ],
        resources: [this.plan.attrArn],
      }),
    );
    role.addToPolicy(new Statement({ actions: ['iam:SimulatePrincipalPolicy'], resources: [role.roleArn] }));
    new CfnOutput(Stack.of(this), 'RegionSwitchPlanArn', {
      value: this.plan.attrArn,
      description:
        'npm run ops -- drain|restore <region> (ops/region-switch.json), or aws arc-region-switch start-plan-execution --plan-arn <this> --target-region <region> --action deactivate|activate',
    });
  }
}
