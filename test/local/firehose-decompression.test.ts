/**
 * The stand-in's CloudWatch Logs decompression (local/firehose-decompression.ts) and the delivery
 * it runs in (local/firehose-driver.ts deliverRecords), as the Firehose Developer Guide describes
 * them: each record gunzipped before the transform, the processor buffer counted in what the
 * transform is sent, a record that cannot be decompressed kept as it came under
 * decompression-failed ("If Amazon Data Firehose is not able to decompress the record, the record
 * is delivered as is (in compressed format) to error S3 bucket", "Troubleshoot decompression in
 * Firehose"), and a record the transform fails kept compressed ("the record is delivered in
 * compressed format to the error S3 bucket").
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { gzipSync } from 'node:zlib';
import { errorPrefix } from '../../stacks/central/firehose-archive';
import type { FirehoseTransformEvent, FirehoseOutputRecord } from '../../functions/transform/transform';
import { decompressRecord, refuseVendedLogs } from '../../local/firehose-decompression';
import { deliverRecords, type ArchiveDelivery, type DeliveryStats } from '../../local/firehose-driver';

const s3Mock = mockClient(S3Client);
beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
});

const payload = (n: number, control = false) => ({
  messageType: control ? 'CONTROL_MESSAGE' : 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/app',
  logStream: 's',
  subscriptionFilters: ['f'],
  logEvents: [{ id: String(n), timestamp: 1, message: `line ${n} ${'y'.repeat(1000)}` }],
});

const delivery = (decompress: boolean, bufferBytes: number): ArchiveDelivery => ({
  streamName: 'logwarden-archive',
  prefix: 'ocsf/',
  errorPrefix,
  fileExtension: '.parquet',
  processorBufferBytes: bufferBytes,
  decompress,
  event: { sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central' },
});

/** A transform that records what it was sent and fails every record (so nothing is converted). */
function failingTransform(seen: FirehoseTransformEvent[]) {
  return async (event: FirehoseTransformEvent): Promise<{ records: FirehoseOutputRecord[] }> => {
    seen.push(event);
    return {
      records: event.records.map((r) => ({ recordId: r.recordId, result: 'ProcessingFailed', data: '' })),
    };
  };
}

const stats = (): DeliveryStats => ({ invocations: 0, ok: 0, dropped: 0, processingFailed: 0, objects: [] });
const puts = () => s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);

describe('Firehose CloudWatch Logs decompression, as the stand-in applies it', () => {
  it('gunzips gzip; refuses what is not gzip or is corrupt gzip, whole', () => {
    const gz = gzipSync(JSON.stringify(payload(1)));
    const ok = decompressRecord(gz);
    expect(ok.ok && JSON.parse(ok.data.toString('utf8'))).toEqual(payload(1));
    expect(decompressRecord(Buffer.from(JSON.stringify(payload(1))))).toMatchObject({ ok: false });
    const corrupt = Buffer.from(gz);
    corrupt[corrupt.length - 5] ^= 0xff; // the CRC
    expect(decompressRecord(corrupt)).toMatchObject({ ok: false });
    expect(decompressRecord(new Uint8Array())).toMatchObject({ ok: false });
  });

  it('the transform is sent decompressed JSON, buffered by its decompressed bytes; failures are kept compressed, the undecompressable as they came', async () => {
    const seen: FirehoseTransformEvent[] = [];
    const good = [1, 2, 3, 4].map((n) => gzipSync(JSON.stringify(payload(n))));
    const notGzip = Buffer.from('plain text, not what CloudWatch Logs writes');
    const s = stats();
    // Each decompressed payload is about 1.2 KB and gzips to far less: a 2,500-byte buffer holds
    // two of them decompressed, though it would hold all four compressed.
    await deliverRecords(
      [...good.slice(0, 2), notGzip, ...good.slice(2)].map((data) => ({
        data,
        approximateArrivalTimestamp: 5,
      })),
      delivery(true, 2_500),
      {
        s3: new S3Client({ region: 'eu-west-1' }),
        bucket: 'archive',
        runId: 'run',
        transform: failingTransform(seen),
      },
      s,
    );
    expect(good.reduce((a, g) => a + g.length, 0)).toBeLessThan(2_500);
    expect(seen.map((e) => e.records.length)).toEqual([2, 2]);
    for (const e of seen)
      for (const r of e.records)
        expect(JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')).messageType).toBe('DATA_MESSAGE');
    expect(s).toMatchObject({ invocations: 2, processingFailed: 4, decompressionFailed: 1 });
    const objects = puts();
    const failed = objects.filter((o) => o.Key!.startsWith('errors/decompression-failed/'));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0].Body as string).rawData).toBe(notGzip.toString('base64'));
    const processing = objects.filter((o) => o.Key!.startsWith('errors/processing-failed/'));
    expect(processing.map((o) => JSON.parse(o.Body as string).rawData).sort()).toEqual(
      good.map((g) => g.toString('base64')).sort(),
    );
  });

  it('without decompression the buffer counts the stream bytes and the transform is sent them as they are', async () => {
    const seen: FirehoseTransformEvent[] = [];
    const good = [1, 2, 3, 4].map((n) => gzipSync(JSON.stringify(payload(n))));
    await deliverRecords(
      good.map((data) => ({ data })),
      delivery(false, 2_500),
      {
        s3: new S3Client({ region: 'eu-west-1' }),
        bucket: 'archive',
        runId: 'run',
        transform: failingTransform(seen),
      },
      stats(),
    );
    expect(seen.map((e) => e.records.length)).toEqual([4]);
    expect(seen[0].records.map((r) => r.data)).toEqual(good.map((g) => g.toString('base64')));
  });

  it('a transformed record without data, Dropped included, is a data transformation failure, kept in the error prefix', async () => {
    // Firehose Developer Guide, "Required parameters for data transformation": "All transformed
    // records from Lambda must contain the following parameters, or Amazon Data Firehose rejects
    // them and treats that as a data transformation failure": recordId, result, data.
    const good = [1, 2].map((n) => gzipSync(JSON.stringify(payload(n))));
    const s = stats();
    await deliverRecords(
      good.map((data) => ({ data })),
      delivery(false, 2_500),
      {
        s3: new S3Client({ region: 'eu-west-1' }),
        bucket: 'archive',
        runId: 'run',
        transform: async (event) => ({
          records: [
            { recordId: event.records[0].recordId, result: 'Dropped' } as FirehoseOutputRecord,
            { recordId: event.records[1].recordId, result: 'Dropped', data: '' },
          ],
        }),
      },
      s,
    );
    expect(s).toMatchObject({ dropped: 1, processingFailed: 1 });
    const processing = puts().filter((o) => o.Key!.startsWith('errors/processing-failed/'));
    expect(processing.map((o) => JSON.parse(o.Body as string).rawData)).toEqual([good[0].toString('base64')]);
  });

  it('refuses vended logs into a stream that decompresses, as Firehose fails them', () => {
    expect(() => refuseVendedLogs('logwarden-flow-logs-eu-west-1')).toThrow(
      /Vended Logs ingestion to Firehose fails/,
    );
  });
});

describe('the stand-in’s Parquet conversion failures, as Firehose writes them', () => {
  it('a record whose documents the conversion refuses is kept whole under format-conversion-failed, compressed, as the stream held it', async () => {
    // Firehose Developer Guide, "Troubleshoot decompression in Firehose": "If Amazon Data
    // Firehose errors out in the processing steps after decompression like Dynamic Partitioning
    // and Data Format Conversion, the record is delivered in compressed format to the error S3
    // bucket"; "Handling errors for data format conversion" gives the error record: rawData,
    // sequenceNumber, subSequenceNumber, dataCatalogTable, ...
    const record = gzipSync(JSON.stringify(payload(1)));
    const s = stats();
    await deliverRecords(
      [
        {
          data: record,
          approximateArrivalTimestamp: 5,
          kinesisRecordMetadata: { partitionKey: 'p', sequenceNumber: '4950' } as never,
        },
      ],
      delivery(true, 1_000_000),
      {
        s3: new S3Client({ region: 'eu-west-1' }),
        bucket: 'archive',
        runId: 'run',
        // The transform's answer: one document the table takes and one it cannot hold.
        transform: async (event) => ({
          records: event.records.map((r) => ({
            recordId: r.recordId,
            result: 'Ok' as const,
            data: Buffer.from(`${JSON.stringify({ class_uid: 'not an int', raw_data: 'line' })}\n`).toString(
              'base64',
            ),
          })),
        }),
      },
      s,
    );
    expect(s).toMatchObject({ ok: 1, conversionFailed: 1 });
    const objects = puts();
    expect(objects.filter((o) => !o.Key!.startsWith('errors/'))).toEqual([]);
    const failed = objects.filter((o) => o.Key!.startsWith('errors/format-conversion-failed/'));
    expect(failed).toHaveLength(1);
    expect(failed[0].Key!.split('/').pop()).toMatch(
      /^logwarden-archive-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-/,
    );
    expect(JSON.parse(failed[0].Body as string)).toMatchObject({
      rawData: record.toString('base64'),
      sequenceNumber: '4950',
      subSequenceNumber: 0,
    });
  });
});
