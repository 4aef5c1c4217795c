import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { CfnPlan } from 'aws-cdk-lib/aws-arcregionswitch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  CfnCluster,
  CfnControlPanel,
  CfnRoutingControl,
  CfnSafetyRule,
} from 'aws-cdk-lib/aws-route53recoverycontrol';
import type { Construct } from 'constructs';
import type { MarketplaceConfig } from '../config.js';
import { RegionSwitchPlan } from '../constructs/region-switch-plan.js';

export interface FailoverControlStackProps extends StackProps {
  readonly config: MarketplaceConfig;
}

/**
 * The manual switch: a Route 53 ARC (Application Recovery Controller) cluster with one routing control per
 * active Region. Each routing control backs a RECOVERY_CONTROL health check that is a child of that Region's
 * DNS health check (failover DNS stack); turning a control OFF drains its Region from DNS in seconds.
 *
 * Flipping a control is a data-plane call (`UpdateRoutingControlState`) against any of the cluster's five
 * Regional endpoints, which stay available when the ARC control plane, or this stack's Region, is not:
 * operators never need CloudFormation, the console or a control-plane API during a failover.
 *
 * A safety rule keeps at least one Region ON, so nobody drains both by mistake (an override exists).
 *
 * Beside the switch, an ARC Region switch plan over the same routing controls: an activate and a deactivate
 * workflow, each one routing-control step, which ARC evaluates on its own (controls reachable, execution role
 * allowed) and which records every execution. Both paths flip the same controls, so they never disagree.
 *
 * Deployed in us-west-2 because ARC recovery-control configuration is created through that Region's API
 * only. A cluster is billed by the hour whether or not it is used (about $1,825 a month; OPERATIONS.md,
 * Cost), which is why it is opt-in (`marketplace:routingControlCluster: true`, with a domain) and has a stack
 * of its own; without it the failover DNS stack carries a Region switch plan on health checks instead.
 */
export class FailoverControlStack extends Stack {
  readonly cluster: CfnCluster;
  readonly controlPanel: CfnControlPanel;
  /** One per active Region, primary first. */
  readonly routingControls: ReadonlyMap<string, CfnRoutingControl>;
  readonly regionSwitchPlan: CfnPlan;

  constructor(scope: Construct, id: string, props: FailoverControlStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = config.tablePrefix;

    this.cluster = new CfnCluster(this, 'Cluster', { name: `${prefix}-cluster` });
    this.controlPanel = new CfnControlPanel(this, 'ControlPanel', {
      name: `${prefix}-regions`,
      clusterArn: this.cluster.attrClusterArn,
    });
    const routingControls = new Map<string, CfnRoutingControl>();
    for (const region of config.activeRegions) {
      const control = new CfnRoutingControl(this, `RoutingControl-${region}`, {
        name: `${prefix}-${region}`,
        clusterArn: this.cluster.attrClusterArn,
        controlPanelArn: this.controlPanel.attrControlPanelArn,
      });
      routingControls.set(region, control);
      new CfnOutput(this, `RoutingControlArn${region.replaceAll('-', '')}`, {
        value: control.attrRoutingControlArn,
        description: `Routing control of ${region}: ON serves traffic, OFF drains the Region`,
      });
    }
    this.routingControls = routingControls;

    new CfnSafetyRule(this, 'AtLeastOneRegion', {
      name: `${prefix}-at-least-one-region-on`,
      controlPanelArn: this.controlPanel.attrControlPanelArn,
      ruleConfig: { type: 'ATLEAST', threshold: 1, inverted: false },
      assertionRule: {
        assertedControls: [...routingControls.values()].map((control) => control.attrRoutingControlArn),
        waitPeriodMs: 5000,
      },
    });

    this.regionSwitchPlan = this.buildRegionSwitchPlan(prefix, config.activeRegions);

    new CfnOutput(this, 'ClusterArn', {
      value: this.cluster.attrClusterArn,
      description:
        'aws route53-recovery-control-config describe-cluster --cluster-arn <this> lists the five data-plane endpoints',
    });
    new CfnOutput(this, 'ControlPanelArn', { value: this.controlPanel.attrControlPanelArn });
  }

  /**
   * Deactivating a Region turns its routing control OFF (the other stays ON), activating turns it ON again.
   * The safety rule still applies: the plan cannot drain the last Region either.
   */
  private buildRegionSwitchPlan(prefix: string, regions: readonly [string, string]): CfnPlan {
    const controls = [...this.routingControls.values()].map((control) => control.attrRoutingControlArn);
    return new RegionSwitchPlan(this, 'RegionSwitch', {
      name: `${prefix}-regions`,
      regions,
      step: {
        name: 'routing-controls',
        description: 'Set the routing control of the Region this execution acts on',
        executionBlockType: 'ARCRoutingControl',
        executionBlockConfiguration: {
          arcRoutingControlConfig: {
            timeoutMinutes: 10,
            regionAndRoutingControls: Object.fromEntries(
              regions.map((region) => [
                region,
                [
                  {
                    routingControlArn: this.routingControls.get(region)?.attrRoutingControlArn ?? '',
                    state: 'On',
                  },
                ],
              ]),
            ),
          },
        },
      },
      permissions: [
        new PolicyStatement({
          actions: [
            'route53-recovery-control-config:DescribeCluster',
            'route53-recovery-control-config:DescribeControlPanel',
          ],
          resources: [this.cluster.attrClusterArn, this.controlPanel.attrControlPanelArn],
        }),
        new PolicyStatement({
          actions: [
            'route53-recovery-cluster:GetRoutingControlState',
            'route53-recovery-cluster:UpdateRoutingControlStates',
          ],
          resources: controls,
        }),
      ],
    }).plan;
  }
}
