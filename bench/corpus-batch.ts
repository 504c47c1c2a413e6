import { gzipSync } from 'node:zlib';
import { flowLogSamples, guardDutyEvents, realCloudTrailEvents, realKinesisCwlEvent } from '../local/corpus';
import { decodeCwlBase64 } from '../functions/shared/cwl-payload';
import type { FirehoseTransformEvent } from '../functions/transform/transform';

/** Real corpus messages by log group, the mix a member account sends. */
function corpusMessages(): { logGroup: string; messages: string[] }[] {
  const app: string[] = [];
  for (const r of realKinesisCwlEvent().Records) {
    const d = decodeCwlBase64(r.kinesis.data);
    if (d.ok) app.push(...d.payload.logEvents.map((e) => e.message));
  }
  const v2 = flowLogSamples()
    .filter((s) => s.format.split(/\s+/).length === 14)
    .flatMap((s) => s.records);
  return [
    { logGroup: 'aws-cloudtrail-logs', messages: realCloudTrailEvents().map((e) => JSON.stringify(e.event)) },
    { logGroup: 'vpc-flow-logs', messages: v2 },
    {
      logGroup: '/logwarden/guardduty-findings',
      messages: guardDutyEvents().map((e) => JSON.stringify(e.event)),
    },
    { logGroup: '/aws/lambda/orders', messages: app },
  ];
}

/**
 * Firehose events built from real corpus messages, replicated until their base64 input adds up
 * to `totalBytes`. Each record is a CloudWatch Logs payload of `eventsPerRecord` events.
 */
export function corpusFirehoseEvents(
  totalBytes: number,
  eventsPerRecord = 50,
  recordsPerEvent = 500,
): FirehoseTransformEvent[] {
  const groups = corpusMessages();
  const events: FirehoseTransformEvent[] = [];
  let records: FirehoseTransformEvent['records'] = [];
  let total = 0;
  let n = 0;
  while (total < totalBytes) {
    const group = groups[n % groups.length];
    const logEvents = Array.from({ length: eventsPerRecord }, (_, i) => ({
      id: String(36000000000000000000000000000000000000000000000000000000n + BigInt(n * eventsPerRecord + i)),
      timestamp: 1732800000000 + n,
      message: group.messages[(n * eventsPerRecord + i) % group.messages.length],
    }));
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: group.logGroup,
      logStream: `stream-${n % 7}`,
      subscriptionFilters: ['logwarden-central-eu-west-1'],
      logEvents,
    };
    const data = gzipSync(JSON.stringify(payload)).toString('base64');
    records.push({ recordId: `r-${n}`, data, kinesisRecordMetadata: { partitionKey: `pk-${n}` } });
    total += data.length;
    n++;
    if (records.length === recordsPerEvent) {
      events.push({
        records,
        sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central',
      });
      records = [];
    }
  }
  if (records.length)
    events.push({
      records,
      sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central',
    });
  return events;
}

export const inputBytes = (events: FirehoseTransformEvent[]) =>
  events.reduce((sum, e) => sum + e.records.reduce((s, r) => s + r.data.length, 0), 0);
