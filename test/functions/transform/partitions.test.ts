import { KinesisClient } from '@aws-sdk/client-kinesis';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import { transformFirehoseEvent, type FirehoseTransformEvent } from '../../../functions/transform/transform';
import { cwlPayload, encodeCwl, realCloudTrailEvents } from '../../../local/corpus';
import { archivePrefix } from '../../../stacks/central/firehose-archive';
import { testTrust as trust } from '../../fixtures/trust';

const kinesis = new KinesisClient({ region: 'eu-west-1' });
const formats = new FlowLogFormatRegistry();
const stop = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
const arrival = Date.UTC(2026, 10, 29, 6);

function eventOf(payloads: object[]): FirehoseTransformEvent {
  return {
    records: payloads.map((p, i) => ({
      recordId: `rec-${i}`,
      data: encodeCwl(p),
      approximateArrivalTimestamp: arrival + 5000,
      kinesisRecordMetadata: { partitionKey: `pk-${i}`, approximateArrivalTimestamp: arrival },
    })),
  };
}

/** The delivery stream's prefix for one answer, evaluated as Firehose does. */
const prefixOf = (keys: Record<string, string> | undefined) =>
  archivePrefix.replace(/!\{partitionKeyFromLambda:(\w+)\}/g, (_, k: string) => keys?.[k] ?? 'MISSING');

describe('archive partitions (issue 9 §6, issue 10 §2)', () => {
  it('the prefix uses only keys the transform returns: source and date, no account', () => {
    const used = [...archivePrefix.matchAll(/!\{partitionKeyFromLambda:(\w+)\}/g)].map((m) => m[1]);
    expect(used).toEqual(['source', 'date']);
  });

  it('1,000 accounts, each sending every kind of log, stay far under the 500 active partitions', async () => {
    const payloads = Array.from({ length: 1000 }, (_, i) => {
      const owner = String(100000000000 + i);
      const now = new Date(arrival - 60_000).toISOString();
      return i % 2
        ? cwlPayload([JSON.stringify({ ...stop, eventTime: now })], {
            logGroup: 'aws-cloudtrail-logs',
            owner,
          })
        : cwlPayload(['{"level":"info"}', 'plain text'], {
            logGroup: '/aws/lambda/x',
            owner,
            timestamp: arrival,
          });
    });
    const { records } = await transformFirehoseEvent(eventOf(payloads), {
      formats,
      trust,
      kinesis,
      maxResponseBytes: Number.MAX_SAFE_INTEGER,
    });
    const prefixes = new Set(records.map((r) => prefixOf(r.metadata?.partitionKeys as never)));
    expect(prefixes.size).toBeLessThanOrEqual(6);
    expect([...prefixes].some((p) => p.includes('MISSING'))).toBe(false);
  });

  it('an event time the writer chose outside the ingestion window files under the arrival day', async () => {
    const forgedTimes = ['1999-01-01T00:00:00Z', '2090-01-01T00:00:00Z'].map((t) =>
      cwlPayload([JSON.stringify({ ...stop, eventTime: t })], { logGroup: 'aws-cloudtrail-logs' }),
    );
    const genuine = cwlPayload(
      [JSON.stringify({ ...stop, eventTime: new Date(arrival - 86_400_000).toISOString() })],
      {
        logGroup: 'aws-cloudtrail-logs',
      },
    );
    const { records, stats } = await transformFirehoseEvent(eventOf([...forgedTimes, genuine]), {
      formats,
      trust,
      kinesis,
    });
    expect(records.map((r) => r.metadata?.partitionKeys.date)).toEqual([
      '2026-11-29',
      '2026-11-29',
      '2026-11-28',
    ]);
    expect(stats.clampedDates).toBe(2);
  });
});

describe('no input can throw in the transform (issue 11)', () => {
  it('deep JSON beside a StopLogging: one Ok record, the StopLogging mapped, the deep line a parse error', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const payload = cwlPayload([deep, JSON.stringify(stop)], { logGroup: 'aws-cloudtrail-logs' });
    const { records } = await transformFirehoseEvent(eventOf([payload]), { formats, trust, kinesis });
    expect(records.map((r) => r.result)).toEqual(['Ok']);
    const [kept, mapped] = Buffer.from(records[0].data!, 'base64')
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(kept).toMatchObject({
      raw_data: deep,
      unmapped: { parse_error: 'JSON nested deeper than 32 levels' },
    });
    expect(mapped).toMatchObject({ class_uid: 6003, api: { operation: 'StopLogging' } });
  });
});
