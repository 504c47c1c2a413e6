import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeCwlBase64 } from '../../../functions/shared/cwl-payload';
import * as normalize from '../../../functions/shared/normalize';
import { FlowLogFormatRegistry } from '../../../functions/shared/flow-log-formats';
import {
  FirehoseTransformEvent,
  minimalDataBytes,
  splitForReingest,
  transformFirehoseEvent,
} from '../../../functions/transform/transform';
import { backoffDelayMs } from '../../../functions/shared/backoff';
import { transformEnv } from '../../../functions/transform/env';
import { depsFromEnv, makeHandler } from '../../../functions/transform/handler';
import { putRecordsWithRetry } from '../../../functions/transform/reingest';
import { cwlPayload, encodeCwl, realCloudTrailEvents, realFirehoseEvent } from '../../../local/corpus';
import { gzipBomb } from '../../fixtures/gzip-bomb';
import { testTrust as trust } from '../../fixtures/trust';

const kinesisMock = mockClient(KinesisClient);
const kinesis = new KinesisClient({ region: 'eu-west-1' });
const formats = new FlowLogFormatRegistry();
const streamArn = 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central';
const noSleep = { sleep: async () => undefined };

beforeEach(() => {
  kinesisMock.reset();
  kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
    FailedRecordCount: 0,
    Records: input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-0' })),
  }));
});

const responseBytes = (records: unknown) => Buffer.byteLength(JSON.stringify({ records }));
const linesOf = (data: string) => Buffer.from(data, 'base64').toString('utf8').trimEnd().split('\n');

function eventOf(payloads: (object | string)[]): FirehoseTransformEvent {
  return {
    invocationId: 'inv-1',
    sourceKinesisStreamArn: streamArn,
    records: payloads.map((p, i) => ({
      recordId: `rec-${i}`,
      data: typeof p === 'string' ? p : encodeCwl(p),
      kinesisRecordMetadata: { partitionKey: `pk-${i}` },
    })),
  };
}

describe('Firehose transform', () => {
  it('the real Firehose event: CONTROL_MESSAGE Dropped, data messages Ok with one OCSF line per event', async () => {
    const event = realFirehoseEvent();
    const { records, stats } = await transformFirehoseEvent(event, { formats, trust, kinesis });
    expect(records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    expect(records.map((r) => r.result)).toEqual(['Dropped', 'Ok', 'Ok', 'Ok']);
    for (const [i, r] of records.entries()) {
      if (r.result !== 'Ok') continue;
      const decoded = decodeCwlBase64(event.records[i].data);
      if (!decoded.ok) throw new Error(decoded.error);
      const lines = linesOf(r.data!);
      expect(lines).toHaveLength(decoded.payload.logEvents.length);
      lines.forEach((line, j) =>
        expect(JSON.parse(line).raw_data).toBe(decoded.payload.logEvents[j].message),
      );
      expect(r.metadata?.partitionKeys).toEqual({
        source: expect.any(String),
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
    }
    expect(stats).toMatchObject({ ok: 3, dropped: 1, processingFailed: 0 });
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordsCommand);
  });

  it('corrupt base64, gzip and JSON each fail alone; the batch goes on', async () => {
    const good = cwlPayload([JSON.stringify(realCloudTrailEvents()[0].event)]);
    const event = eventOf([
      good,
      '%%%',
      Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(40)]).toString('base64'),
      gzipSync('{"messageType": "DATA_MESS').toString('base64'),
      good,
    ]);
    const logged: string[] = [];
    const { records } = await transformFirehoseEvent(event, {
      formats,
      trust,
      kinesis,
      log: (_l, _m, a) => logged.push(String(a.reason)),
    });
    expect(records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
      'ProcessingFailed',
      'ProcessingFailed',
      'Ok',
    ]);
    expect(logged).toEqual([
      expect.stringContaining('base64'),
      expect.stringContaining('gzip'),
      expect.stringContaining('not JSON'),
    ]);
  });

  it('splits a record that would pass the response limit into halves, re-ingested with its partition key and a hop', async () => {
    const big = 'x'.repeat(4000);
    const payloads = [0, 1, 2].map(() => cwlPayload(Array.from({ length: 10 }, () => big)));
    const event = eventOf(payloads);
    const { records, stats } = await transformFirehoseEvent(event, {
      formats,
      trust,
      kinesis,
      maxResponseBytes: 2 * 60_000,
    });
    expect(records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'Dropped']);
    expect(responseBytes(records)).toBeLessThanOrEqual(2 * 60_000);
    expect(stats).toMatchObject({ split: 2, reingested: 4 });
    // Only the lines in the response are counted; the re-ingested ones count when they return.
    expect(stats.events).toEqual({ application: 10 });
    const put = kinesisMock.commandCalls(PutRecordsCommand)[0].args[0].input;
    expect(put.StreamARN).toBe(streamArn);
    expect(put.Records!.map((r) => r.PartitionKey)).toEqual(['pk-1', 'pk-1', 'pk-2', 'pk-2']);
    const halves = put.Records!.map((r) => JSON.parse(gunzipSync(r.Data!).toString()));
    expect(halves.map((h) => h.logEvents.length)).toEqual([5, 5, 5, 5]);
    expect(halves.every((h) => h.logwardenHops === 1)).toBe(true);
    // Every log event of the dropped records is in exactly one half.
    expect(halves.slice(0, 2).flatMap((h) => h.logEvents)).toEqual(payloads[1].logEvents);
  });

  it('retries only the entries PutRecords failed (partial FailedRecordCount), then succeeds', async () => {
    let call = 0;
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => {
      call++;
      return {
        FailedRecordCount: call === 1 ? 1 : 0,
        Records: input.Records.map((_, i) =>
          call === 1 && i === 1
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }
            : { SequenceNumber: `${call}-${i}`, ShardId: 'shardId-0' },
        ),
      };
    });
    const big = 'y'.repeat(4000);
    const event = eventOf([
      cwlPayload(Array.from({ length: 10 }, () => big)),
      cwlPayload(Array.from({ length: 10 }, () => big)),
    ]);
    const { records, stats } = await transformFirehoseEvent(event, {
      formats,
      trust,
      kinesis,
      maxResponseBytes: 120_000,
      reingest: noSleep,
    });
    expect(records.map((r) => r.result)).toEqual(['Ok', 'Dropped']);
    const calls = kinesisMock.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input.Records).toHaveLength(2);
    expect(calls[1].args[0].input.Records).toHaveLength(1);
    expect(calls[1].args[0].input.Records![0].Data).toEqual(calls[0].args[0].input.Records![1].Data);
    expect(stats.reingested).toBe(2);
  });

  it('a record whose re-ingestion keeps failing becomes ProcessingFailed, never Dropped', async () => {
    kinesisMock
      .on(PutRecordsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const big = 'z'.repeat(4000);
    const event = eventOf([
      cwlPayload(Array.from({ length: 10 }, () => big)),
      cwlPayload(Array.from({ length: 10 }, () => big)),
    ]);
    const { records, stats } = await transformFirehoseEvent(event, {
      formats,
      trust,
      kinesis,
      maxResponseBytes: 120_000,
      reingest: { ...noSleep, maxAttempts: 3 },
    });
    expect(records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed']);
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(3);
    expect(stats.reingestFailed).toBe(1);
  });

  it('a payload that came back more than N times is ProcessingFailed (no endless loop)', async () => {
    const tired = { ...cwlPayload(['again']), logwardenHops: 4 };
    const event = eventOf([tired, { ...tired, logwardenHops: 3 }]);
    const { records } = await transformFirehoseEvent(event, { formats, trust, kinesis, maxHops: 3 });
    expect(records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
  });

  it('a single-event payload that does not fit is re-ingested whole, one hop further', () => {
    const [whole] = splitForReingest({ ...cwlPayload(['only']), logwardenHops: 2 });
    expect(whole.logEvents).toHaveLength(1);
    expect(whole.logwardenHops).toBe(3);
  });

  it('a payload whose subscriptionFilters is not a list fails alone; its neighbours are Ok (issue 21 §13)', async () => {
    const good = cwlPayload(['fine']);
    const logged: unknown[] = [];
    const { records, stats } = await transformFirehoseEvent(
      eventOf([
        good,
        { ...cwlPayload(['odd']), subscriptionFilters: 5 },
        { ...good, subscriptionFilters: 'x' },
        good,
      ]),
      { formats, trust, kinesis, log: (_l, _m, a) => logged.push(a.reason) },
    );
    expect(records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'ProcessingFailed', 'Ok']);
    expect(logged).toEqual([
      expect.stringContaining('subscriptionFilters'),
      expect.stringContaining('subscriptionFilters'),
    ]);
    expect(stats).toMatchObject({ ok: 2, processingFailed: 2 });
  });

  it.each([-1000, 'x', 2.5])(
    'a forged hop counter (%p) is ProcessingFailed, never re-ingested in a loop (issue 21 §15)',
    async (hops) => {
      // One line too large for the response: a trusted hop counter would send it round once more.
      const forged = { ...cwlPayload(['y'.repeat(50_000)]), logwardenHops: hops };
      const { records } = await transformFirehoseEvent(eventOf([forged]), {
        formats,
        trust,
        kinesis,
        maxResponseBytes: 20_000,
      });
      expect(records.map((r) => r.result)).toEqual(['ProcessingFailed']);
      expect(kinesisMock).not.toHaveReceivedCommand(PutRecordsCommand);
    },
  );

  it('a record that expands to 1 GiB fails alone, kept by Firehose in the error prefix (issue 21 §14)', async () => {
    const [head, tail] = JSON.stringify(cwlPayload(['@'])).split('@');
    const bomb = gzipBomb(head, 1024 ** 3, tail).toString('base64');
    const logged: unknown[] = [];
    const { records } = await transformFirehoseEvent(
      eventOf([cwlPayload(['before']), bomb, cwlPayload(['after'])]),
      {
        formats,
        trust,
        kinesis,
        log: (_l, _m, a) => logged.push(a.reason),
      },
    );
    expect(records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'Ok']);
    // ProcessingFailed carries empty data: Firehose writes the original record to the error
    // prefix, and every transformed record must have `data` ("Required parameters for data
    // transformation").
    expect(records[1].data).toBe('');
    expect(logged).toEqual([expect.stringContaining('payload too large')]);
  });

  it('every answer has recordId, result and data, as Firehose requires of each transformed record', async () => {
    // Firehose Developer Guide, "Required parameters for data transformation": "All transformed
    // records from Lambda must contain the following parameters, or Amazon Data Firehose rejects
    // them and treats that as a data transformation failure": recordId, result and data.
    const control = { ...cwlPayload(['x']), messageType: 'CONTROL_MESSAGE' };
    const { records } = await transformFirehoseEvent(
      eventOf([cwlPayload(['ok']), control, 'not base64 gzip json']),
      { formats, trust, kinesis },
    );
    expect(records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'ProcessingFailed']);
    for (const r of records) expect(typeof r.data).toBe('string');
  });

  it('a partition key past 256 characters is re-ingested under its SHA-256, the same for each part', async () => {
    // Kinesis API Reference, PutRecordsRequestEntry.PartitionKey: "with a maximum length limit
    // of 256 characters for each key"; a CloudWatch Logs stream name, the fallback, may have 512.
    const longStream = 's'.repeat(512);
    const payload = { ...cwlPayload(['a'.repeat(2_000), 'b'.repeat(2_000)]), logStream: longStream };
    const event: FirehoseTransformEvent = {
      invocationId: 'inv-1',
      sourceKinesisStreamArn: streamArn,
      records: [{ recordId: 'rec-0', data: encodeCwl(payload) }],
    };
    const { records } = await transformFirehoseEvent(event, {
      formats,
      trust,
      kinesis,
      maxResponseBytes: 1_000,
    });
    expect(records[0].result).toBe('Dropped');
    const keys = kinesisMock
      .commandCalls(PutRecordsCommand)
      .flatMap((c) => c.args[0].input.Records!.map((r) => r.PartitionKey!));
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never throws on a malformed event', async () => {
    for (const bad of [undefined, null, {}, { records: 'x' }, { records: [null, 1, { recordId: 'a' }] }]) {
      const { records } = await transformFirehoseEvent(bad as never, { formats, trust, kinesis });
      expect(Array.isArray(records)).toBe(true);
    }
  });
});

describe('Firehose transform properties', () => {
  const message = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constant(JSON.stringify(realCloudTrailEvents()[5].event)),
    fc.constant('2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 2 1418530010 1418530070 ACCEPT OK'),
  );
  const payload = fc.array(message, { minLength: 1, maxLength: 20 }).map((m) => cwlPayload(m));
  const recordData = fc.oneof(
    payload.map(encodeCwl),
    payload.map((p) => encodeCwl(p).slice(0, 30)), // truncated
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')), // random bytes
    fc.string({ maxLength: 100 }), // not base64 at all
    payload.map((p) => Buffer.from(JSON.stringify(p)).toString('base64')), // plain JSON
    fc.constant(encodeCwl({ ...cwlPayload(['CWL CONTROL MESSAGE']), messageType: 'CONTROL_MESSAGE' })),
  );
  const batch = fc.array(recordData, { minLength: 0, maxLength: 30 });

  it('for any batch: no throw, every recordId once and in order, response within the limit', async () => {
    await fc.assert(
      fc.asyncProperty(batch, fc.integer({ min: 4_000, max: 200_000 }), async (datas, limit) => {
        const event: FirehoseTransformEvent = {
          sourceKinesisStreamArn: streamArn,
          records: datas.map((data, i) => ({ recordId: `r${i}`, data })),
        };
        const { records, stats } = await transformFirehoseEvent(event, {
          formats,
          trust,
          kinesis,
          maxResponseBytes: limit,
        });
        expect(records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        for (const r of records) expect(['Ok', 'Dropped', 'ProcessingFailed']).toContain(r.result);
        expect(responseBytes(records)).toBeLessThanOrEqual(limit);
        // Stats count exactly the lines the response holds.
        const okLines = records.filter((r) => r.result === 'Ok').map((r) => linesOf(r.data!).length);
        const counted = Object.values(stats.events).reduce((a, b) => a + b, 0);
        expect(counted).toBe(okLines.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 150 },
    );
  });

  /** A CloudWatch Logs payload as bytes, with `raw` (any bytes but `"`, `\\` and controls) as the message. */
  const payloadWithBytes = (raw: Uint8Array) =>
    Buffer.concat([
      Buffer.from(
        '{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"',
      ),
      Buffer.from(raw.filter((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c)),
      Buffer.from('"}]}'),
    ]);
  const okData = async (data: string) => {
    const { records } = await transformFirehoseEvent(
      { records: [{ recordId: 'r', data }] },
      { formats, trust, kinesis, maxResponseBytes: Number.MAX_SAFE_INTEGER },
    );
    expect(records[0].result).toBe('Ok');
    return records[0].data!;
  };
  const decodedPayload = (data: string) => {
    const decoded = decodeCwlBase64(data);
    if (!decoded.ok) throw new Error(decoded.error);
    return decoded.payload;
  };

  it('minimalDataBytes never exceeds the Ok data: any text, lone surrogates, JSON lines', async () => {
    const anyMessage = fc.oneof(message, fc.string({ unit: 'binary', maxLength: 300 }));
    await fc.assert(
      fc.asyncProperty(fc.array(anyMessage, { minLength: 1, maxLength: 20 }), async (messages) => {
        const data = encodeCwl(cwlPayload(messages));
        expect(minimalDataBytes(decodedPayload(data))).toBeLessThanOrEqual((await okData(data)).length);
      }),
      { numRuns: 300 },
    );
  });

  it('minimalDataBytes never exceeds the Ok data: lines of arbitrary bytes, invalid UTF-8 kept as base64', async () => {
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), async (raw) => {
        const data = gzipSync(payloadWithBytes(raw)).toString('base64');
        const payload = decodedPayload(data);
        if (payload.logEvents[0].invalidUtf8Base64 !== undefined) invalid++;
        expect(minimalDataBytes(payload)).toBeLessThanOrEqual((await okData(data)).length);
      }),
      { numRuns: 300 },
    );
    expect(invalid).toBeGreaterThan(100); // random bytes are mostly not UTF-8: the case is exercised
  });

  it('minimalDataBytes counts what raw_data will hold, even an invalidUtf8Base64 the payload itself claims', async () => {
    // The decoder accepts the field from the payload; raw_data is then that string, not the message.
    const payload = { ...cwlPayload(['x'.repeat(200_000)]) };
    payload.logEvents[0] = { ...payload.logEvents[0], invalidUtf8Base64: '' };
    const data = encodeCwl(payload);
    const bound = minimalDataBytes(decodedPayload(data));
    expect(bound).toBe(4); // one newline
    expect(bound).toBeLessThanOrEqual((await okData(data)).length);
  });

  it('a record whose lower bound does not fit is re-ingested without being normalized', async () => {
    const spy = jest.spyOn(normalize, 'forEachDocumentText');
    try {
      const small = cwlPayload(['a short line']);
      const huge = cwlPayload(Array.from({ length: 20 }, () => 'y'.repeat(5_000))); // bound 133,360
      const { records, stats } = await transformFirehoseEvent(eventOf([small, huge]), {
        formats,
        trust,
        kinesis,
        maxResponseBytes: 100_000,
      });
      expect(records.map((r) => r.result)).toEqual(['Ok', 'Dropped']);
      expect(minimalDataBytes(huge)).toBeGreaterThan(100_000);
      expect(spy).toHaveBeenCalledTimes(1); // the small record only
      expect(stats).toMatchObject({ split: 1, reingested: 2, events: { application: 1 } });
    } finally {
      spy.mockRestore();
    }
  });

  it('at the real limit: a 500-record batch of large payloads stays at or under 6,000,000 bytes', async () => {
    const big = JSON.stringify(realCloudTrailEvents()[0].event);
    const datas = Array.from({ length: 500 }, (_, i) =>
      encodeCwl(cwlPayload(Array.from({ length: 40 }, () => `${big} ${i}`))),
    );
    const event: FirehoseTransformEvent = {
      sourceKinesisStreamArn: streamArn,
      records: datas.map((data, i) => ({ recordId: `r${i}`, data })),
    };
    const { records, stats } = await transformFirehoseEvent(event, { formats, trust, kinesis });
    expect(responseBytes(records)).toBeLessThanOrEqual(6_000_000);
    expect(stats.ok).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.processingFailed).toBe(0);
  });
});

/**
 * The central stream decompresses before the transform (stacks/central/firehose-archive.ts): "This
 * confirms that all input data sent to your Lambda function is decompressed" (Firehose Developer
 * Guide, "Enable decompression on an existing Firehose stream"), so the transform is sent the
 * CloudWatch Logs payload as JSON, base64. It keeps reading gzip too: the guide's way onto an
 * existing stream is a function that "automatically detects whether the incoming data is
 * compressed or decompressed" until the last compressed record has passed, and the direct path's
 * records are neither.
 */
describe('what Firehose sends after its CloudWatch Logs decompression', () => {
  const message = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constant(JSON.stringify(realCloudTrailEvents()[3].event)),
    fc.constant('2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 2 1418530010 1418530070 ACCEPT OK'),
  );
  const decompressed = (p: object) => Buffer.from(JSON.stringify(p)).toString('base64');

  it('for any payload, the decompressed record and the gzip record give the same documents and partition keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 20 }), async (messages) => {
        const p = cwlPayload(messages);
        const run = async (data: string) =>
          (
            await transformFirehoseEvent(
              { records: [{ recordId: 'r', data, approximateArrivalTimestamp: 1_700_000_000_000 }] },
              {
                formats,
                trust,
                kinesis,
                maxResponseBytes: Number.MAX_SAFE_INTEGER,
                now: () => 1_700_000_000_000,
              },
            )
          ).records[0];
        const plain = await run(decompressed(p));
        const gzip = await run(encodeCwl(p));
        expect(plain.result).toBe('Ok');
        expect(plain).toEqual(gzip);
        // Nothing lost: one document per log event, each with its line.
        expect(linesOf(plain.data!).map((l) => JSON.parse(l).raw_data)).toEqual(messages);
      }),
      { numRuns: 100 },
    );
  });

  it('a decompressed CONTROL_MESSAGE is Dropped; a decompressed record that is not a payload fails alone, kept by Firehose', async () => {
    const control = {
      ...cwlPayload(['CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.']),
      messageType: 'CONTROL_MESSAGE',
    };
    const event = eventOf([
      decompressed(control),
      Buffer.from('{"messageType":"DATA_MESSAGE","owner":').toString('base64'),
      decompressed({ hello: 'world' }),
      decompressed(cwlPayload(['a line'])),
    ]);
    const { records } = await transformFirehoseEvent(event, { formats, trust, kinesis });
    expect(records.map((r) => r.result)).toEqual(['Dropped', 'ProcessingFailed', 'ProcessingFailed', 'Ok']);
    // ProcessingFailed carries no data: Firehose keeps the record it holds under processing-failed.
    expect(records[1].data).toBe('');
  });

  it('re-ingests a decompressed record as gzip: the stream keeps what CloudWatch Logs writes, for the indexer, the alerter and the next decompression', async () => {
    const big = cwlPayload(Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(200)}`));
    const event = eventOf([decompressed(big)]);
    const { records, stats } = await transformFirehoseEvent(event, {
      formats,
      trust,
      kinesis,
      maxResponseBytes: 2_000,
    });
    expect(records[0].result).toBe('Dropped');
    expect(stats.reingested).toBe(2);
    const put = kinesisMock.commandCalls(PutRecordsCommand)[0].args[0].input.Records!;
    const halves = put.map((r) => {
      const data = Buffer.from(r.Data!);
      expect([data[0], data[1]]).toEqual([0x1f, 0x8b]);
      return JSON.parse(gunzipSync(data).toString('utf8'));
    });
    expect(halves.flatMap((h) => h.logEvents)).toEqual(big.logEvents);
    expect(halves.map((h) => h.logwardenHops)).toEqual([1, 1]);
  });
});

describe('the response limit, re-ingestion and its counts, tested where they can fail (issue 21 §24)', () => {
  /** One-line payloads of every size from a few bytes to past the limits below. */
  const sizes = Array.from({ length: 16 }, (_, i) => 40 + i * i * 50);
  const payloads = sizes.map((n, i) => cwlPayload([`${i} ${'s'.repeat(n)}`]));

  it('at every small limit, the response stays within it, with every record answered once', async () => {
    let exercised = 0;
    for (let limit = 1_500; limit <= 40_000; limit += 157) {
      for (const order of [payloads, [...payloads].reverse()]) {
        kinesisMock.resetHistory();
        const { records, stats } = await transformFirehoseEvent(eventOf(order), {
          formats,
          trust,
          kinesis,
          maxResponseBytes: limit,
        });
        expect(records.map((r) => r.recordId)).toEqual(order.map((_, i) => `rec-${i}`));
        expect(responseBytes(records)).toBeLessThanOrEqual(limit);
        // Nothing is lost: each one-line record is in the response, back in the stream, or failed.
        expect(stats.ok + stats.reingested + stats.processingFailed).toBe(order.length);
        if (stats.ok && stats.split + stats.reingested) exercised++;
      }
    }
    // Most limits cut the batch somewhere in the middle: the reserve for later records matters.
    expect(exercised).toBeGreaterThan(300);
  });

  it('when every re-ingestion fails, the records that become ProcessingFailed still fit the limit', async () => {
    // A record sent back answers Dropped, 9 bytes shorter than the ProcessingFailed it becomes
    // when its parts do not land: it is charged as the longer one.
    kinesisMock.on(PutRecordsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalFailure' }));
    let failedBack = 0;
    for (let limit = 1_500; limit <= 6_000; limit += 13) {
      const { records, stats } = await transformFirehoseEvent(eventOf([...payloads].reverse()), {
        formats,
        trust,
        kinesis,
        maxResponseBytes: limit,
        reingest: { maxAttempts: 1, ...noSleep },
      });
      expect(responseBytes(records)).toBeLessThanOrEqual(limit);
      failedBack += stats.reingestFailed;
    }
    expect(failedBack).toBeGreaterThan(50);
  });

  it('an Ok record that would fit only by using the room kept for the records after it is sent back instead', async () => {
    // Two records: the first, large one fits the limit alone but not beside the second's minimal answer.
    const big = cwlPayload(['b'.repeat(3_000)]);
    const small = cwlPayload(['s']);
    const alone = await transformFirehoseEvent(eventOf([big]), { formats, trust, kinesis });
    const bigBytes = responseBytes(alone.records);
    const { records } = await transformFirehoseEvent(eventOf([big, small]), {
      formats,
      trust,
      kinesis,
      maxResponseBytes: bigBytes + 10,
    });
    expect(records.map((r) => r.result)).toEqual(['Dropped', 'Ok']);
    expect(responseBytes(records)).toBeLessThanOrEqual(bigBytes + 10);
  });

  it('a split record one of whose halves never lands is ProcessingFailed, never Dropped: the half that did not land would be lost', async () => {
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: { Data: Uint8Array }[] }) => ({
      FailedRecordCount: 1,
      Records: input.Records.map((r, i) =>
        JSON.parse(gunzipSync(r.Data).toString()).logEvents[0].message.startsWith('second')
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { SequenceNumber: String(i), ShardId: 'shardId-0' },
      ),
    }));
    const split = cwlPayload([
      ...Array(5).fill(`first ${'f'.repeat(4000)}`),
      ...Array(5).fill(`second ${'g'.repeat(4000)}`),
    ]);
    const { records, stats } = await transformFirehoseEvent(eventOf([split]), {
      formats,
      trust,
      kinesis,
      maxResponseBytes: 10_000,
      reingest: { ...noSleep, maxAttempts: 3 },
    });
    expect(records.map((r) => r.result)).toEqual(['ProcessingFailed']);
    expect(stats).toMatchObject({ split: 1, reingested: 0, reingestFailed: 1 });
    // The first half landed once; only the second was tried again.
    const calls = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length);
    expect(calls).toEqual([2, 1, 1]);
  });

  it('counts the lines that were not UTF-8, across records, as a positive number, and the handler publishes it', async () => {
    const invalid = (n: number) =>
      gzipSync(
        Buffer.concat([
          Buffer.from(
            '{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[',
          ),
          ...Array.from({ length: n }, (_, i) =>
            Buffer.concat([
              Buffer.from(`${i ? ',' : ''}{"id":"${i}","timestamp":1,"message":"bad `),
              Buffer.from([0xff, 0xfe]),
              Buffer.from('"}'),
            ]),
          ),
          Buffer.from(']}'),
        ]),
      ).toString('base64');
    const event = eventOf(
      [invalid(2), cwlPayload(['fine']), invalid(1)].map((p) => (typeof p === 'string' ? p : encodeCwl(p))),
    );
    const { stats } = await transformFirehoseEvent(event, { formats, trust, kinesis });
    expect(stats.invalidUtf8).toBe(3);

    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await makeHandler(
        depsFromEnv({
          AWS_REGION: 'eu-west-1',
          POWERTOOLS_METRICS_NAMESPACE: 'logwarden',
          ...transformEnv.environment({ maxReingestHops: '5', trustedSources: '[]' }),
        }),
      )(event);
      const metrics = write.mock.calls
        .map((c) => String(c[0]))
        .flatMap((l) => l.split('\n'))
        .filter((l) => l.includes('"InvalidUtf8Lines"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(metrics.map((m) => m.InvalidUtf8Lines)).toEqual([3]);
    } finally {
      write.mockRestore();
    }
  });
});

describe('PutRecords: chunks and backoff (issue 21 §24)', () => {
  const streamArnOf = streamArn;
  const entry = (i: number, bytes = 10) => ({ data: Buffer.alloc(bytes, i % 256), partitionKey: `pk-${i}` });

  it('sends at most 500 entries and 5 MiB a call, each entry exactly once, and maps every answer to its entry', async () => {
    const entries = [
      ...Array.from({ length: 1_203 }, (_, i) => entry(i)),
      // 12 large entries, each at the 1 MiB record size with its partition key
      ...Array.from({ length: 12 }, (_, i) => entry(2_000 + i, 1024 * 1024 - `pk-${2_000 + i}`.length)),
    ];
    const { landed, attempts } = await putRecordsWithRetry(kinesis, streamArnOf, entries, noSleep);
    expect(landed.every(Boolean)).toBe(true);
    expect(attempts).toBe(1);
    const calls = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!);
    for (const records of calls) {
      expect(records.length).toBeLessThanOrEqual(500);
      const bytes = records.reduce((n, r) => n + r.Data!.length + Buffer.byteLength(r.PartitionKey!), 0);
      expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    }
    expect(calls.flat().map((r) => r.PartitionKey)).toEqual(entries.map((e) => e.partitionKey));
    // 500, 500, then the 203 small ones with the first large ones up to 5 MiB, then five large
    // ones (exactly 5 MiB), then the rest.
    expect(calls.map((c) => c.length)).toEqual([500, 500, 207, 5, 3]);
  });

  it('a failure in one chunk fails only that chunk’s entries, retried after a full-jitter backoff', async () => {
    const entries = Array.from({ length: 700 }, (_, i) => entry(i));
    let call = 0;
    kinesisMock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => {
      if (++call === 2)
        throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
      return {
        FailedRecordCount: 0,
        Records: input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 's' })),
      };
    });
    const delays: number[] = [];
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      const { landed, attempts } = await putRecordsWithRetry(kinesis, streamArnOf, entries, {
        baseDelayMs: 100,
        sleep: async (ms) => void delays.push(ms),
      });
      expect(landed.every(Boolean)).toBe(true);
      expect(attempts).toBe(2);
    } finally {
      random.mockRestore();
    }
    const sizes = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length);
    expect(sizes).toEqual([500, 200, 200]);
    // Full jitter: a random share of base × 2^attempt (the second attempt waits up to 200 ms).
    expect(delays).toEqual([Math.floor(0.999 * 200)]);
  });

  it('an entry over the 1 MiB record size is never sent and fails alone; the others land', async () => {
    // Kinesis API Reference, PutRecordsRequestEntry.Data: "When the data blob (the payload before
    // base64-encoding) is added to the partition key size, the total size must not exceed the
    // maximum record size (1 MiB)"; AWS refuses the whole call otherwise.
    const entries = [entry(1), entry(2, 1024 * 1024), entry(3)];
    const { landed, lastError } = await putRecordsWithRetry(kinesis, streamArnOf, entries, noSleep);
    expect(landed).toEqual([true, false, true]);
    expect(lastError).toMatch(/over the 1048576-byte record size/);
    const sent = kinesisMock.commandCalls(PutRecordsCommand).flatMap((c) => c.args[0].input.Records!);
    expect(sent.map((r) => r.PartitionKey)).toEqual(['pk-1', 'pk-3']);
  });

  it('backoff: the delay before each attempt grows as base × 2^attempt up to the cap, never more', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelayMs(a, 100, 5_000, () => 0.999))).toEqual([
      199, 399, 799, 1598, 3196, 4995, 4995,
    ]);
    expect(backoffDelayMs(3, 100, 5_000, () => 0)).toBe(0);
  });

  it('gives up after maxAttempts, waiting between attempts only', async () => {
    kinesisMock.on(PutRecordsCommand).rejects(Object.assign(new Error('down'), { name: 'InternalFailure' }));
    const delays: number[] = [];
    const { landed, attempts, lastError } = await putRecordsWithRetry(kinesis, streamArnOf, [entry(1)], {
      maxAttempts: 4,
      sleep: async (ms) => void delays.push(ms),
    });
    expect(landed).toEqual([false]);
    expect(attempts).toBe(4);
    expect(delays).toHaveLength(3);
    expect(lastError).toBe('InternalFailure: down');
  });
});
