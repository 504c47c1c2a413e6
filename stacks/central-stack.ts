import { Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { LogwardenConfig } from './config';
import { names } from './names';
import { allowCloudWatchLogs, secureKey } from './secure-key';

export interface CentralStackProps extends StackProps {
  readonly config: LogwardenConfig;
}

/** The log-archive account's home-region stack: the central stream and what consumes it. */
export class CentralStack extends Stack {
  readonly stream: kinesis.Stream;
  readonly alertTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, props);
    const { config } = props;

    const streamKey = secureKey(this, 'StreamKey', 'central Kinesis stream', 'alias/logwarden-stream');
    // The regional CloudWatch Logs destination roles write into the stream from every governed region.
    streamKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RegionalDestinationRoles',
        principals: [new iam.AccountPrincipal(this.account)],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `kinesis.${this.region}.amazonaws.com` },
          ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${this.account}:role/logwarden-cwl-destination-*` },
        },
      }),
    );
    const alertKey = secureKey(this, 'AlertKey', 'alert topic', 'alias/logwarden-alerts');
    const logKey = secureKey(this, 'LogKey', 'central function logs', 'alias/logwarden-central-logs');
    allowCloudWatchLogs(logKey, this.region, this.account);

    const capacity = config.kinesis.capacity;
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamName: names.centralStream,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: streamKey,
      retentionPeriod: Duration.hours(config.kinesis.retentionHours),
      ...(capacity === 'on-demand'
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: capacity }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason:
        'A customer-managed key is deliberate: its policy scopes which roles may write, it rotates, and it survives the stack (the aws/kinesis key allows none of that).',
    });

    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      topicName: 'logwarden-alerts',
      displayName: 'logwarden alerts',
      masterKey: alertKey,
      enforceSSL: true,
    });
    // CloudWatch alarms publish to the encrypted topic.
    alertKey.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    for (const email of config.alerts.emails) {
      this.alertTopic.addSubscription(new subs.EmailSubscription(email));
    }
  }
}
