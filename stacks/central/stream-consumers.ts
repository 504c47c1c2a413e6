import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { LogwardenConfig } from '../../contracts/config';
import {
  ALERTER_MEMORY_MB,
  ALERTER_TIMEOUT_SECONDS,
  INDEXER_MEMORY_MB,
} from '../../contracts/function-runtime';
import { healStarterRoleArn, healStateMachineArn, names } from '../../contracts/names';
import { perAccountName } from '../../contracts/pipelines';
import { encodeTrustedSources, type TrustedSource } from '../../contracts/trusted-sources';
import { acknowledge, logicalIdOf } from '../../workflows/acknowledge';
import { NodeFunction } from '../node-function';
import { grantTableKeyDecrypt } from '../secure-key';
import type { SearchDomain } from './search-domain';
import { alerterEnv } from '../../functions/alerter/env';
import { indexerEnv } from '../../functions/indexer/env';

export interface StreamConsumersProps {
  readonly config: LogwardenConfig;
  readonly stream: kinesis.Stream;
  readonly archive: s3.Bucket;
  readonly archiveKey: kms.IKey;
  readonly search: SearchDomain;
  readonly alertTopic: sns.Topic;
  readonly stateKey: kms.IKey;
  readonly logKey: kms.IKey;
  /** Where CloudTrail and GuardDuty may come from (contracts/trusted-sources.ts). */
  readonly trustedSources: TrustedSource[];
  /** "Last seen per account per source", which the indexer updates. */
  readonly lastSeen: dynamodb.ITable;
}

/**
 * The event source mappings' MaximumRecordAgeInSeconds: an hour less than the stream keeps a
 * record, at most 7 days. "If the function is invoked but returns an error, Lambda retries until
 * the records expire, exceed the maximum age (MaximumRecordAgeInSeconds), or reach the configured
 * retry quota" (Lambda Developer Guide, "Retain discarded batch records for a Kinesis Data Streams
 * event source"): with the age equal to the retention, the stream may trim a record at the moment
 * Lambda would discard it to the on-failure destination, and it is lost. The hour leaves Lambda
 * time to write the batch to the archive first. The range is 60 seconds to 7 days (CDK,
 * KinesisEventSourceProps.maxRecordAge); a stream keeps records 24 hours at least.
 */
export function maxRecordAgeSeconds(retentionHours: number): number {
  return Math.min(7 * 24 * 3600, (retentionHours - 1) * 3600);
}

/**
 * The on-failure destination of a stream consumer: the archive bucket itself. For an S3
 * destination Lambda writes the whole invocation record (the Kinesis records, not only their
 * metadata as SQS gets), so nothing that exhausts its retries is lost, and it is then locked
 * like every other archived object. CDK's S3OnFailureDestination grants read-write (deletes
 * included) on the whole bucket; this grants what the Lambda documentation lists for an S3
 * destination: s3:PutObject and s3:ListBucket, and kms:GenerateDataKey on the bucket's key.
 * Lambda chooses the object keys, so PutObject cannot be narrowed to a prefix.
 */
export class ArchiveOnFailure implements lambda.IEventSourceDlq {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly key: kms.IKey,
  ) {}

  bind(_target: lambda.IEventSourceMapping, fn: lambda.IFunction): lambda.DlqDestinationConfig {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(fn).region}.amazonaws.com` } },
      }),
    );
    for (const scope of [fn, ...(fn.role ? [fn.role] : [])]) {
      acknowledge(
        scope,
        'The on-failure destination: Lambda names the objects it writes, so PutObject spans the archive bucket (which locks them).',
        `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.bucket)}.Arn>/*]`,
      );
    }
    return { destination: this.bucket.bucketArn };
  }
}

/**
 * Consumers 2 and 3, each on its own enhanced fan-out consumer so neither slows the other or
 * Firehose: the OpenSearch indexer and the tamper alerter.
 */
export class StreamConsumers extends Construct {
  readonly indexer: NodeFunction;
  readonly alerter: NodeFunction;
  readonly dedupe: dynamodb.Table;
  /** The two event source mappings, for their EventCount metrics. */
  readonly mappings: Record<'indexer' | 'alerter', sources.KinesisConsumerEventSource>;

  constructor(scope: Construct, id: string, props: StreamConsumersProps) {
    super(scope, id);
    const { config } = props;

    this.indexer = new NodeFunction(this, 'Indexer', {
      name: 'indexer',
      description:
        'Central stream → OCSF documents → OpenSearch (_id = metadata.uid); rejections to S3 rejected/',
      timeout: Duration.minutes(2),
      memorySize: INDEXER_MEMORY_MB,
      logKey: props.logKey,
      vpc: props.search.vpc,
      securityGroups: [props.search.clientSecurityGroup],
      environment: indexerEnv.environment({
        opensearchEndpoint: `https://${props.search.domain.domainEndpoint}`,
        archiveBucket: props.archive.bucketName,
        trustedSources: encodeTrustedSources(props.trustedSources),
        lastSeenTable: props.lastSeen.tableName,
      }),
    });
    props.lastSeen.grant(this.indexer, 'dynamodb:UpdateItem');
    grantTableKeyDecrypt(props.lastSeen, this.indexer);
    props.search.grantWriter(this.indexer);
    props.archive.grantPut(this.indexer, 'rejected/*');
    acknowledge(
      this.indexer,
      'Rejected documents are written under rejected/, one object per document id; AbortMultipartUpload is the only Abort* action.',
      'AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/rejected/*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
    );

    this.dedupe = new dynamodb.Table(this, 'AlertDedupe', {
      partitionKey: { name: 'eventId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.stateKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
    });

    this.alerter = new NodeFunction(this, 'Alerter', {
      name: 'alerter',
      description: 'Central stream → tamper alerts and detection alerts on SNS, self-heal executions',
      timeout: Duration.seconds(ALERTER_TIMEOUT_SECONDS),
      memorySize: ALERTER_MEMORY_MB,
      logKey: props.logKey,
      // IAM is global: the pipelines outside the home region name their alerter role with their region.
      roleName: perAccountName(config, names.alerterRole, Stack.of(this).region),
      // A flood elsewhere in the account cannot take the alerter's capacity (issue 10 §4).
      reservedConcurrentExecutions: config.alerts.alerterReservedConcurrency,
      environment: alerterEnv.environment({
        alertTopicArn: props.alertTopic.topicArn,
        dedupeTable: this.dedupe.tableName,
        healStateMachineArn: healStateMachineArn(config.homeRegion, config.accounts.securityTooling),
        healStarterRoleArn: healStarterRoleArn(config.accounts.securityTooling),
        streamRetentionHours: String(config.kinesis.retentionHours),
        trustedSources: encodeTrustedSources(props.trustedSources),
        governedRegions: config.governedRegions.join(','),
        managementAccount: config.accounts.management,
        scopeExcludeAccounts: config.scope.excludeAccounts.join(',') || undefined,
        trailMode: config.trail.mode,
        guardDutyMinSeverity: String(config.alerts.guardDutyMinSeverity),
        disabledDetections: config.alerts.disabledDetections.join(',') || undefined,
      }),
    });
    props.alertTopic.grantPublish(this.alerter);
    // Claim (conditional PutItem), read a held claim, mark alerted (UpdateItem), release (DeleteItem).
    this.dedupe.grant(
      this.alerter,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    grantTableKeyDecrypt(this.dedupe, this.alerter);
    this.alerter.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [healStarterRoleArn(config.accounts.securityTooling)],
      }),
    );

    const onFailure = new ArchiveOnFailure(props.archive, props.archiveKey);
    const mapping = (name: 'indexer' | 'alerter', fn: NodeFunction) => {
      const consumer = new kinesis.StreamConsumer(this, `${name}Consumer`, {
        stream: props.stream,
        streamConsumerName: `logwarden-${name}`,
      });
      const source = new sources.KinesisConsumerEventSource(consumer, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.seconds(maxRecordAgeSeconds(config.kinesis.retentionHours)),
        reportBatchItemFailures: true,
        parallelizationFactor: 2,
        onFailure,
        // OnFailureDestinationDeliveredEventCount and DroppedEventCount, alarmed in health.ts
        // (and the functions' DestinationDeliveryFailures).
        metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT] },
      });
      fn.addEventSource(source);
      return source;
    };
    this.mappings = { indexer: mapping('indexer', this.indexer), alerter: mapping('alerter', this.alerter) };
  }
}
