import { Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, checkovSkip } from '../workflows/acknowledge';
import { ArchiveBucket } from './central/archive-bucket';
import { ArchiveGuard } from './central/archive-guard';
import { ArchiveIndexer } from './central/archive-indexer';
import { ArchiveReplication } from './central/archive-replication';
import { ArchiveLock } from './central/archive-lock';
import { FirehoseArchive } from './central/firehose-archive';
import { ArchiveLake } from './central/lake';
import { SecurityLakeSources } from './central/security-lake';
import { LastSeen } from './central/last-seen';
import { routeDeploymentFunctionLogs } from './deployment-function-logs';
import { PipelineHealth } from './central/health';
import { SearchDomain } from './central/search-domain';
import { StreamConsumers } from './central/stream-consumers';
import type { LogwardenConfig } from '../contracts/config';
import { names } from '../contracts/names';
import { trustedSourcesFromConfig } from '../contracts/trusted-sources';
import { trailPipelineRegion } from '../contracts/pipelines';
import { allowCloudWatchLogs, secureKey } from './secure-key';

export interface CentralStackProps extends StackProps {
  readonly config: LogwardenConfig;
}

/**
 * The log-archive account's central pipeline: the stream and what consumes it. One in the home
 * region, or one per pipeline region with `pipeline.regional` (docs/pipeline.md, "Residency").
 */
export class CentralStack extends Stack {
  readonly stream: kinesis.Stream;
  readonly alertTopic: sns.Topic;
  readonly archiveBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, props);
    const { config } = props;
    // The trail's group feeds one pipeline; the others never see CloudTrail (contracts/pipelines.ts).
    const takesTrail = trailPipelineRegion(config) === this.region;

    const streamKey = secureKey(this, 'StreamKey', 'central Kinesis stream', 'alias/logwarden-stream');
    // The regional CloudWatch Logs destination roles write into the stream from every region it
    // serves; their own policies grant kms:GenerateDataKey on this key, by its alias and through
    // Kinesis (destination-stack.ts), which the key's default statement lets IAM policies do. A
    // key-policy Allow for the account naming those roles would add nothing to that: "the key
    // policy ... allows IAM policies to allow access" for any role of the account (KMS Developer
    // Guide, "Default key policy").
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
    // CloudWatch alarms and the archive guard's EventBridge rules publish to the encrypted
    // topic: CloudWatch only for this account's alarms (its key use carries the alarm as
    // aws:SourceArn); EventBridge below.
    alertKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    // The alarms publish as cloudwatch.amazonaws.com, which the topic's own policy must allow: with
    // a topic policy (enforceSSL writes one) SNS's default policy, which let the account's alarms
    // publish, is gone (AWS Knowledge Center, "Why didn't I receive an SNS notification for my
    // CloudWatch alarm trigger?": "SNS uses access policies to restrict the sources that can
    // publish messages to the topic", the statement for cloudwatch.amazonaws.com sns:Publish).
    this.alertTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    // EventBridge's use of the key carries no source to condition on: "Adding the
    // aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported for
    // EventBridge-to-encrypted topics" (SNS Developer Guide, "Key management", as quoted in
    // awslabs/landing-zone-accelerator-on-aws#407, whose conditioned statement dropped every
    // event; likewise awslabs/aws-deployment-framework#769). Which rules may publish is the
    // topic policy's business (ArchiveGuardRulesPublish: this account's rules, by aws:SourceArn,
    // which SNS does evaluate); the key only lets EventBridge encrypt what SNS has accepted.
    alertKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgePublishesToTheTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    for (const email of config.alerts.emails) {
      this.alertTopic.addSubscription(new subs.EmailSubscription(email));
    }

    const archiveKey = secureKey(this, 'ArchiveKey', 'S3 log archive', names.archiveKeyAlias);
    const domainKey = secureKey(this, 'DomainKey', 'OpenSearch domain', 'alias/logwarden-search');
    const stateKey = secureKey(
      this,
      'StateKey',
      'pipeline queues and alert dedupe',
      'alias/logwarden-pipeline-state',
    );

    const archive = new ArchiveBucket(this, 'Archive', { config, key: archiveKey });
    this.archiveBucket = archive.bucket;
    if (config.archive.replica)
      new ArchiveReplication(this, 'ArchiveReplication', {
        bucket: archive.bucket,
        key: archiveKey,
        replica: config.archive.replica,
      });
    new ArchiveGuard(this, 'ArchiveGuard', {
      key: archiveKey,
      bucket: archive.bucket,
      accessLogs: archive.accessLogs,
      breakGlassRoleArn: config.breakGlassRoleArn,
      topic: this.alertTopic,
      stateKey,
    });
    const lake = new ArchiveLake(this, 'Lake', {
      config,
      archive: archive.bucket,
      archiveKey,
      accessLogs: archive.accessLogs,
    });
    if (config.archive.securityLake)
      new SecurityLakeSources(this, 'SecurityLake', {
        securityLake: config.archive.securityLake,
        archive: archive.bucket,
        archiveKey,
        stateKey,
        logKey,
        topic: this.alertTopic,
      });
    const lock = config.archive.objectLock;
    const archiveLock =
      lock.mode !== 'off' && lock.appliedBy === 'per-object'
        ? new ArchiveLock(this, 'ArchiveLock', {
            bucket: archive.bucket,
            mode: lock.mode,
            days: lock.days,
            logKey,
            stateKey,
          })
        : undefined;
    // Where CloudTrail and GuardDuty may come from: derived once, handed to every consumer.
    const trustedSources = trustedSourcesFromConfig(config);
    const firehose = new FirehoseArchive(this, 'FirehoseArchive', {
      stream: this.stream,
      bucket: archive.bucket,
      archiveKey,
      logKey,
      trustedSources,
      lakeTable: lake.table,
    });
    const search = new SearchDomain(this, 'Search', { config, domainKey, logKey });
    const lastSeen = new LastSeen(this, 'LastSeen', {
      vpc: search.vpc,
      topic: this.alertTopic,
      key: stateKey,
      logKey,
      expectCloudTrail: takesTrail,
    });
    const consumers = new StreamConsumers(this, 'Consumers', {
      config,
      stream: this.stream,
      archive: archive.bucket,
      archiveKey,
      search,
      alertTopic: this.alertTopic,
      stateKey,
      logKey,
      trustedSources,
      lastSeen: lastSeen.table,
    });
    if (config.flowLogs.delivery === 'firehose')
      new ArchiveIndexer(this, 'ArchiveIndexer', {
        archive: archive.bucket,
        archiveKey,
        search,
        logKey,
        stateKey,
        trustedSources,
      });
    search.addSetup(config);
    acknowledge(
      this,
      'CDK key grants: the wildcard spans the variants of one KMS operation (GenerateDataKey, GenerateDataKeyWithoutPlaintext; ReEncryptFrom/To), always on one named key.',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    );
    // The singleton behind the domain's log-group resource policy (a CDK AwsCustomResource).
    const logPolicyCustomResource = this.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (logPolicyCustomResource) {
      acknowledge(
        logPolicyCustomResource,
        'CDK AwsCustomResource singleton that sets the CloudWatch Logs resource policy for the OpenSearch log groups.',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Action::kms:Describe*]',
        'AwsSolutions-IAM5[Action::kms:List*]',
        'AwsSolutions-L1',
      );
      checkovSkip(
        logPolicyCustomResource,
        'CDK AwsCustomResource singleton: one CloudWatch Logs API call at deployment, no data, no secrets.',
        'CKV_AWS_117',
      );
    }
    // The singleton behind the archive bucket's EventBridge notification setting (CDK's
    // BucketNotifications custom resource), present when objects are locked per object.
    const notificationsHandler = this.node.tryFindChild(
      'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
    );
    if (notificationsHandler) {
      acknowledge(
        notificationsHandler,
        'CDK BucketNotifications singleton: one S3 PutBucketNotificationConfiguration call at deployment, turning on EventBridge delivery for the archive bucket.',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      );
      checkovSkip(
        notificationsHandler,
        'CDK BucketNotifications singleton: one S3 API call at deployment, no data, no secrets.',
        'CKV_AWS_117',
      );
    }
    // The provider behind the search VPC's restrictDefaultSecurityGroup (a CDK custom resource).
    const restrictDefaultSg = this.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (restrictDefaultSg)
      checkovSkip(
        restrictDefaultSg,
        "CDK's restrictDefaultSecurityGroup provider: two EC2 calls at deployment (revoking the default security group's rules), no data, no secrets.",
        'CKV_AWS_117',
      );
    new PipelineHealth(this, 'Health', {
      config,
      topic: this.alertTopic,
      deliveryStream: firehose.deliveryStream,
      transform: firehose.transform,
      indexer: consumers.indexer,
      alerter: consumers.alerter,
      mappings: consumers.mappings,
      domain: search.domain,
      maxShards: search.maxShards,
      searchVolumeGiB: search.volumeGiB,
      archiveLockFailures: archiveLock?.failures,
      takesTrail,
    });
    routeDeploymentFunctionLogs(this, logKey);
  }
}
