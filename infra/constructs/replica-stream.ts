import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, wildcardFinding } from '../nag.js';
import type { HandlerFunction } from './handler-function.js';

export interface ReplicaStreamProps {
  /** Physical name of a global table with a replica (and a stream) in this stack's Region. */
  readonly tableName: string;
}

/**
 * The exact stream ARN (`.../stream/<label>`) of this Region's replica of a global table, read at deploy
 * time with one DescribeTable call in this stack's own Region.
 *
 * Why a lookup: a Lambda event source mapping needs the exact stream ARN, and nothing in CloudFormation
 * gives it for a replica outside the stack's Region. `AWS::DynamoDB::GlobalTable` only exposes the
 * `StreamArn` of the replica in the Region it is deployed to, and `TableV2.replica(region).tableStreamArn`
 * is `table/<name>/stream/*` (a wildcard, fine for IAM, rejected as an event source: aws/aws-cdk#31335).
 * The label differs per replica, so it cannot be computed either. The same lookup serves the data stack's
 * own Region too, so every region stack is built the same way and none imports anything from the data
 * stack. The call is control plane, at deploy time only; nothing at request time depends on it.
 */
export class ReplicaStream extends Construct {
  /** Exact stream ARN, resolved at deploy time. */
  readonly streamArn: string;
  /** `table/<name>/stream/*` in this Region: what IAM statements for reading the stream name. */
  readonly streamArnPattern: string;

  constructor(scope: Construct, id: string, props: ReplicaStreamProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tableArn = stack.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: props.tableName,
    });
    this.streamArnPattern = `${tableArn}/stream/*`;
    const lookup = new AwsCustomResource(this, 'DescribeTable', {
      onUpdate: {
        service: 'DynamoDB',
        action: 'describeTable',
        parameters: { TableName: props.tableName },
        outputPaths: ['Table.LatestStreamArn'],
        // A new stream (disabled and re-enabled) gets a new label; keying on it replaces dependants.
        physicalResourceId: PhysicalResourceId.fromResponse('Table.LatestStreamArn'),
      },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [tableArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    this.streamArn = lookup.getResponseField('Table.LatestStreamArn');
  }

  /**
   * Lets a function's event source mapping read this stream: only the three calls the poller makes, on this
   * table's streams; no `dynamodb:ListStreams` on "*", which a mapping that names its stream does not need.
   */
  grantRead(handler: HandlerFunction, what: string): void {
    handler.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [this.streamArnPattern],
      }),
    );
    acknowledge(
      handler.role,
      wildcardFinding(Stack.of(this), this.streamArnPattern),
      `The ${what} replica's stream label changes whenever its stream is re-enabled, so the ARN is "stream/*" under this one table; the mapping itself names the exact stream.`,
    );
  }
}
