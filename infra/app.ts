/**
 * CDK app entry (`cdk.json` runs it with tsx). Reads and validates the `marketplace:*` context, then builds
 * the stacks; `cdk synth` needs no AWS access and bundles with the local esbuild. cdk-nag's AwsSolutions
 * checks run on every synth: an unacknowledged finding fails it.
 */
import { App } from 'aws-cdk-lib';
import { contextKeys, loadConfig } from './config.js';
import { buildMarketplace } from './marketplace.js';
import { registerNagChecks } from './nag.js';

const app = new App();
const config = loadConfig(
  Object.fromEntries(Object.values(contextKeys).map((key) => [key, app.node.tryGetContext(key)])),
);
buildMarketplace(app, config, process.env.CDK_DEFAULT_ACCOUNT);
registerNagChecks(app);
