import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { lambdaRuntimeEnv } from '../shared/env';
import { signedSearchClient } from '../shared/opensearch/client';
import { FINISH_RESERVE_MS } from '../indexer/handler';
import { indexArchiveEnv } from './env';
import { createdObjectOf, indexArchiveObject, type IndexArchiveDeps } from './index-archive';

export interface IndexArchiveHandlerDeps extends IndexArchiveDeps {
  logger: Logger;
  metrics: Metrics;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): IndexArchiveHandlerDeps {
  const settings = indexArchiveEnv.parse(env);
  const { awsRegion } = lambdaRuntimeEnv.parse(env);
  return {
    search: signedSearchClient({ endpoint: settings.opensearchEndpoint, region: awsRegion }),
    s3: createClient(S3Client),
    archiveBucket: settings.archiveBucket,
    formats: settings.flowLogFormats,
    trust: settings.trustedSources,
    knownIndices: new Set(),
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/**
 * SQS (the archive's "Object Created" events of the direct flow-log path) → OpenSearch. A message
 * whose documents are not all indexed (throttled, unreachable) is reported as a batch item
 * failure and comes back; indexing it again is harmless (deterministic ids).
 */
export function makeHandler(deps: IndexArchiveHandlerDeps) {
  const { logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.SQS);
  let deadline: number | undefined;
  const recordHandler = async (record: SQSRecord) => {
    const object = createdObjectOf(record.body);
    try {
      const outcome = await indexArchiveObject({ ...deps, deadline: () => deadline }, object);
      metrics.addMetric('ArchiveDocumentsIndexed', MetricUnit.Count, outcome.indexed);
      metrics.addMetric('ArchiveDocumentsAlreadyIndexed', MetricUnit.Count, outcome.alreadyIndexed);
      metrics.addMetric('ArchiveDocumentsRejected', MetricUnit.Count, outcome.rejected);
      logger.info('indexed archive object', { ...object, ...outcome });
    } catch (err) {
      logger.error('archive object not indexed', { ...object, reason: (err as Error).message });
      throw err;
    }
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) logger.addContext(context);
    deadline = context ? Date.now() + context.getRemainingTimeInMillis() - FINISH_RESERVE_MS : undefined;
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        throwOnFullBatchFailure: false,
      });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
