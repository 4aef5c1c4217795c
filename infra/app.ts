/**
 * CDK app entry (`cdk.json` runs it with tsx). Reads and validates the `marketplace:*` context, then builds
 * the stacks; `cdk synth` needs no AWS access and bundles with the local esbuild.
 */
import { App } from 'aws-cdk-lib';
import { contextKeys, loadConfig } from './config.js';
import { buildMarketplace } from './marketplace.js';

const app = new App();
const config = loadConfig(
  Object.fromEntries(Object.values(contextKeys).map((key) => [key, app.node.tryGetContext(key)])),
);
buildMarketplace(app, config, process.env.CDK_DEFAULT_ACCOUNT);
