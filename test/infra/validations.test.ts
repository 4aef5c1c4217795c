import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { tables } from '../../functions/adapters/dynamodb/tables.js';
import { loadConfig } from '../../infra/config.js';
import { tableFromSchema } from '../../infra/constructs/tables-from-schema.js';
import { acknowledge } from '../../infra/nag.js';
import { FailoverDnsStack } from '../../infra/stacks/failover-dns-stack.js';
import { exampleDomain, fullContext, TEST_ACCOUNT } from './support.js';

/** Every validation the constructs make refuses what it should, with a message that says what is wrong. */

const emptyStack = () =>
  new Stack(new App(), 'Test', { env: { account: TEST_ACCOUNT, region: 'ap-northeast-2' } });

describe('tableFromSchema', () => {
  it('refuses to build a global table without replica Regions', () => {
    // given the MREC catalog spec and no placement
    const build = () => tableFromSchema(emptyStack(), tables.catalog, 'dsm');
    // then
    expect(build).toThrow('Table "catalog" is MREC: a global table needs replica Regions.');
  });

  it('refuses replica Regions for a per-Region table', () => {
    // given the REGIONAL projections spec and a placement
    const build = () =>
      tableFromSchema(emptyStack(), tables.projections, 'dsm', {
        replicaRegions: ['ap-northeast-1'],
        witnessRegion: 'ap-northeast-3',
      });
    // then
    expect(build).toThrow('Table "projections" is REGIONAL: a per-Region table takes no replicas.');
  });
});

describe('acknowledge (cdk-nag)', () => {
  it('refuses an acknowledgement without a real reason', () => {
    // given a reason of fewer than 20 characters (once trimmed)
    const acknowledgeBriefly = () => acknowledge(emptyStack(), 'AwsSolutions-SQS3', '   not needed    ');
    // then
    expect(acknowledgeBriefly).toThrow('The acknowledgement of AwsSolutions-SQS3 needs a real reason');
  });

  it('accepts a reason of 20 characters', () => {
    expect(() => acknowledge(emptyStack(), 'AwsSolutions-SQS3', 'x'.repeat(20))).not.toThrow();
  });
});

describe('FailoverDnsStack', () => {
  it('refuses an active Region without a routing control', () => {
    // given a configuration with two active Regions and a routing control for only one of them
    const config = loadConfig(fullContext());
    const build = () =>
      new FailoverDnsStack(new App(), 'dsm-failover-dns', {
        env: { account: TEST_ACCOUNT, region: 'us-east-1' },
        config,
        domain: exampleDomain,
        routingControlArns: new Map([
          [
            'ap-northeast-2',
            'arn:aws:route53-recovery-control::111111111111:controlpanel/x/routingcontrol/y',
          ],
        ]),
      });
    // then
    expect(config.activeRegions).toEqual(['ap-northeast-2', 'ap-northeast-1']);
    expect(build).toThrow('No routing control for ap-northeast-1');
  });
});
