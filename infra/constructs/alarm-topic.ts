import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  readonly topicName: string;
  readonly displayName: string;
  /** Subscribed by e-mail when set (the recipient confirms the subscription once). */
  readonly email?: string;
}

/**
 * The SNS topic a Region's alarms publish to, encrypted with a key of its own: CloudWatch cannot publish to
 * a topic under the AWS-managed SNS key, so the key policy lets CloudWatch (for this account only) use it.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: `Encrypts the ${props.topicName} alarm topic`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': key.stack.account } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: props.displayName,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
