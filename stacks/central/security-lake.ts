import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../../workflows/acknowledge';
import type { LogwardenConfig } from '../../contracts/config';
import { INDEXER_MEMORY_MB } from '../../contracts/function-runtime';
import { archiveDataPrefix } from '../../contracts/lake';
import {
  providerRoleName,
  securityLakeClasses,
  securityLakeCrawlerRoleName,
  securityLakeRuleName,
} from '../../contracts/security-lake';
import { securityLakeWriterEnv } from '../../functions/security-lake-writer/env';
import { AlarmFactory } from '../alarm-factory';
import { NodeFunction } from '../node-function';
import { archiveObjectQueue, grantArchiveObjectReader } from './archive-object-queue';

export interface SecurityLakeSourcesProps {
  readonly securityLake: NonNullable<LogwardenConfig['archive']['securityLake']>;
  readonly archive: s3.IBucket;
  readonly archiveKey: kms.IKey;
  /** Encrypts the writer's queues. */
  readonly stateKey: kms.Key;
  readonly logKey: kms.IKey;
  /** Receives the writer's alarms. */
  readonly topic: sns.ITopic;
}

/**
 * What the stack holds of logwarden as an Amazon Security Lake custom source: the Glue crawler
 * role that CreateCustomLogSource takes, and the writer that files every new archive object's
 * documents of the sources' classes under the sources' partitions (SecurityLakeWriter). CloudFormation has no resource type for a custom log
 * source (AWS::SecurityLake has AwsLogSource, DataLake, Subscriber, SubscriberNotification), so
 * the sources themselves are the CreateCustomLogSource requests of contracts/security-lake.ts
 * (docs/lake.md). Security Lake then creates, per source, the prefix `ext/<source>/`, the Glue
 * table and crawler, and the provider role this account assumes, with the external id, to write
 * there (Security Lake User Guide, "Collecting data from custom sources in Security Lake").
 */
export class SecurityLakeSources extends Construct {
  readonly crawlerRole: iam.Role;
  readonly writer: SecurityLakeWriter;

  constructor(scope: Construct, id: string, props: SecurityLakeSourcesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // CustomLogSourceCrawlerConfiguration.roleArn: "The recommended IAM policies are: The managed
    // policy AWSGlueServiceRole; A custom policy granting access to your Amazon S3 Data Lake"
    // (Security Lake API Reference).
    this.crawlerRole = new iam.Role(this, 'CrawlerRole', {
      roleName: securityLakeCrawlerRoleName,
      description: "logwarden: Security Lake's Glue crawler over logwarden's custom-source partitions",
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole')],
    });
    // The data lake bucket is Security Lake's (aws-security-data-lake-<region>-<id>): named by
    // the service, so by pattern; only logwarden's sources' prefixes are read.
    const dataLakeBucket = `arn:${stack.partition}:s3:::aws-security-data-lake-${stack.region}-*`;
    this.crawlerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLogwardenSources',
        actions: ['s3:GetObject'],
        resources: securityLakeClasses.map((c) => `${dataLakeBucket}/ext/${c.sourceName}/*`),
      }),
    );
    this.crawlerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListLogwardenSources',
        actions: ['s3:ListBucket'],
        resources: [dataLakeBucket],
        conditions: { StringLike: { 's3:prefix': securityLakeClasses.map((c) => `ext/${c.sourceName}/*`) } },
      }),
    );
    acknowledge(
      this.crawlerRole,
      'The crawler role of a Security Lake custom source: the Security Lake API Reference recommends the AWSGlueServiceRole managed policy for it (CustomLogSourceCrawlerConfiguration.roleArn).',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]',
    );
    acknowledge(
      this.crawlerRole,
      'Security Lake names its data lake bucket (aws-security-data-lake-<region>-<id>) and the crawler reads the objects its sources write under their own ext/<source>/ prefixes.',
      ...securityLakeClasses.map(
        (c) => `AwsSolutions-IAM5[Resource::${dataLakeBucket}/ext/${c.sourceName}/*]`,
      ),
      `AwsSolutions-IAM5[Resource::${dataLakeBucket}]`,
    );
    this.writer = new SecurityLakeWriter(this, 'Writer', props);
  }
}

/**
 * The archive's new objects into Security Lake: S3's "Object Created" events of the archive's
 * `ocsf/` objects go to a KMS-encrypted queue (with a dead-letter queue) that the
 * security-lake-writer function reads. It writes each partition's documents as one Parquet
 * object under `ext/<source>/region=/accountId=/eventDay=/`, acting as the provider role
 * Security Lake created for the source ("Security Lake creates an IAM role that permits the
 * custom source to write to the specified location in your S3 bucket", Security Lake User
 * Guide), assumed with the external id. Its own role can do nothing in Security Lake's bucket:
 * the provider roles' policies, which Security Lake writes, are what allow the writes.
 */
export class SecurityLakeWriter extends Construct {
  readonly function: NodeFunction;
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: SecurityLakeSourcesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const timeout = Duration.minutes(5);
    ({ queue: this.queue, deadLetters: this.deadLetters } = archiveObjectQueue(this, {
      archive: props.archive,
      stateKey: props.stateKey,
      timeout,
      ruleName: securityLakeRuleName,
      ruleDescription: "logwarden: write the archive's new objects into Security Lake's custom sources",
      keyPattern: `${archiveDataPrefix}source=*/date=*/*`,
      reader: 'the Security Lake writer',
      keyPolicySid: 'EventBridgeIntoSecurityLakeWriterQueues',
    }));

    const providerRoleArnPrefix = `arn:${stack.partition}:iam::${stack.account}:role/`;
    this.function = new NodeFunction(this, 'Function', {
      name: 'security-lake-writer',
      description:
        "Archive objects → Security Lake custom sources (Parquet, one object a partition, as the source's provider role)",
      timeout,
      memorySize: INDEXER_MEMORY_MB,
      logKey: props.logKey,
      environment: securityLakeWriterEnv.environment({
        archiveBucket: props.archive.bucketName,
        dataLakeBucket: props.securityLake.bucket,
        externalId: props.securityLake.externalId,
        providerRoleArnPrefix,
      }),
    });
    grantArchiveObjectReader(this.function, {
      archive: props.archive,
      archiveKey: props.archiveKey,
      rejected: 'keeps documents it cannot file under rejected/',
    });
    // sts:AssumeRole acts on the role resource type (Service Authorization Reference, AWS STS):
    // the provider roles of logwarden's sources in this Region, and no other role.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AssumeSecurityLakeProviderRoles',
        actions: ['sts:AssumeRole'],
        resources: securityLakeClasses.map(
          (c) => `${providerRoleArnPrefix}${providerRoleName(c.sourceName, stack.region)}`,
        ),
      }),
    );
    // One archive object an invocation: an object holds up to a Firehose buffer (64 MB of
    // documents), all in memory while it is grouped, and Powertools' BatchProcessor handles the
    // records of a batch concurrently.
    this.function.addEventSource(
      new sources.SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );

    const factory = new AlarmFactory(this, { topic: props.topic });
    this.alarms = factory.alarms;
    const five = Duration.minutes(5);
    factory.addAlarm({
      name: 'security-lake-writer-dead-letters',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: five,
        statistic: 'Maximum',
      }),
      threshold: 0,
      description:
        "Archive objects not written into Security Lake after 10 attempts (or not delivered by EventBridge) wait in the Security Lake writer's dead-letter queue. Read the function's log for the reason, fix it, then move them back with StartMessageMoveTask (docs/lake.md).",
    });
    factory.addAlarm({
      name: 'security-lake-writer-rejected',
      metric: new cloudwatch.Metric({
        namespace: 'logwarden',
        metricName: 'SecurityLakeDocumentsRejected',
        dimensionsMap: { service: 'logwarden-security-lake-writer' },
        statistic: 'Sum',
        period: five,
      }),
      threshold: 0,
      description:
        'Documents of a class Security Lake takes had no partition (no cloud.region, 12-digit cloud.account.uid or time): they are kept in the archive under rejected/<day>/security-lake/, not in Security Lake.',
    });
  }
}
