import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { createClient } from '../shared/clients';
import { flowLogRegistryFromEnv } from '../shared/flow-log-registry-env';
import { addPerSource } from '../shared/metrics';
import {
  DEFAULT_MAX_HOPS,
  FirehoseOutputRecord,
  FirehoseTransformEvent,
  transformFirehoseEvent,
} from './transform';

const logger = new Logger();
const metrics = new Metrics();
const kinesis = createClient(KinesisClient, { http1: true });
const formats = flowLogRegistryFromEnv();
const maxHops = Number(process.env.MAX_REINGEST_HOPS ?? DEFAULT_MAX_HOPS);

/** Firehose data-transformation handler: decode, normalize to OCSF, keep the 6 MB contract. */
export async function handler(event: FirehoseTransformEvent): Promise<{ records: FirehoseOutputRecord[] }> {
  const { records, stats } = await transformFirehoseEvent(event, {
    formats,
    kinesis,
    maxHops,
    log: (level, message, attributes) => logger[level](message, attributes),
  });
  metrics.addMetric('RecordsOk', MetricUnit.Count, stats.ok);
  metrics.addMetric('RecordsDropped', MetricUnit.Count, stats.dropped);
  metrics.addMetric('RecordsProcessingFailed', MetricUnit.Count, stats.processingFailed);
  metrics.addMetric('RecordsSplit', MetricUnit.Count, stats.split);
  metrics.addMetric('RecordsReingested', MetricUnit.Count, stats.reingested);
  metrics.addMetric('ReingestFailed', MetricUnit.Count, stats.reingestFailed);
  addPerSource(metrics, 'Events', stats.events);
  addPerSource(metrics, 'ParseErrors', stats.parseErrors);
  metrics.publishStoredMetrics();
  logger.info('transformed batch', { invocationId: event.invocationId, ...stats });
  return { records };
}
