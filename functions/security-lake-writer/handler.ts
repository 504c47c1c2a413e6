import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { providerRoleName } from '../../contracts/security-lake';
import { assumedRoleCredentials, createClient } from '../shared/clients';
import { lambdaRuntimeEnv } from '../shared/env';
import { createdObjectOf } from '../index-archive/index-archive';
import { securityLakeWriterEnv } from './env';
import { writeArchiveObject, type SecurityLakeWriterDeps } from './security-lake-writer';

export interface SecurityLakeWriterHandlerDeps extends SecurityLakeWriterDeps {
  logger: Logger;
  metrics: Metrics;
}

/** The role session's name, so Security Lake's CloudTrail shows who wrote. */
export const writerSessionName = 'logwarden-security-lake-writer';

export function depsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SecurityLakeWriterHandlerDeps {
  const settings = securityLakeWriterEnv.parse(env);
  const { awsRegion } = lambdaRuntimeEnv.parse(env);
  const clients = new Map<string, S3Client>();
  const lakeS3For = (sourceName: string): S3Client => {
    let client = clients.get(sourceName);
    if (!client) {
      client = createClient(S3Client, {
        credentials: assumedRoleCredentials(
          {
            RoleArn: `${settings.providerRoleArnPrefix}${providerRoleName(sourceName, awsRegion)}`,
            RoleSessionName: writerSessionName,
            ExternalId: settings.externalId,
            DurationSeconds: 900,
          },
          awsRegion,
        ),
      });
      clients.set(sourceName, client);
    }
    return client;
  };
  return {
    s3: createClient(S3Client),
    archiveBucket: settings.archiveBucket,
    dataLakeBucket: settings.dataLakeBucket,
    // Security Lake's bucket is the one of the stack's Region (Security Lake in the home region).
    lakeRegion: awsRegion,
    lakeS3For,
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/**
 * SQS (the archive's "Object Created" events) → Security Lake's custom-source location. A
 * message whose objects are not all written is reported as a batch item failure and comes back;
 * writing it again overwrites the same keys.
 */
export function makeHandler(deps: SecurityLakeWriterHandlerDeps) {
  const { logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const object = createdObjectOf(record.body);
    try {
      const outcome = await writeArchiveObject(deps, object);
      for (const [source, n] of Object.entries(outcome.written))
        metrics.addMetric(`SecurityLakeDocumentsWritten-${source}`, MetricUnit.Count, n);
      metrics.addMetric('SecurityLakeObjectsWritten', MetricUnit.Count, outcome.objects);
      metrics.addMetric('SecurityLakeDocumentsNotSent', MetricUnit.Count, outcome.notSent);
      metrics.addMetric('SecurityLakeDocumentsRejected', MetricUnit.Count, outcome.rejected);
      logger.info('wrote archive object to Security Lake', { ...object, ...outcome });
    } catch (err) {
      logger.error('archive object not written to Security Lake', {
        ...object,
        reason: (err as Error).message,
      });
      throw err;
    }
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
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
