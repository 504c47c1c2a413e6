import { gzipSync } from 'node:zlib';
import { corpusMessagesByGroup } from '../local/corpus';
import type { FirehoseTransformEvent } from '../functions/transform/transform';

/**
 * Firehose events built from real corpus messages, replicated until their base64 input adds up
 * to `totalBytes`. Each record is a CloudWatch Logs payload of `eventsPerRecord` events, of each
 * corpus log group in turn (or of `logGroup` only).
 */
export function corpusFirehoseEvents(
  totalBytes: number,
  eventsPerRecord = 50,
  recordsPerEvent = 500,
  logGroup?: string,
): FirehoseTransformEvent[] {
  const groups = corpusMessagesByGroup().filter((g) => logGroup === undefined || g.logGroup === logGroup);
  if (!groups.length) throw new Error(`no corpus log group ${logGroup}`);
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

export const corpusLogGroups = (): string[] => corpusMessagesByGroup().map((g) => g.logGroup);

export const inputBytes = (events: FirehoseTransformEvent[]) =>
  events.reduce((sum, e) => sum + e.records.reduce((s, r) => s + r.data.length, 0), 0);
