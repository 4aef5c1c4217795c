import type { IAspect } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/**
 * Every Lambda function of the app runs on Graviton (arm64), including the CDK's `AwsCustomResource`
 * provider, which is plain Node.js code. Our own functions already set it (`HandlerFunction`); this fills in
 * the ones the CDK makes. The one kind it cannot reach: the cross-Region reference reader and writer
 * (`__entrypoint__.handler`), which the CDK adds while it resolves references, after aspects have run; the
 * guard rule `functions_are_arm64` (infra/policy/dr-rules.guard) names that exception.
 */
export class GravitonEverywhere implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof CfnFunction) node.architectures ??= ['arm64'];
  }
}
