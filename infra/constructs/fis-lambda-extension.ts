import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Function as LambdaFunction, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge, wildcardFinding } from '../nag.js';

/**
 * Public SSM parameter (owned by AWS, present in every commercial Region) holding the ARN of the AWS FIS
 * Lambda extension layer for arm64; CloudFormation resolves it at deploy time, so synth stays offline and
 * each Region gets its own layer version.
 */
export const FIS_EXTENSION_LAYER_PARAMETER =
  '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x';

/** Where FIS writes the active fault configuration and the extension reads it. */
export const FIS_CONFIG_PREFIX = 'FisConfigs';

/**
 * What `aws:lambda:invocation-*` FIS actions need: the AWS-managed FIS extension as a layer on each target
 * function, and an S3 location per Region through which FIS tells the extension which fault to apply.
 *
 * With no experiment running the extension only polls that prefix (about once a minute per execution
 * environment) and the handler runs untouched. Only principals that may write to the prefix (the drill role,
 * administrators) can inject faults.
 */
export class FisLambdaExtension extends Construct {
  readonly bucket: Bucket;
  /** `arn:aws:s3:::<bucket>/FisConfigs/`: the value of AWS_FIS_CONFIGURATION_LOCATION. */
  readonly configLocation: string;
  /** `arn:aws:s3:::<bucket>/FisConfigs/*`: what FIS writes and the functions read. */
  readonly configObjectsArn: string;
  private readonly layer;
  readonly functions: LambdaFunction[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'ConfigBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Fault configurations matter while an experiment runs; nothing here is worth keeping.
      lifecycleRules: [{ expiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Holds only short-lived FIS fault configurations written by the FIS service role; who started which experiment is in CloudTrail and the FIS experiment log, so server access logs would add a second bucket and nothing to the audit trail.',
    );
    this.configLocation = `${this.bucket.bucketArn}/${FIS_CONFIG_PREFIX}/`;
    this.configObjectsArn = `${this.bucket.bucketArn}/${FIS_CONFIG_PREFIX}/*`;
    this.layer = LayerVersion.fromLayerVersionArn(
      this,
      'Layer',
      StringParameter.valueForStringParameter(this, FIS_EXTENSION_LAYER_PARAMETER),
    );
  }

  /** Makes a function a possible target of the `aws:lambda:invocation-*` actions. */
  attach(fn: LambdaFunction): void {
    fn.addLayers(this.layer);
    fn.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', '/opt/aws-fis/bootstrap');
    fn.addEnvironment('AWS_FIS_CONFIGURATION_LOCATION', this.configLocation);
    // AWS_FIS_POLL_MAX_WAIT_MILLISECONDS is left unset on purpose: it would let a cold start wait for the
    // extension's first poll, adding latency to production requests (and to the Route 53 health check) to
    // make the first seconds of a drill exact. A drill's ramp-up of up to a minute is the price.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${FIS_CONFIG_PREFIX}/*`] } },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.configObjectsArn] }),
    );
    if (fn.role) {
      acknowledge(
        fn.role,
        wildcardFinding(fn, this.configObjectsArn),
        'The FIS extension reads whatever fault configuration FIS writes under FisConfigs/ in the drill bucket; FIS names the objects per experiment, so that prefix is the narrowest resource.',
      );
    }
    this.functions.push(fn);
  }
}
