import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamEvent, KinesisStreamRecord, KinesisStreamBatchResponse } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { flowLogRegistryFromEnv } from '../shared/flow-log-registry-env';
import { addPerSource } from '../shared/metrics';
import { signedSearchClient } from '../shared/opensearch/client';
import { indexStreamRecord } from './indexer';

const logger = new Logger();
const metrics = new Metrics();
const processor = new BatchProcessor(EventType.KinesisDataStreams);
const deps = {
  search: signedSearchClient({
    endpoint: requiredEnv('OPENSEARCH_ENDPOINT'),
    region: requiredEnv('AWS_REGION'),
  }),
  s3: createClient(S3Client),
  archiveBucket: requiredEnv('ARCHIVE_BUCKET'),
  formats: flowLogRegistryFromEnv(),
};

async function recordHandler(record: KinesisStreamRecord): Promise<void> {
  const outcome = await indexStreamRecord(record.kinesis.data, record.kinesis.sequenceNumber, deps);
  metrics.addMetric('IndexedDocuments', MetricUnit.Count, outcome.indexed);
  metrics.addMetric('RejectedDocuments', MetricUnit.Count, outcome.rejected);
  metrics.addMetric('BulkRetries', MetricUnit.Count, outcome.retries);
  addPerSource(metrics, 'IndexedDocuments', outcome.bySource);
  if (outcome.rejected)
    logger.warn('documents kept under rejected/', {
      sequenceNumber: record.kinesis.sequenceNumber,
      rejected: outcome.rejected,
    });
}

/** Kinesis (enhanced fan-out) → OpenSearch, reporting partial batch failures. */
export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  try {
    return await processPartialResponse(event, recordHandler, processor, { throwOnFullBatchFailure: false });
  } finally {
    metrics.publishStoredMetrics();
  }
}
