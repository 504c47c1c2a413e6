import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LogwardenConfig } from '../../contracts/config';
import { pipelineLogGroup } from '../../contracts/names';
import { perAccountName } from '../../contracts/pipelines';
import { AlarmFactory } from '../alarm-factory';

export interface PipelineHealthProps {
  readonly config: LogwardenConfig;
  readonly topic: sns.ITopic;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly transform: lambda.IFunction;
  readonly indexer: lambda.IFunction;
  readonly alerter: lambda.IFunction;
  /** The consumers' event source mappings (their EventCount metrics are enabled). */
  readonly mappings: Record<'indexer' | 'alerter', sources.KinesisConsumerEventSource>;
  readonly domain: opensearch.IDomain;
  /** The cluster's shard limit (see SearchDomain.maxShards). */
  readonly maxShards: number;
  /** gp3 GiB per data node (the free-storage alarm holds 25 % of it). */
  readonly searchVolumeGiB: number;
  /** The archive-lock dead-letter queue, when objects are locked per object. */
  readonly archiveLockFailures?: sqs.IQueue;
  /**
   * Whether the trail's CloudWatch Logs group feeds this pipeline (contracts/pipelines.ts
   * trailPipelineRegion). Default true; a regional pipeline that gets no CloudTrail has no
   * freshness alarm on it, which would otherwise be in alarm for ever.
   */
  readonly takesTrail?: boolean;
}

/** Where the indexer's per-record line is read from, and the rule's name. */
export const ownerVolumeRuleName = 'logwarden-owner-volume';

/** Alarm on the shard count at this share of the cluster's limit, before new indices are refused. */
export const SHARD_ALARM_SHARE = 0.8;

/** Indices created per hour above which something writes far outside the normal daily pattern. */
export const INDICES_PER_HOUR_ALARM = 20;

/** Every way the pipeline can fail, as an alarm on the alert topic, and one dashboard. */
export class PipelineHealth extends Construct {
  readonly alarms: cloudwatch.Alarm[];

  /**
   * The alarms "Recommended CloudWatch alarms for Amazon OpenSearch Service" lists, at its
   * thresholds: ClusterStatus.red >= 1 for 1 minute, 1 time; ClusterStatus.yellow >= 1 for 1
   * minute, 5 times; FreeStorageSpace "25% of the storage space for each node" (MiB);
   * ClusterIndexWritesBlocked >= 1 for 5 minutes; AutomatedSnapshotFailure >= 1 for 1 minute;
   * CPUUtilization >= 80% for 15 minutes, 3 times; JVMMemoryPressure >= 95% for 1 minute, 3
   * times; 5xx >= 10% of OpenSearchRequests for 5 minutes.
   */
  private searchAlarms(alarm: AlarmFactory['addAlarm'], props: PipelineHealthProps): void {
    const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const metric = (metricName: string, statistic: string, minutes: number) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ES',
        metricName,
        dimensionsMap: { DomainName: props.domain.domainName, ClientId: props.config.accounts.logArchive },
        statistic,
        period: Duration.minutes(minutes),
      });
    const one = (
      name: string,
      metricName: string,
      threshold: number,
      minutes: number,
      times: number,
      description: string,
      statistic = 'Maximum',
      comparison = GTE,
    ) =>
      alarm({
        name,
        metric: metric(metricName, statistic, minutes),
        threshold,
        comparison,
        evaluationPeriods: times,
        description,
      });
    one(
      'search-cluster-red',
      'ClusterStatus.red',
      1,
      1,
      1,
      'At least one primary shard and its replicas are not allocated to a node: documents of those indices cannot be written or read.',
    );
    one(
      'search-cluster-yellow',
      'ClusterStatus.yellow',
      1,
      1,
      5,
      'At least one replica shard is not allocated to a node: one node lost loses data.',
    );
    const freeMiB = Math.floor(props.searchVolumeGiB * 1024 * 0.25);
    one(
      'search-free-storage',
      'FreeStorageSpace',
      freeMiB,
      1,
      1,
      `A data node is down to ${freeMiB} MiB (25 % of its ${props.searchVolumeGiB} GiB) of free storage; at the flood-stage watermark writes are blocked.`,
      'Minimum',
      cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    );
    one(
      'search-writes-blocked',
      'ClusterIndexWritesBlocked',
      1,
      5,
      1,
      'The cluster blocks writes (ClusterBlockException): the indexer fails and the stream backs up.',
    );
    one(
      'search-snapshot-failure',
      'AutomatedSnapshotFailure',
      1,
      1,
      1,
      'An automated snapshot failed, often because the cluster is red.',
    );
    one(
      'search-cpu',
      'CPUUtilization',
      80,
      15,
      3,
      'Data nodes above 80 % CPU for 45 minutes: a larger instance type or more nodes.',
    );
    one(
      'search-jvm-pressure',
      'JVMMemoryPressure',
      95,
      1,
      3,
      'JVM memory pressure at 95 %: out-of-memory errors are near; scale up.',
    );
    const errors = metric('5xx', 'Sum', 5);
    const requests = metric('OpenSearchRequests', 'Sum', 5);
    alarm({
      name: 'search-5xx',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { errors, requests },
        period: Duration.minutes(5),
        label: '5xx % of requests',
      }),
      threshold: 10,
      comparison: GTE,
      description: 'At least 10 % of the requests to the domain answered 5xx.',
    });
  }

  constructor(scope: Construct, id: string, props: PipelineHealthProps) {
    super(scope, id);
    const factory = new AlarmFactory(this, { topic: props.topic });
    this.alarms = factory.alarms;
    const alarm = factory.addAlarm.bind(factory);
    const five = Duration.minutes(5);
    const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
    const streamName = props.deliveryStream.deliveryStreamName as string;
    const firehoseMetric = (metricName: string, statistic = 'Minimum') =>
      new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: streamName },
        statistic,
        period: five,
      });
    /** A metric the functions emit with Powertools Metrics (namespace logwarden, service dimension). */
    const logwardenMetric = (fn: string, metricName: string, period = five) =>
      new cloudwatch.Metric({
        namespace: 'logwarden',
        metricName,
        dimensionsMap: { service: `logwarden-${fn}` },
        statistic: 'Sum',
        period,
      });

    alarm({
      name: 'firehose-behind',
      metric: firehoseMetric('KinesisMillisBehindLatest', 'Maximum'),
      threshold: 15 * 60 * 1000,
      description: 'Firehose (archive) is more than 15 minutes behind the central stream.',
    });
    // The stream decompresses CloudWatch Logs before the transform (firehose-archive.ts): a record
    // Firehose cannot decompress never reaches it and is kept under errors/decompression-failed/
    // ("OutputDecompressedRecords.Failed: Number of failed decompressed records", Firehose
    // Developer Guide, "CloudWatch Logs Decompression Metrics").
    alarm({
      name: 'firehose-decompression-failed',
      metric: firehoseMetric('OutputDecompressedRecords.Failed', 'Sum'),
      threshold: 0,
      description:
        'Firehose could not decompress records of the central stream; each is kept as it came under errors/decompression-failed/ in the archive bucket (not gzip, or corrupt: not replayable as it is).',
    });
    // The Parquet conversion refuses a record the table cannot hold ("FailedConversion.Records:
    // The number of records that could not be converted", Firehose Developer Guide, "Format
    // conversion CloudWatch metrics"); Firehose keeps it compressed, as the stream held it, under
    // errors/format-conversion-failed/, and the archive's table lacks it until the table is
    // widened and it is replayed (docs/lake.md).
    alarm({
      name: 'firehose-conversion-failed',
      metric: firehoseMetric('FailedConversion.Records', 'Sum'),
      threshold: 0,
      description:
        'The Parquet conversion refused records of the central stream; each is kept as the stream held it under errors/format-conversion-failed/ in the archive bucket: widen the lake table, then logwarden replay --from errors.',
    });
    alarm({
      name: 'indexer-behind',
      metric: props.indexer.metric('IteratorAge', { statistic: 'Maximum', period: five }),
      threshold: 15 * 60 * 1000,
      description: 'The OpenSearch indexer is more than 15 minutes behind the central stream.',
    });
    alarm({
      name: 'alerter-behind',
      metric: props.alerter.metric('IteratorAge', { statistic: 'Maximum', period: five }),
      threshold: 5 * 60 * 1000,
      description: 'The tamper alerter is more than 5 minutes behind the central stream.',
    });
    alarm({
      name: 'archive-delivery',
      metric: firehoseMetric('DeliveryToS3.Success'),
      threshold: 1,
      comparison: LT,
      description: 'Firehose failed to deliver to the S3 archive.',
    });
    alarm({
      name: 'transform-processing',
      metric: firehoseMetric('ExecuteProcessing.Success'),
      threshold: 1,
      comparison: LT,
      description: 'Firehose could not invoke the transform successfully.',
    });
    alarm({
      name: 'transform-errors',
      metric: props.transform.metricErrors({ period: five }),
      threshold: 0,
      description: 'The transform function failed.',
    });
    for (const [name, fn] of [
      ['indexer', props.indexer],
      ['alerter', props.alerter],
    ] as const) {
      alarm({
        name: `${name}-errors`,
        metric: fn.metricErrors({ period: five }),
        threshold: 0,
        description: `The ${name} function failed.`,
      });
      alarm({
        name: `${name}-throttles`,
        metric: fn.metricThrottles({ period: five }),
        threshold: 0,
        description: `The ${name} function was throttled.`,
      });
      alarm({
        name: `${name}-failed-records`,
        metric: logwardenMetric(name, 'FailedRecords'),
        threshold: 0,
        description: `Stream records failed in the ${name} on this attempt; the event source mapping retries them, then writes them whole to the archive bucket (aws/lambda/…).`,
      });
      const mapping = props.mappings[name];
      const esmMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
          statistic: 'Sum',
          period: five,
        });
      alarm({
        name: `${name}-on-failure`,
        metric: esmMetric('OnFailureDestinationDeliveredEventCount'),
        threshold: 0,
        description: `Stream records exhausted every retry of the ${name} and were written to its S3 on-failure destination (the archive bucket, aws/lambda/…): replay them.`,
      });
      alarm({
        name: `${name}-dropped`,
        metric: esmMetric('DroppedEventCount'),
        threshold: 0,
        description: `The ${name}'s event source mapping dropped records it could not deliver anywhere.`,
      });
      // "DestinationDeliveryFailures – For asynchronous invocation and supported event source
      // mappings, the number of times that Lambda attempts to send an event to a destination but
      // fails" (Lambda Developer Guide, "Types of metrics"): the on-failure record of a discarded
      // batch did not reach the archive bucket, so nothing is there to replay.
      alarm({
        name: `${name}-destination-delivery-failures`,
        metric: fn.metric('DestinationDeliveryFailures', { statistic: 'Sum', period: five }),
        threshold: 0,
        description: `Lambda could not write the ${name}'s discarded batches to its S3 on-failure destination (the archive bucket, aws/lambda/…): nothing is kept to replay; check the bucket policy, the archive key and the function's role.`,
      });
    }
    // The transform answers Firehose per record: a record it cannot transform is ProcessingFailed
    // (Firehose keeps the original under errors/), and a split record whose halves could not all
    // be written back to the stream fails whole. Both are kept, and both need a replay.
    alarm({
      name: 'transform-failed-records',
      metric: logwardenMetric('transform', 'FailedRecords'),
      threshold: 0,
      description:
        'The transform returned ProcessingFailed for records; Firehose kept each under errors/ in the archive bucket (logwarden replay).',
    });
    alarm({
      name: 'transform-reingest-failed',
      metric: logwardenMetric('transform', 'ReingestFailed'),
      threshold: 0,
      description:
        'The transform could not write the parts of an over-large record back to the stream; the record failed whole and is kept under errors/ (logwarden replay).',
    });
    for (const fn of ['transform', 'indexer']) {
      alarm({
        name: `${fn}-invalid-utf8`,
        metric: logwardenMetric(fn, 'InvalidUtf8Lines'),
        threshold: 0,
        description: `The ${fn} read log lines that are not valid UTF-8; they are kept with replacement characters and the raw bytes.`,
      });
    }
    // A record the alerter cannot read (not a CloudWatch Logs payload, or past MAX_PAYLOAD_BYTES
    // decoded) is kept by the archive and the indexer, but no tamper event in it is alerted on:
    // someone must look at it (logwarden replay errors shows it again).
    alarm({
      name: 'alerter-unreadable',
      metric: logwardenMetric('alerter', 'UnreadableRecords'),
      threshold: 0,
      description:
        'The alerter could not read stream records; no tamper alert can come from them. The archive keeps them under errors/, the indexer under rejected/: look at them.',
    });
    alarm({
      name: 'quarantined-documents',
      metric: logwardenMetric('indexer', 'QuarantinedDocuments'),
      threshold: 0,
      description:
        'Events whose time was outside the accepted window around ingestion went to the quarantine index: a clock problem or someone forging timestamps.',
    });
    alarm({
      name: 'indices-created',
      metric: logwardenMetric('indexer', 'IndicesCreated', Duration.hours(1)),
      threshold: INDICES_PER_HOUR_ALARM,
      description: `More than ${INDICES_PER_HOUR_ALARM} indices were created in an hour: events spread over many days, an attempt to exhaust the cluster's shards.`,
    });
    const shardThreshold = Math.floor(props.maxShards * SHARD_ALARM_SHARE);
    const shards = new cloudwatch.Metric({
      namespace: 'AWS/ES',
      metricName: 'Shards.active',
      dimensionsMap: { DomainName: props.domain.domainName, ClientId: props.config.accounts.logArchive },
      statistic: 'Maximum',
      period: five,
    });
    alarm({
      name: 'search-shards',
      metric: shards,
      threshold: shardThreshold,
      description: `The OpenSearch domain holds more than ${shardThreshold} active shards, ${SHARD_ALARM_SHARE * 100} % of its limit of ${props.maxShards}; past the limit new indices, and their documents, are refused.`,
    });
    this.searchAlarms(alarm, props);
    const rejected = logwardenMetric('indexer', 'RejectedDocuments');
    alarm({
      name: 'rejected-documents',
      metric: rejected,
      threshold: 0,
      description:
        'OpenSearch rejected documents; they are kept under rejected/ in the archive bucket with the reason.',
    });
    if (props.archiveLockFailures) {
      alarm({
        name: 'archive-lock-failures',
        metric: props.archiveLockFailures.metricApproximateNumberOfMessagesVisible({
          period: five,
          statistic: 'Maximum',
        }),
        threshold: 0,
        description:
          'An archive object version could not be locked after every retry: its Object Created event waits in the archive-lock queue; lock it by hand (PutObjectRetention).',
      });
    }

    // Per-owner volume: the indexer logs one line per stream record with the payload owner (set
    // by CloudWatch Logs, not by the sender) and its bytes; Contributor Insights sums the bytes
    // by owner, and the alarm fires when the largest owner of the last hour passes the ceiling.
    // A fixed ceiling rather than an anomaly band: an attacker who ramps up slowly trains an
    // anomaly model to accept the flood; a ceiling holds from the first day.
    const indexerLogGroup = pipelineLogGroup('indexer');
    new cloudwatch.CfnInsightRule(this, 'OwnerVolumeRule', {
      ruleName: ownerVolumeRuleName,
      ruleState: 'ENABLED',
      ruleBody: JSON.stringify({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: [indexerLogGroup],
        LogFormat: 'JSON',
        Contribution: {
          Keys: ['$.owner'],
          ValueOf: '$.bytes',
          Filters: [{ Match: '$.message', In: ['record indexed'] }],
        },
        AggregateOn: 'Sum',
      }),
    });
    const ownerBytes = new cloudwatch.MathExpression({
      expression: `INSIGHT_RULE_METRIC('${ownerVolumeRuleName}', 'MaxContributorValue')`,
      label: 'bytes of the largest owner',
      period: Duration.hours(1),
    });
    const ceiling = props.config.alerts.ownerBytesPerHour;
    alarm({
      name: 'owner-volume',
      metric: ownerBytes,
      threshold: ceiling,
      description: `One account sent more than ${ceiling} bytes to the pipeline in an hour; Contributor Insights rule ${ownerVolumeRuleName} names it.`,
    });

    const freshness = Duration.minutes(props.config.alerts.freshnessMinutes);
    const cloudTrailDocs = new cloudwatch.Metric({
      namespace: 'logwarden',
      metricName: 'IndexedDocuments',
      dimensionsMap: { service: 'logwarden-indexer', source: 'cloudtrail' },
      statistic: 'Sum',
      period: freshness,
    });
    if (props.takesTrail ?? true)
      alarm({
        name: 'cloudtrail-freshness',
        metric: cloudTrailDocs,
        threshold: 1,
        comparison: LT,
        description: `No CloudTrail document from the organization for ${props.config.alerts.freshnessMinutes} minutes.`,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });

    // "All dashboards in your account are global, not region-specific" (CloudFormation Template
    // Reference, AWS::CloudWatch::Dashboard): each regional pipeline's carries its region.
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: perAccountName(props.config, 'logwarden-pipeline', Stack.of(this).region),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Behind the stream (ms)',
        left: [
          firehoseMetric('KinesisMillisBehindLatest', 'Maximum'),
          props.indexer.metric('IteratorAge', { statistic: 'Maximum' }),
          props.alerter.metric('IteratorAge', { statistic: 'Maximum' }),
        ],
      }),
      new cloudwatch.GraphWidget({ title: 'Documents', left: [cloudTrailDocs, rejected] }),
      new cloudwatch.GraphWidget({ title: 'Shards', left: [shards] }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms }),
    );
  }
}
