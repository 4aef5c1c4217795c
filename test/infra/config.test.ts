import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, MultiRegionConsistency, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { defaultApiLimits } from '../../functions/api-limits.js';
import {
  ConfigError,
  contextKeys,
  loadApiLimits,
  loadConfig,
  mrscRegionSets,
  regionalHostName,
} from '../../infra/config.js';
import { cdkJsonContext, exampleDomain } from './support.js';

const good = {
  [contextKeys.regions]: {
    primary: 'ap-northeast-2',
    secondary: 'ap-northeast-1',
    witness: 'ap-northeast-3',
  },
  [contextKeys.tablePrefix]: 'dsm',
  [contextKeys.oidcIssuer]: 'https://idp.example.go.kr',
  [contextKeys.oidcAudience]: 'dsm-api',
};

function withRegions(regions: unknown) {
  return { ...good, [contextKeys.regions]: regions };
}

function problemsOf(context: Record<string, unknown>): string {
  try {
    loadConfig(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('accepts the committed cdk.json context', () => {
    const config = loadConfig(cdkJsonContext());
    expect(config.regions).toEqual({
      primary: 'ap-northeast-2',
      secondary: 'ap-northeast-1',
      witness: 'ap-northeast-3',
    });
    expect(config.regionSet).toBe('AP');
    expect(config.activeRegions).toEqual(['ap-northeast-2', 'ap-northeast-1']);
    expect(config.tablePrefix).toBe('dsm');
    expect(config.oidc).toEqual({ issuer: 'https://idp.example.go.kr', audience: 'dsm-api' });
    expect(config.apiLimits).toEqual(defaultApiLimits);
    // No custom domain and no e-mail unless asked for: no DNS failover stacks, no ARC cluster billing.
    expect(config.domain).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('accepts the US and EU region sets', () => {
    expect(
      loadConfig(withRegions({ primary: 'us-east-1', secondary: 'us-west-2', witness: 'us-east-2' }))
        .regionSet,
    ).toBe('US');
    expect(
      loadConfig(withRegions({ primary: 'eu-west-3', secondary: 'eu-west-1', witness: 'eu-west-2' }))
        .regionSet,
    ).toBe('EU');
  });

  it('parses JSON given on the command line (-c key=value)', () => {
    const config = loadConfig({
      ...good,
      [contextKeys.regions]: JSON.stringify({
        primary: 'us-east-2',
        secondary: 'us-east-1',
        witness: 'us-west-2',
      }),
      [contextKeys.apiLimits]: '{"stageRateLimit": 50, "stageBurstLimit": 100}',
    });
    expect(config.regions.primary).toBe('us-east-2');
    expect(config.apiLimits).toEqual({ ...defaultApiLimits, stageRateLimit: 50, stageBurstLimit: 100 });
  });

  it('rejects duplicate regions, naming both roles', () => {
    const message = problemsOf(
      withRegions({ primary: 'ap-northeast-2', secondary: 'ap-northeast-2', witness: 'ap-northeast-3' }),
    );
    expect(message).toMatch(
      /marketplace:regions\.secondary and marketplace:regions\.primary are both "ap-northeast-2"/,
    );
    expect(
      problemsOf(
        withRegions({ primary: 'ap-northeast-2', secondary: 'ap-northeast-1', witness: 'ap-northeast-1' }),
      ),
    ).toMatch(/witness and .*secondary are both "ap-northeast-1"/);
  });

  it('rejects regions from different MRSC region sets', () => {
    const message = problemsOf(
      withRegions({ primary: 'ap-northeast-2', secondary: 'us-east-1', witness: 'ap-northeast-3' }),
    );
    expect(message).toMatch(/secondary "us-east-1" is not in the AP set of the primary/);
  });

  it('rejects a primary outside every MRSC region set', () => {
    const message = problemsOf(
      withRegions({ primary: 'eu-north-1', secondary: 'eu-west-1', witness: 'eu-west-2' }),
    );
    expect(message).toMatch(/primary "eu-north-1" is in no multi-Region strong consistency set/);
  });

  it('accepts exactly the MRSC region sets aws-cdk-lib accepts, Frankfurt in the EU set included', () => {
    expect(mrscRegionSets.EU).toEqual(['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1']);
    const mrscTableIn = (primary: string, replica: string, witness: string) => {
      const stack = new Stack(new App(), 'Probe', { env: { account: '111111111111', region: primary } });
      new TableV2(stack, 'Ledger', {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        multiRegionConsistency: MultiRegionConsistency.STRONG,
        replicas: [{ region: replica }],
        witnessRegion: witness,
      });
    };
    for (const members of Object.values(mrscRegionSets)) {
      for (const primary of members) {
        const [replica, witness] = members.filter((member) => member !== primary) as [string, string];
        expect(() => mrscTableIn(primary, replica, witness), primary).not.toThrow();
        expect(
          loadConfig(withRegions({ primary, secondary: replica, witness })).regions.primary,
          primary,
        ).toBe(primary);
      }
    }
    expect(() => mrscTableIn('eu-north-1', 'eu-west-1', 'eu-west-2')).toThrow(/not supported for MRSC/);
  });

  it('rejects malformed region names and missing roles', () => {
    expect(
      problemsOf(withRegions({ primary: 'Seoul', secondary: 'ap-northeast-1', witness: 'ap-northeast-3' })),
    ).toMatch(/primary must be a Region name such as "ap-northeast-2"; got "Seoul"/);
    expect(problemsOf(withRegions({ primary: 'ap-northeast-2', secondary: 'ap-northeast-1' }))).toMatch(
      /witness must be a Region name .* got nothing/,
    );
    expect(problemsOf(withRegions(undefined))).toMatch(/marketplace:regions must be an object/);
  });

  it('rejects an issuer that is not an https URL', () => {
    expect(problemsOf({ ...good, [contextKeys.oidcIssuer]: 'http://idp.example.go.kr' })).toMatch(
      /marketplace:oidcIssuer must use https/,
    );
    expect(problemsOf({ ...good, [contextKeys.oidcIssuer]: 'idp.example.go.kr' })).toMatch(
      /marketplace:oidcIssuer is not a URL/,
    );
    expect(problemsOf({ ...good, [contextKeys.oidcIssuer]: 'https://idp.example.go.kr/?realm=x' })).toMatch(
      /must not carry credentials, a query or a fragment/,
    );
    expect(problemsOf({ ...good, [contextKeys.oidcIssuer]: undefined })).toMatch(
      /oidcIssuer must be .* got nothing/,
    );
  });

  it('rejects a bad table prefix, audience or limit', () => {
    expect(problemsOf({ ...good, [contextKeys.tablePrefix]: 'DSM_prod' })).toMatch(
      /marketplace:tablePrefix must be/,
    );
    expect(problemsOf({ ...good, [contextKeys.oidcAudience]: ' ' })).toMatch(
      /marketplace:oidcAudience must be/,
    );
    expect(
      problemsOf({ ...good, [contextKeys.apiLimits]: { stageRateLimit: 500, stageBurstLimit: 100 } }),
    ).toMatch(/marketplace:apiLimits.stageBurstLimit \(100\) must be at least stageRateLimit \(500\)/);
    expect(problemsOf({ ...good, [contextKeys.apiLimits]: { perCallerPerWindow: 5 } })).toMatch(
      /marketplace:apiLimits.perCallerPerWindow must be a whole number from 10/,
    );
    expect(problemsOf({ ...good, [contextKeys.apiLimits]: { authorizerCacheSeconds: 7200 } })).toMatch(
      /marketplace:apiLimits.authorizerCacheSeconds must be a whole number from 0 to 3600/,
    );
    expect(problemsOf({ ...good, [contextKeys.apiLimits]: { maxTokenAgeSeconds: '12h' } })).toMatch(
      /marketplace:apiLimits.maxTokenAgeSeconds must be a whole number/,
    );
    expect(problemsOf({ ...good, [contextKeys.apiLimits]: { rateLimit: 5 } })).toMatch(
      /marketplace:apiLimits.rateLimit is not a limit/,
    );
  });

  it('reads the API limits alone, as the local runtime does', () => {
    expect(loadApiLimits(cdkJsonContext())).toEqual(defaultApiLimits);
    expect(loadApiLimits({ [contextKeys.apiLimits]: { maxTokenAgeSeconds: 3600 } })).toEqual({
      ...defaultApiLimits,
      maxTokenAgeSeconds: 3600,
    });
    expect(() => loadApiLimits({ [contextKeys.apiLimits]: [] })).toThrow(ConfigError);
  });

  it('reports every problem at once', () => {
    const message = problemsOf({
      [contextKeys.regions]: {
        primary: 'ap-northeast-2',
        secondary: 'ap-northeast-2',
        witness: 'ap-northeast-3',
      },
      [contextKeys.oidcIssuer]: 'http://idp',
    });
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(4);
  });

  it('accepts a custom domain and an alarm e-mail, also as JSON text from -c', () => {
    const config = loadConfig({
      ...good,
      [contextKeys.domain]: JSON.stringify(exampleDomain),
      [contextKeys.alarmEmail]: 'oncall@marketplace.go.kr',
    });
    expect(config.domain).toEqual(exampleDomain);
    expect(config.alarmEmail).toBe('oncall@marketplace.go.kr');
    expect(regionalHostName(exampleDomain, 'ap-northeast-1')).toBe('ap-northeast-1.api.marketplace.go.kr');
  });

  it('rejects a domain whose API name is not below the zone, or whose zone ID is malformed', () => {
    expect(
      problemsOf({ ...good, [contextKeys.domain]: { ...exampleDomain, apiHostName: 'api.example.com' } }),
    ).toMatch(/apiHostName "api.example.com" must be a name below the zone "marketplace.go.kr"/);
    expect(
      problemsOf({ ...good, [contextKeys.domain]: { ...exampleDomain, apiHostName: 'marketplace.go.kr' } }),
    ).toMatch(/not its apex/);
    expect(
      problemsOf({ ...good, [contextKeys.domain]: { ...exampleDomain, hostedZoneId: 'zone-1' } }),
    ).toMatch(/marketplace:domain.hostedZoneId must be a Route 53 hosted zone ID/);
    expect(problemsOf({ ...good, [contextKeys.domain]: { zoneName: 'marketplace.go.kr' } })).toMatch(
      /marketplace:domain.hostedZoneId .* got nothing/,
    );
    expect(problemsOf({ ...good, [contextKeys.domain]: 'api.marketplace.go.kr' })).toMatch(
      /marketplace:domain must be an object/,
    );
  });

  it('rejects an alarm e-mail that is not an address', () => {
    expect(problemsOf({ ...good, [contextKeys.alarmEmail]: 'oncall' })).toMatch(
      /marketplace:alarmEmail must be an e-mail address/,
    );
  });
});
