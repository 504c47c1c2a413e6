import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { flowLogRegistryFromEnv } from '../shared/flow-log-registry-env';
import { alertOnStreamRecord } from './alerter';

const logger = new Logger();
const metrics = new Metrics();
const processor = new BatchProcessor(EventType.KinesisDataStreams);

const stateMachineArn = requiredEnv('HEAL_STATE_MACHINE_ARN');
const deps = {
  sns: createClient(SNSClient),
  ddb: createClient(DynamoDBClient),
  // The workflow lives in the security-tooling account: start it through the role it trusts.
  sfn: createClient(SFNClient, {
    region: stateMachineArn.split(':')[3],
    credentials: fromTemporaryCredentials({
      params: { RoleArn: requiredEnv('HEAL_STARTER_ROLE_ARN'), RoleSessionName: 'logwarden-alerter' },
    }),
  }),
  topicArn: requiredEnv('ALERT_TOPIC_ARN'),
  stateMachineArn,
  dedupeTable: requiredEnv('DEDUPE_TABLE'),
  dedupeHours: Number(process.env.STREAM_RETENTION_HOURS ?? 168),
  formats: flowLogRegistryFromEnv(),
};

async function recordHandler(record: KinesisStreamRecord): Promise<void> {
  const outcome = await alertOnStreamRecord(record.kinesis.data, deps);
  if (outcome.alerted.length) logger.info('tamper alerts sent', { eventIds: outcome.alerted });
  if (outcome.duplicates.length)
    logger.info('duplicate deliveries, no alert', { eventIds: outcome.duplicates });
  metrics.addMetric('TamperAlerts', MetricUnit.Count, outcome.alerted.length);
  metrics.addMetric('DuplicateTamperDeliveries', MetricUnit.Count, outcome.duplicates.length);
}

/** Kinesis (enhanced fan-out) → tamper alerts on SNS and self-heal executions. */
export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  try {
    return await processPartialResponse(event, recordHandler, processor, { throwOnFullBatchFailure: false });
  } finally {
    metrics.publishStoredMetrics();
  }
}
