import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LogwardenConfig } from '../../contracts/config';

export interface PipelineHealthProps {
  readonly config: LogwardenConfig;
  readonly topic: sns.ITopic;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly transform: lambda.IFunction;
  readonly indexer: lambda.IFunction;
  readonly alerter: lambda.IFunction;
  readonly failureQueues: sqs.IQueue[];
}

/** Every way the pipeline can fail, as an alarm on the alert topic, and one dashboard. */
export class PipelineHealth extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineHealthProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.topic);
    const five = Duration.minutes(5);
    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparison: cloudwatch.ComparisonOperator,
      description: string,
      missing = cloudwatch.TreatMissingData.NOT_BREACHING,
      evaluationPeriods = 1,
    ) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmName: `logwarden-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: comparison,
        evaluationPeriods,
        treatMissingData: missing,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
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

    alarm(
      'firehose-behind',
      firehoseMetric('KinesisMillisBehindLatest', 'Maximum'),
      15 * 60 * 1000,
      GT,
      'Firehose (archive) is more than 15 minutes behind the central stream.',
    );
    alarm(
      'indexer-behind',
      props.indexer.metric('IteratorAge', { statistic: 'Maximum', period: five }),
      15 * 60 * 1000,
      GT,
      'The OpenSearch indexer is more than 15 minutes behind the central stream.',
    );
    alarm(
      'alerter-behind',
      props.alerter.metric('IteratorAge', { statistic: 'Maximum', period: five }),
      5 * 60 * 1000,
      GT,
      'The tamper alerter is more than 5 minutes behind the central stream.',
    );
    alarm(
      'archive-delivery',
      firehoseMetric('DeliveryToS3.Success'),
      1,
      LT,
      'Firehose failed to deliver to the S3 archive.',
      cloudwatch.TreatMissingData.NOT_BREACHING,
    );
    alarm(
      'transform-processing',
      firehoseMetric('ExecuteProcessing.Success'),
      1,
      LT,
      'Firehose could not invoke the transform successfully.',
    );
    alarm(
      'transform-errors',
      props.transform.metricErrors({ period: five }),
      0,
      GT,
      'The transform function failed.',
    );
    for (const [name, fn] of [
      ['indexer', props.indexer],
      ['alerter', props.alerter],
    ] as const) {
      alarm(`${name}-errors`, fn.metricErrors({ period: five }), 0, GT, `The ${name} function failed.`);
      alarm(
        `${name}-throttles`,
        fn.metricThrottles({ period: five }),
        0,
        GT,
        `The ${name} function was throttled.`,
      );
    }
    const rejected = new cloudwatch.Metric({
      namespace: 'logwarden',
      metricName: 'RejectedDocuments',
      dimensionsMap: { service: 'logwarden-indexer' },
      statistic: 'Sum',
      period: five,
    });
    alarm(
      'rejected-documents',
      rejected,
      0,
      GT,
      'OpenSearch rejected documents; they are kept under rejected/ in the archive bucket with the reason.',
    );
    props.failureQueues.forEach((q, i) =>
      alarm(
        `failure-queue-${i === 0 ? 'indexer' : 'alerter'}`,
        q.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
        0,
        GT,
        'Stream records failed every retry and wait in the on-failure queue.',
      ),
    );
    const freshness = Duration.minutes(props.config.alerts.freshnessMinutes);
    const cloudTrailDocs = new cloudwatch.Metric({
      namespace: 'logwarden',
      metricName: 'IndexedDocuments',
      dimensionsMap: { service: 'logwarden-indexer', source: 'cloudtrail' },
      statistic: 'Sum',
      period: freshness,
    });
    alarm(
      'cloudtrail-freshness',
      cloudTrailDocs,
      1,
      LT,
      `No CloudTrail document from the organization for ${props.config.alerts.freshnessMinutes} minutes.`,
      cloudwatch.TreatMissingData.BREACHING,
    );

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: 'logwarden-pipeline' });
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
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms }),
    );
  }
}
