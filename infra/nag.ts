import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: `cdk synth` fails on any unacknowledged error and prints
 * any unacknowledged warning. Acknowledgements are CDK's own `Validations.of(construct).acknowledge()`, put
 * on the narrowest construct that carries the finding and always with the reason it is acceptable here.
 */
export function registerNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** Acknowledges one cdk-nag finding (`AwsSolutions-XX` or `AwsSolutions-IAM5[Resource::...]`) on a construct. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`The acknowledgement of ${id} needs a real reason`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The finding ID cdk-nag gives a wildcard resource in an IAM statement: the ARN as the template renders it,
 * flattened the way cdk-nag flattens it (pseudo parameters and attributes as `<AWS::Partition>`,
 * `<LogicalId.Arn>`), so an acknowledgement names exactly that ARN and nothing broader.
 */
export function wildcardFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}

/** The account's X-Ray permissions: the two actions the Lambda tracing role gets, which take no resource. */
export const XRAY_REASON =
  'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; "*" is the only resource AWS accepts for them (added by the CDK for Tracing.ACTIVE).';

/**
 * The singleton Lambda function behind every `AwsCustomResource` of a stack is the CDK's: its role carries
 * the managed basic-execution policy and its runtime is chosen by the CDK release.
 */
export function acknowledgeCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(
    `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
  );
  if (!provider) return;
  acknowledge(
    provider,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The CDK-owned provider function of AwsCustomResource (deploy-time only: it runs during CloudFormation updates, never on requests); its role and logging are fixed by the CDK, and its API permissions are the explicit statements of each custom resource.',
  );
}
