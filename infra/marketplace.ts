import { type App, Aspects, Tags } from 'aws-cdk-lib';
import { globalServiceRegions, type MarketplaceConfig } from './config.js';
import { GravitonEverywhere } from './graviton.js';
import { BackupStack } from './stacks/backup-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { FailoverControlStack } from './stacks/failover-control-stack.js';
import { FailoverDnsStack } from './stacks/failover-dns-stack.js';
import { RegionStack } from './stacks/region-stack.js';

export interface Marketplace {
  readonly data: DataStack;
  /** One per active Region, primary first. */
  readonly regions: readonly RegionStack[];
  /** One per active Region, primary first: AWS Backup vault and plan, copying to the other Region. */
  readonly backups: readonly BackupStack[];
  /**
   * Only with `marketplace:domain`: DNS failover with the Region switch plan (us-east-1), and the ARC
   * routing-control cluster (us-west-2) when `marketplace:routingControlCluster` opts in.
   */
  readonly failover?: { readonly control?: FailoverControlStack; readonly dns: FailoverDnsStack };
}

/**
 * All stacks of the marketplace:
 * - `<prefix>-data` (primary Region): the global tables, replicas in both active Regions.
 * - `<prefix>-region-<region>` (each active Region): API, WAF, functions, projections, alarms, drills,
 *   and with a domain the Region's custom domain.
 * - `<prefix>-backup-<region>` (each active Region): AWS Backup vault and plan, copies to the other Region.
 * - with a domain, `<prefix>-failover-dns` (us-east-1): health checks, latency records, their alarms and the
 *   ARC Region switch plan on the health checks; with `marketplace:routingControlCluster: true` also
 *   `<prefix>-failover-control` (us-west-2): the ARC cluster and routing controls (the plan moves there).
 *
 * Stacks share deterministic names (tables, vaults, per-Region hostnames), never construct references, so no
 * stack imports a value from another Region, with one exception: the routing control ARNs (with the
 * cluster), which ARC makes up, reach the DNS stack through the CDK's cross-Region references (SSM parameters in us-east-1 written by
 * the control stack). Everything else links only by deployment order.
 */
export function buildMarketplace(app: App, config: MarketplaceConfig, account?: string): Marketplace {
  const prefix = config.tablePrefix;
  const data = new DataStack(app, `${prefix}-data`, {
    env: { account, region: config.regions.primary },
    description: `Digital Service Marketplace: global tables (replicas in ${config.activeRegions.join(', ')}; ledger witness ${config.regions.witness})`,
    config,
  });
  const regions = config.activeRegions.map((region) => {
    const stack = new RegionStack(app, `${prefix}-region-${region}`, {
      env: { account, region },
      description: `Digital Service Marketplace: API, functions, projections, alarms and drills in ${region}`,
      config,
    });
    // The projector maps this Region's replica streams, which exist once the data stack is deployed.
    stack.addStackDependency(data, 'reads the streams of the global table replicas');
    return stack;
  });
  const backups = config.activeRegions.map((region) => {
    const copyRegion = config.activeRegions.find((other) => other !== region) as string;
    const stack = new BackupStack(app, `${prefix}-backup-${region}`, {
      env: { account, region },
      description: `Digital Service Marketplace: AWS Backup of the tables in ${region}, copied to ${copyRegion}`,
      config,
      copyRegion,
    });
    stack.addStackDependency(data, 'backs up the replicas of the global tables');
    return stack;
  });

  let failover: Marketplace['failover'];
  if (config.domain) {
    const control = config.failover.routingControlCluster
      ? new FailoverControlStack(app, `${prefix}-failover-control`, {
          env: { account, region: globalServiceRegions.recoveryControlConfig },
          description: 'Digital Service Marketplace: ARC routing controls, the manual switch per Region',
          config,
          crossRegionReferences: true,
        })
      : undefined;
    const dns = new FailoverDnsStack(app, `${prefix}-failover-dns`, {
      env: { account, region: globalServiceRegions.route53Metrics },
      description: `Digital Service Marketplace: ${config.domain.apiHostName} latency records, health checks, their alarms and the Region switch plan`,
      config,
      domain: config.domain,
      ...(control
        ? {
            routingControlArns: new Map(
              [...control.routingControls].map(([region, routingControl]) => [
                region,
                routingControl.attrRoutingControlArn,
              ]),
            ),
            crossRegionReferences: true,
          }
        : {}),
    });
    for (const stack of regions) {
      dns.addStackDependency(stack, 'probes and points at the per-Region names the region stacks create');
    }
    failover = { dns, ...(control ? { control } : {}) };
  }

  Tags.of(app).add('app', 'digital-service-marketplace');
  Aspects.of(app).add(new GravitonEverywhere());
  return { data, regions, backups, ...(failover ? { failover } : {}) };
}
