import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ReplayDocumentsEvent, ReplayDocumentsResult } from '../functions/indexer/indexer';

/**
 * `logwarden replay`: what the pipeline kept because it could not deliver it, delivered again.
 * Every path is idempotent, so a replay can be run as often as needed:
 * - `rejected/` (the indexer): a document goes back to the indexer as it was kept, with its
 *   deterministic `_id` (create: a document already there is a 409); a record that could not be
 *   read goes back to the indexer as a stream record.
 * - `errors/` (Firehose's error prefix: the transform's ProcessingFailed records): the original
 *   record goes back into the central stream, so the archive gets it now; the indexer (create)
 *   and the alerter (its dedupe table) see it again without a second document or alert. Records
 *   the Parquet conversion refused (`errors/format-conversion-failed/`) are OCSF documents, not
 *   stream records, and records Firehose could not decompress (`errors/decompression-failed/`)
 *   would fail the same way again: both stay where they are. A record goes back gzip, as
 *   CloudWatch Logs writes it, which the central stream's decompression needs.
 * - `aws/lambda/` (the indexer's and the alerter's on-failure destination): Lambda's invocation
 *   record holds the batch that failed (its `payload`); it goes back to the function that failed
 *   it (`requestContext.functionArn`), not to the stream, so the archive holds it once.
 */
export type ReplaySource = 'rejected' | 'errors' | 'failed';
export const replaySources: readonly ReplaySource[] = ['rejected', 'errors', 'failed'];
const prefixOf: Record<ReplaySource, string> = {
  rejected: 'rejected/',
  errors: 'errors/',
  failed: 'aws/lambda/',
};

export interface ReplayClients {
  s3: S3Client;
  lambda: LambdaClient;
  kinesis: KinesisClient;
}

export interface ReplayOptions {
  /** The archive bucket. */
  bucket: string;
  /** The indexer function (name or ARN). */
  indexer: string;
  /** The central stream. */
  stream: string;
  from: readonly ReplaySource[];
  /** Only objects under this day (`YYYY-MM-DD`) of rejected/ and this key part elsewhere. */
  day?: string;
  dryRun?: boolean;
  out: (line: string) => void;
}

export interface ReplaySummary {
  objects: number;
  documents: number;
  records: number;
  invocations: number;
  /** Objects whose replay did not go through, with why: replay again later. */
  failed: string[];
}

/**
 * Firehose's error prefix for records its format conversion refused (`!{firehose:error-output-type}`
 * is `format-conversion-failed`: Firehose Developer Guide, "Custom prefixes for Amazon S3 objects").
 */
const formatConversionFailed = 'errors/format-conversion-failed/';

/**
 * Records the central stream's CloudWatch Logs decompression could not decompress: "the record is
 * delivered as is (in compressed format) to error S3 bucket ... prefix called
 * decompression-failed" (Firehose Developer Guide, "Troubleshoot decompression in Firehose").
 */
const decompressionFailed = 'errors/decompression-failed/';

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * A kept record as the central stream carries it: gzip, as CloudWatch Logs writes its payloads
 * and as the stream's Decompression processor needs them. A record kept decompressed is gzipped
 * again; the indexer and the alerter read either.
 */
const asStreamRecord = (b: Buffer) => (isGzip(b) ? b : gzipSync(b));

async function read(s3: S3Client, bucket: string, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await res.Body!.transformToByteArray());
  return (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
}

async function* keys(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<string> {
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) yield o.Key;
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
}

/** Invokes a function and returns its parsed answer; a function error is thrown with its text. */
export async function invoke(lambda: LambdaClient, fn: string, event: unknown): Promise<unknown> {
  const res = await lambda.send(
    new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
  if (res.FunctionError) throw new Error(`${fn} failed: ${res.FunctionError} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** A Kinesis event of stream records as Lambda's event source mapping builds it. */
const kinesisEvent = (records: { data: string; sequenceNumber: string; arrivalSeconds: number }[]) => ({
  Records: records.map((r) => ({
    eventSource: 'aws:kinesis',
    eventName: 'aws:kinesis:record',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'logwarden-replay',
      sequenceNumber: r.sequenceNumber,
      data: r.data,
      approximateArrivalTimestamp: r.arrivalSeconds,
    },
  })),
});

const batchFailures = (res: unknown) =>
  ((res as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures ?? []).length;

export async function replayKept(clients: ReplayClients, options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { objects: 0, documents: 0, records: 0, invocations: 0, failed: [] };
  const say = options.out;
  const act = async (key: string, what: string, run: () => Promise<void>) => {
    summary.objects++;
    if (options.dryRun) return say(`would replay ${key}: ${what}`);
    try {
      await run();
      say(`replayed ${key}: ${what}`);
    } catch (err) {
      summary.failed.push(`${key}: ${(err as Error).message}`);
      say(`not replayed ${key}: ${(err as Error).message}`);
    }
  };

  for (const source of options.from) {
    const prefix = prefixOf[source] + (source === 'rejected' && options.day ? `${options.day}/` : '');
    for await (const key of keys(clients.s3, options.bucket, prefix)) {
      if (source !== 'rejected' && options.day && !key.includes(options.day.replaceAll('-', '/'))) continue;
      if (key.startsWith(formatConversionFailed)) {
        // The transform's OCSF documents, not stream records: sent back into the central stream
        // they would be read as CloudWatch Logs payloads. They are kept as they are (raw_data in
        // each), for the table to be widened (docs/lake.md, "When a document does not fit").
        say(`kept ${key}: documents the lake table cannot hold, not stream records; not replayed`);
        continue;
      }
      if (key.startsWith(decompressionFailed)) {
        // Not gzip, or corrupt: put back, the same bytes would fail Firehose's decompression again
        // (the indexer read them from the stream too, and kept what it could not read).
        say(`kept ${key}: records Firehose could not decompress; they would fail again; not replayed`);
        continue;
      }
      const text = await read(clients.s3, options.bucket, key);
      if (source === 'rejected') {
        const kept = JSON.parse(text) as {
          id?: string;
          index?: string;
          document?: ReplayDocumentsEvent['documents'][number]['document'];
          record?: string;
          sequenceNumber?: string;
        };
        if (typeof kept.record === 'string') {
          const record = kept.record;
          await act(key, 'a record the indexer could not read, to the indexer', async () => {
            summary.invocations++;
            const res = await invoke(
              clients.lambda,
              options.indexer,
              kinesisEvent([
                { data: record, sequenceNumber: `replay-${key}`, arrivalSeconds: Date.now() / 1000 },
              ]),
            );
            if (batchFailures(res)) throw new Error('the indexer failed it again');
            summary.records++;
          });
        } else if (kept.document && kept.index) {
          // Kept before the id was stored beside it: the key is `<id>.json`.
          const id =
            kept.id ??
            key
              .split('/')
              .pop()!
              .replace(/\.json$/, '');
          const event: ReplayDocumentsEvent = {
            logwardenReplay: 'documents',
            documents: [{ id, index: kept.index, document: kept.document }],
          };
          await act(key, `document ${id} to the indexer`, async () => {
            summary.invocations++;
            const res = (await invoke(clients.lambda, options.indexer, event)) as ReplayDocumentsResult;
            if (res.failed.length) throw new Error(`not indexed yet: ${res.failed[0].reason}`);
            if (res.rejected.length) throw new Error(`refused again: ${res.rejected[0].reason}`);
            summary.documents += res.indexed + res.alreadyIndexed;
          });
        }
      } else if (source === 'errors') {
        // Firehose's error records: one JSON object a line, the original record in rawData.
        const records = text
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => (JSON.parse(l) as { rawData?: string }).rawData)
          .filter((d): d is string => typeof d === 'string');
        await act(key, `${records.length} record(s) back into ${options.stream}`, async () => {
          const res = await clients.kinesis.send(
            new PutRecordsCommand({
              StreamName: options.stream,
              Records: records.map((data) => ({
                Data: asStreamRecord(Buffer.from(data, 'base64')),
                PartitionKey: createHash('sha256').update(data).digest('hex').slice(0, 32),
              })),
            }),
          );
          if (res.FailedRecordCount)
            throw new Error(`${res.FailedRecordCount} record(s) refused by PutRecords`);
          summary.records += records.length;
        });
      } else {
        // Lambda's invocation record for an S3 on-failure destination: the batch is its payload.
        const invocation = JSON.parse(text) as {
          requestContext?: { functionArn?: string };
          payload?: unknown;
        };
        const fn = invocation.requestContext?.functionArn;
        const payload =
          typeof invocation.payload === 'string' ? JSON.parse(invocation.payload) : invocation.payload;
        const count = (payload as { Records?: unknown[] } | undefined)?.Records?.length ?? 0;
        if (!fn || !count) {
          summary.failed.push(`${key}: not an invocation record with a batch (no functionArn or payload)`);
          continue;
        }
        await act(key, `${count} record(s) to ${fn}`, async () => {
          summary.invocations++;
          const res = await invoke(clients.lambda, fn, payload);
          if (batchFailures(res)) throw new Error(`${batchFailures(res)} record(s) failed again`);
          summary.records += count;
        });
      }
    }
  }
  return summary;
}
