import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { createClient } from '../shared/clients';
import { lambdaRuntimeEnv } from '../shared/env';
import { addPerSource } from '../shared/metrics';
import { signedSearchClient } from '../shared/opensearch/client';
import { indexerEnv } from './env';
import { indexStreamRecord, type IndexerDeps } from './indexer';

export interface IndexerHandlerDeps extends IndexerDeps {
  logger: Logger;
  metrics: Metrics;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): IndexerHandlerDeps {
  const settings = indexerEnv.parse(env);
  const { awsRegion } = lambdaRuntimeEnv.parse(env);
  return {
    search: signedSearchClient({ endpoint: settings.opensearchEndpoint, region: awsRegion }),
    s3: createClient(S3Client),
    archiveBucket: settings.archiveBucket,
    formats: settings.flowLogFormats,
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/** Kinesis (enhanced fan-out) → OpenSearch, reporting partial batch failures. */
export function makeHandler(deps: IndexerHandlerDeps) {
  const { logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
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
  };
  return async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
    if (context) logger.addContext(context);
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
