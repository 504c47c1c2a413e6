import { gzipSync } from 'node:zlib';
import { corpusMessagesByGroup } from '../local/corpus';
import type { FirehoseInputRecord, FirehoseTransformEvent } from '../functions/transform/transform';
import { BENCH_OWNER } from './bench-trust';
import type { BenchSource } from './sources';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central';

/**
 * One source of stream records: its group, owner and lines, and its share of the bytes (any
 * scale), or `'turn'`: every source one record in turn.
 */
export type RecordSource = Pick<BenchSource, 'logGroup' | 'owner' | 'messages'> & { weight: number | 'turn' };

/**
 * Kinesis records of CloudWatch Logs payloads built from real corpus lines until their base64
 * adds up to `totalBytes`, each a payload of `eventsPerRecord` events of one source. The next
 * record is of the source furthest below its weighted share of the bytes so far, or of the next
 * source in turn.
 */
export function corpusRecords(
  totalBytes: number,
  sources: RecordSource[],
  eventsPerRecord = 50,
): FirehoseInputRecord[] {
  const live = sources.filter((s) => (s.weight === 'turn' || s.weight > 0) && s.messages.length);
  if (!live.length) throw new Error('no source with lines and a weight');
  const weightOf = (s: RecordSource) => (s.weight === 'turn' ? 1 : s.weight);
  const weightSum = live.reduce((s, x) => s + weightOf(x), 0);
  const bytes = live.map(() => 0);
  const used = live.map(() => 0);
  const records: FirehoseInputRecord[] = [];
  let total = 0;
  for (let n = 0; total < totalBytes; n++) {
    let k = n % live.length;
    if (live[0].weight !== 'turn') {
      let deficit = -Infinity;
      for (const [i, s] of live.entries()) {
        const d = (weightOf(s) / weightSum) * (total + 1) - bytes[i];
        if (d > deficit) [k, deficit] = [i, d];
      }
    }
    const source = live[k];
    const logEvents = Array.from({ length: eventsPerRecord }, (_, i) => ({
      id: String(36000000000000000000000000000000000000000000000000000000n + BigInt(n * eventsPerRecord + i)),
      timestamp: 1732800000000 + n,
      message: source.messages[used[k]++ % source.messages.length],
    }));
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: source.owner,
      logGroup: source.logGroup,
      logStream: `stream-${n % 7}`,
      subscriptionFilters: ['logwarden-central-eu-west-1'],
      logEvents,
    };
    const data = gzipSync(JSON.stringify(payload)).toString('base64');
    records.push({ recordId: `r-${n}`, data, kinesisRecordMetadata: { partitionKey: `pk-${n}` } });
    bytes[k] += data.length;
    total += data.length;
  }
  return records;
}

/** Records grouped into Firehose transformation events of `recordsPerEvent` each. */
export function firehoseEvents(
  records: FirehoseInputRecord[],
  recordsPerEvent: number,
): FirehoseTransformEvent[] {
  const events: FirehoseTransformEvent[] = [];
  for (let i = 0; i < records.length; i += recordsPerEvent)
    events.push({ records: records.slice(i, i + recordsPerEvent), sourceKinesisStreamArn: STREAM_ARN });
  return events;
}

/**
 * Firehose events of the corpus' log groups in turn (or of `logGroup` only), replicated until
 * their base64 input adds up to `totalBytes`.
 */
export function corpusFirehoseEvents(
  totalBytes: number,
  eventsPerRecord = 50,
  recordsPerEvent = 500,
  logGroup?: string,
): FirehoseTransformEvent[] {
  const groups = corpusMessagesByGroup().filter((g) => logGroup === undefined || g.logGroup === logGroup);
  if (!groups.length) throw new Error(`no corpus log group ${logGroup}`);
  const sources = groups.map((g) => ({ ...g, owner: BENCH_OWNER, weight: 'turn' as const }));
  return firehoseEvents(corpusRecords(totalBytes, sources, eventsPerRecord), recordsPerEvent);
}

export const corpusLogGroups = (): string[] => corpusMessagesByGroup().map((g) => g.logGroup);

export const inputBytes = (events: FirehoseTransformEvent[]) =>
  events.reduce((sum, e) => sum + e.records.reduce((s, r) => s + r.data.length, 0), 0);
