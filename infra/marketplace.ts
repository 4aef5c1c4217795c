import { type App, Tags } from 'aws-cdk-lib';
import type { MarketplaceConfig } from './config.js';
import { DataStack } from './stacks/data-stack.js';
import { RegionStack } from './stacks/region-stack.js';

export interface Marketplace {
  readonly data: DataStack;
  /** One per active Region, primary first. */
  readonly regions: readonly RegionStack[];
}

/**
 * All stacks of the marketplace: the data stack in the primary Region, then one region stack per active
 * Region. Stacks share table names (deterministic from the prefix), never construct references, so no
 * cross-Region reference or export exists; the only link is the deployment order.
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
      description: `Digital Service Marketplace: API, functions and projections in ${region}`,
      config,
    });
    // The projector maps this Region's replica streams, which exist once the data stack is deployed.
    stack.addStackDependency(data, 'reads the streams of the global table replicas');
    return stack;
  });
  Tags.of(app).add('app', 'digital-service-marketplace');
  return { data, regions };
}
