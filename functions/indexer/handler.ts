import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { lambdaRuntimeEnv } from '../shared/env';
import { SightingBuffer } from '../shared/last-seen';
import { powertoolsObserver } from '../shared/metrics';
import { signedSearchClient } from '../shared/opensearch/client';
import { flushSightings, indexerRecordHandler, type LastSeenDeps } from './batch';
import { indexerEnv } from './env';
import type { IndexerDeps } from './indexer';

export interface IndexerHandlerDeps extends IndexerDeps {
  lastSeen: LastSeenDeps;
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
    trust: settings.trustedSources,
    knownIndices: new Set(),
    lastSeen: { ddb: createClient(DynamoDBClient), table: settings.lastSeenTable },
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/**
 * Kinesis (enhanced fan-out) → OpenSearch, reporting partial batch failures. Each record logs
 * one line (indexed, or failed with its reason); the batch then records who was seen.
 */
export function makeHandler(deps: IndexerHandlerDeps) {
  const { logger, metrics } = deps;
  const observe = powertoolsObserver(logger, metrics);
  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  const sightings = new SightingBuffer();
  const recordHandler = indexerRecordHandler(deps, observe, sightings);
  return async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
    if (context) logger.addContext(context);
    try {
      const response = await processPartialResponse(event, recordHandler, processor, {
        throwOnFullBatchFailure: false,
      });
      await flushSightings(deps.lastSeen, sightings, observe);
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
