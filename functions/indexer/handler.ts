import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { SDK_CALL_MAX_MS, SEARCH_REQUEST_TIMEOUT_MS } from '../../contracts/function-runtime';
import { createClient } from '../shared/clients';
import { lambdaRuntimeEnv } from '../shared/env';
import { SightingBuffer } from '../shared/last-seen';
import { powertoolsObserver } from '../shared/metrics';
import { signedSearchClient } from '../shared/opensearch/client';
import { flushSightings, indexerRecordHandler, type LastSeenDeps } from './batch';
import { indexerEnv } from './env';
import {
  isReplayDocuments,
  replayDocuments,
  type IndexerDeps,
  type ReplayDocumentsEvent,
  type ReplayDocumentsResult,
} from './indexer';

/**
 * Time kept back from the function's timeout to finish a batch once no new `_bulk` request may
 * start: one request still in flight, then the rejected/ writes and the last-seen updates, each
 * one SDK call at worst. The indexer's timeout must leave time for work beyond it
 * (test/stacks/central.test.ts checks the synthesized one).
 */
export const FINISH_RESERVE_MS = SEARCH_REQUEST_TIMEOUT_MS + 2 * SDK_CALL_MAX_MS;

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
  let deadline: number | undefined;
  const recordHandler = indexerRecordHandler({ ...deps, deadline: () => deadline }, observe, sightings);
  return async (
    event: KinesisStreamEvent | ReplayDocumentsEvent,
    context?: Context,
  ): Promise<KinesisStreamBatchResponse | ReplayDocumentsResult> => {
    if (context) logger.addContext(context);
    if (isReplayDocuments(event)) {
      // `logwarden replay` of documents kept under rejected/: the same create with the same ids.
      const result = await replayDocuments(deps, event);
      logger.info('replayed documents', { ...result });
      return result;
    }
    // The function's own timeout, as Lambda reports it, less what finishing takes.
    deadline = context ? Date.now() + context.getRemainingTimeInMillis() - FINISH_RESERVE_MS : undefined;
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
