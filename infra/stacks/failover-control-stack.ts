import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CfnCluster,
  CfnControlPanel,
  CfnRoutingControl,
  CfnSafetyRule,
} from 'aws-cdk-lib/aws-route53recoverycontrol';
import type { Construct } from 'constructs';
import type { MarketplaceConfig } from '../config.js';

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
 * Deployed in us-west-2 because ARC recovery-control configuration is created through that Region's API
 * only. A cluster is billed by the hour whether or not it is used (OPERATIONS.md gives the cost), which is
 * why it only exists when a domain is configured, and why it has a stack of its own.
 */
export class FailoverControlStack extends Stack {
  readonly cluster: CfnCluster;
  readonly controlPanel: CfnControlPanel;
  /** One per active Region, primary first. */
  readonly routingControls: ReadonlyMap<string, CfnRoutingControl>;

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

    new CfnOutput(this, 'ClusterArn', {
      value: this.cluster.attrClusterArn,
      description:
        'aws route53-recovery-control-config describe-cluster --cluster-arn <this> lists the five data-plane endpoints',
    });
    new CfnOutput(this, 'ControlPanelArn', { value: this.controlPanel.attrControlPanelArn });
  }
}
