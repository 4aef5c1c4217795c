import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { RATE_WINDOW_SECONDS } from '../../functions/api-limits.js';
import { throttledProblem } from '../../functions/http/problem.js';
import { NO_STORE, securityHeaders } from '../../functions/http/response-headers.js';

export interface ApiFirewallProps {
  /** Prefix of the web ACL's name and metrics. */
  readonly name: string;
  /** The REST API stage the web ACL protects. */
  readonly stage: Stage;
  /** Requests one client IP may send in any {@link RATE_WINDOW_SECONDS} before WAF answers 429. */
  readonly requestsPerIpPerWindow: number;
}

/** AWS managed rule groups, in evaluation order after the IP reputation list and the rate limit. */
export const managedRuleGroups = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * A regional AWS WAF web ACL on the API stage: AWS's IP reputation list, a per-IP rate limit, the common
 * rule set and known bad inputs. WAF is why the API is a REST API (an HTTP API cannot take a web ACL).
 *
 * Two rules of the common set are switched to COUNT, with reasons:
 * - `SizeRestrictions_BODY` blocks bodies over 8 KB, while the API accepts JSON bodies up to 64 KiB and
 *   answers larger ones itself with a 413 problem (service descriptions and review decisions can be long).
 * - `NoUserAgent_HEADER` blocks requests without a User-Agent, which agency back-end integrations (server
 *   to server, not browsers) legitimately omit.
 *
 * Blocked and counted requests are logged (Authorization redacted) to `aws-waf-logs-<name>` for 90 days.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logGroup: LogGroup;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const metric = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${props.name}-${name}`,
      sampledRequestsEnabled: true,
    });
    const managed = (priority: number, name: string, countOnly: string[] = []): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: metric(name),
    });

    this.webAclName = `${props.name}-api`;
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      description: 'Digital Service Marketplace API: AWS managed rules and a per-IP rate limit',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric('all'),
      customResponseBodies: {
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify(
            throttledProblem('Too many requests from this address; retry after a minute.'),
          ),
        },
      },
      rules: [
        managed(0, managedRuleGroups[0]),
        {
          name: 'RatePerIp',
          priority: 1,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'rateLimited',
                responseHeaders: [
                  { name: 'Retry-After', value: '60' },
                  { name: 'Cache-Control', value: NO_STORE },
                  ...Object.entries(securityHeaders).map(([name, value]) => ({ name, value })),
                ],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              // Many officers of one agency can share one egress address (intranet gateways), so the limit
              // is generous; the stage throttle bounds the total.
              limit: props.requestsPerIpPerWindow,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: metric('RatePerIp'),
        },
        managed(2, managedRuleGroups[1], ['SizeRestrictions_BODY', 'NoUserAgent_HEADER']),
        managed(3, managedRuleGroups[2]),
      ],
    });

    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF requires the log group name to start with "aws-waf-logs-" and its ARN without the ":*" suffix.
    const logGroupName = `aws-waf-logs-${props.name}`;
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName,
      retention: RetentionDays.THREE_MONTHS,
      // A named group must go with its stack, or rebuilding the region stack would fail on the name.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(this.logGroup);
  }
}
