import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context } from 'aws-lambda';
import { createClient } from '../shared/clients';
import type { TrustTable } from '../../contracts/trusted-sources';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { addPerSource } from '../shared/metrics';
import { transformEnv } from './env';
import {
  FirehoseOutputRecord,
  FirehoseTransformEvent,
  TransformInput,
  transformFirehoseEvent,
} from './transform';

export interface TransformDeps {
  input?: TransformInput;
  kinesis: KinesisClient;
  formats: FlowLogFormatRegistry;
  trust: TrustTable;
  maxHops: number;
  logger: Logger;
  metrics: Metrics;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): TransformDeps {
  const settings = transformEnv.parse(env);
  return {
    input: settings.transformInput,
    kinesis: createClient(KinesisClient, { http1: true }),
    formats: settings.flowLogFormats,
    trust: settings.trustedSources,
    maxHops: settings.maxReingestHops,
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/** Firehose data-transformation handler: decode, normalize to OCSF, keep the 6 MB contract. */
export function makeHandler(deps: TransformDeps) {
  const { logger, metrics } = deps;
  return async (
    event: FirehoseTransformEvent,
    context?: Context,
  ): Promise<{ records: FirehoseOutputRecord[] }> => {
    if (context) logger.addContext(context);
    const { records, stats } = await transformFirehoseEvent(event, {
      input: deps.input,
      formats: deps.formats,
      trust: deps.trust,
      kinesis: deps.kinesis,
      maxHops: deps.maxHops,
      log: (level, message, attributes) => logger[level](message, attributes),
    });
    metrics.addMetric('RecordsOk', MetricUnit.Count, stats.ok);
    metrics.addMetric('RecordsDropped', MetricUnit.Count, stats.dropped);
    metrics.addMetric('RecordsProcessingFailed', MetricUnit.Count, stats.processingFailed);
    metrics.addMetric('RecordsSplit', MetricUnit.Count, stats.split);
    metrics.addMetric('RecordsReingested', MetricUnit.Count, stats.reingested);
    metrics.addMetric('ReingestFailed', MetricUnit.Count, stats.reingestFailed);
    // Each ProcessingFailed record was logged with its sequence number and reason.
    metrics.addMetric('FailedRecords', MetricUnit.Count, stats.processingFailed);
    metrics.addMetric('InvalidUtf8Lines', MetricUnit.Count, stats.invalidUtf8);
    metrics.addMetric('ClampedArchiveDates', MetricUnit.Count, stats.clampedDates);
    addPerSource(metrics, 'Events', stats.events);
    addPerSource(metrics, 'ParseErrors', stats.parseErrors);
    metrics.publishStoredMetrics();
    logger.info('transformed batch', { invocationId: event.invocationId, ...stats });
    return { records };
  };
}
