import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { type KinesisClient } from '@aws-sdk/client-kinesis';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { names } from '../contracts/names';
import type { ReplayDocumentsEvent, ReplayDocumentsResult } from '../functions/indexer/indexer';
import { sleep as realSleep } from '../functions/shared/backoff';
import { putBatchesWithRetry, type BatchRetryOptions } from '../functions/shared/batch-put';
import { putRecordsWithRetry } from '../functions/transform/reingest';

/**
 * `logwarden replay`: what the pipeline kept because it could not deliver it, delivered again.
 * Every path is idempotent, so a replay can be run as often as needed:
 * - `rejected/` (the indexer): a document goes back to the indexer as it was kept, with its
 *   deterministic `_id` (create: a document already there is a 409); a record that could not be
 *   read goes back to the indexer as a stream record.
 * - `errors/` (Firehose's error prefix), told apart by the stream that wrote the object (its
 *   name starts the object's name):
 *   - the central stream's delivery stream (`logwarden-archive`): its error records hold the
 *     record as the central stream held it (the transform's ProcessingFailed records, and the
 *     records the Parquet conversion refused: "If Amazon Data Firehose errors out in the
 *     processing steps after decompression like Dynamic Partitioning and Data Format Conversion,
 *     the record is delivered in compressed format to the error S3 bucket", Firehose Developer
 *     Guide, "Troubleshoot decompression in Firehose"). They go back into the central stream, so
 *     the archive gets them now; the indexer (create) and the alerter (its dedupe table) see them
 *     again without a second document or alert. Records Firehose could not decompress
 *     (`errors/decompression-failed/`) would fail the same way again: they stay where they are.
 *     A record goes back gzip, as CloudWatch Logs writes it, which the stream's decompression needs.
 *   - the direct flow-log path's delivery stream (`logwarden-flow-logs`, one per governed Region,
 *     same name, same archive): its records are plain flow-log text that never went through the
 *     central stream, and the central archive path would read them as CloudWatch Logs payloads.
 *     A ProcessingFailed record names the transform that failed it (`lambdaArn`, Firehose
 *     Developer Guide, "Handle failure in data transformation"), which runs in the Region of its
 *     delivery stream: it goes back to that Region's flow-log stream with PutRecordBatch. A record
 *     that names no transform (the Parquet conversion's) names no Region: it is refused, with the
 *     manual path (docs/operating.md).
 * - `aws/lambda/` (the indexer's and the alerter's on-failure destination): Lambda's invocation
 *   record holds the batch that failed (its `payload`); it goes back to the function that failed
 *   it (`requestContext.functionArn`), not to the stream, so the archive holds it once.
 * Each object is replayed, or fails, on its own: one that cannot be read (archived, not JSON) is
 * listed with why, and the others are replayed all the same.
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
  /** A Firehose client in a Region: the direct flow-log path has a delivery stream per Region. */
  firehose: (region: string) => FirehoseClient;
}

export interface ReplayOptions {
  /** The archive bucket. */
  bucket: string;
  /** The indexer function (name or ARN). */
  indexer: string;
  /** The central stream's ARN. */
  streamArn: string;
  from: readonly ReplaySource[];
  /** Only objects under this day (`YYYY-MM-DD`) of rejected/ and this key part elsewhere. */
  day?: string;
  dryRun?: boolean;
  out: (line: string) => void;
  /** Attempts per record put (PutRecords, PutRecordBatch) before it is reported failed; 5. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplaySummary {
  /** Objects replayed (with --dry-run: that would be). */
  objects: number;
  documents: number;
  records: number;
  invocations: number;
  /** Objects whose replay did not go through, with why: replay again later. */
  failed: string[];
  /** Objects kept as they are, with why: no replay can deliver them (the operator's to read). */
  kept: string[];
}

/**
 * Records the central stream's CloudWatch Logs decompression could not decompress: "the record is
 * delivered as is (in compressed format) to error S3 bucket ... prefix called
 * decompression-failed" (Firehose Developer Guide, "Troubleshoot decompression in Firehose").
 */
const decompressionFailed = 'errors/decompression-failed/';

/**
 * The stream name at the start of a Firehose object's name: "<Firehose stream name>-<Firehose
 * stream version>-<year>-<month>-<day>-<hour>-<minute>-<second>-<uuid><file extension>"
 * (Firehose Developer Guide, "Configure Amazon S3 object name format").
 */
const firehoseObjectName = /^(.+?)-\d+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-/;
export function writtenBy(key: string): string | undefined {
  return firehoseObjectName.exec(key.split('/').pop() ?? '')?.[1];
}

/**
 * PutRecordBatch: "Each PutRecordBatch request supports up to 500 records. Each record in the
 * request can be as large as 1,000 KB (before base64 encoding), up to a limit of 4 MB for the
 * entire request" (Firehose API Reference, PutRecordBatch). KB and MB read as the smaller,
 * decimal units, so that neither reading is exceeded.
 */
const BATCH_MAX_RECORDS = 500;
const BATCH_MAX_BYTES = 4_000_000;
const BATCH_MAX_RECORD_BYTES = 1_000_000;

/** The Region of a Lambda function ARN (`arn:<partition>:lambda:<region>:<account>:function:<name>`). */
const lambdaRegion = (arn: unknown) =>
  typeof arn === 'string' ? /^arn:[\w-]+:lambda:([a-z0-9-]+):\d{12}:function:/.exec(arn)?.[1] : undefined;

/** Why an object could not be read, said so that the operator knows what to do. */
function readFailure(err: unknown, bucket: string, key: string): string {
  const e = err as Error & { StorageClass?: string };
  // S3 API Reference, GetObject: "If the object you are retrieving is stored in the S3 Glacier
  // Flexible Retrieval storage class, the S3 Glacier Deep Archive storage class, ... before you
  // can retrieve the object you must first restore a copy using RestoreObject. Otherwise, this
  // operation returns an InvalidObjectState error." The archive's lifecycle moves every prefix
  // there after deepArchiveAfterDays.
  if (e.name === 'InvalidObjectState')
    return (
      `archived (${e.StorageClass ?? 'an archive storage class'}): restore a copy first, then replay again once ` +
      `it is restored: aws s3api restore-object --bucket ${bucket} --key ${key} ` +
      `--restore-request '{"Days":7,"GlacierJobParameters":{"Tier":"Bulk"}}' (docs/operating.md)`
    );
  return `could not be read: ${e.name}: ${e.message}`;
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * A kept record as the central stream carries it: gzip, as CloudWatch Logs writes its payloads
 * and as the stream's Decompression processor needs them. A record kept decompressed is gzipped
 * again; the indexer and the alerter read either.
 */
const asStreamRecord = (b: Buffer) => (isGzip(b) ? b : gzipSync(b));

/** An object's text (gunzipped when it is gzip); what went wrong said as readFailure says it. */
async function read(s3: S3Client, bucket: string, key: string): Promise<string> {
  let bytes: Buffer;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    bytes = Buffer.from(await res.Body!.transformToByteArray());
  } catch (err) {
    throw new Error(readFailure(err, bucket, key));
  }
  try {
    return (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (err) {
    throw new Error(`gzip that cannot be read (${(err as Error).message}): not replayed`);
  }
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

/**
 * Puts records into a Firehose stream within PutRecordBatch's limits, retrying only the records a
 * call answers with an error ("If the record fails to be added to your Firehose stream, the
 * result includes an error code and an error message", Firehose API Reference,
 * PutRecordBatchResponseEntry; functions/shared/batch-put.ts). Returns how many landed (a
 * RecordId and no ErrorCode); a record over the record size is never sent.
 */
async function putRecordBatchWithRetry(
  firehose: FirehoseClient,
  stream: string,
  records: Buffer[],
  options: BatchRetryOptions,
): Promise<{ landed: number; lastError?: string }> {
  const { landed, lastError } = await putBatchesWithRetry(
    records.map((r) => r.length),
    { maxEntries: BATCH_MAX_RECORDS, maxBytes: BATCH_MAX_BYTES, maxEntryBytes: BATCH_MAX_RECORD_BYTES },
    async (indexes) => {
      const res = await firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: stream,
          Records: indexes.map((i) => ({ Data: records[i] })),
        }),
      );
      return indexes.map((_, j) => {
        const r = res.RequestResponses?.[j];
        if (r?.RecordId && !r.ErrorCode) return undefined;
        return r?.ErrorCode ? `${r.ErrorCode}: ${r.ErrorMessage ?? ''}` : 'no response for record';
      });
    },
    options,
  );
  return { landed: landed.filter(Boolean).length, lastError };
}

/** What a replay does with one object: replay it (what, how), or leave it where it is (why). */
type Plan = { what: string; run: () => Promise<void> } | { kept: string };

/** Firehose's error records: one JSON object a line (the record in rawData), numbered for errors. */
function errorRecords(text: string): { rawData?: unknown; lambdaArn?: unknown }[] {
  return text
    .split('\n')
    .map((line, n) => ({ line, n }))
    .filter(({ line }) => line.trim())
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as { rawData?: unknown; lambdaArn?: unknown };
      } catch {
        throw new Error(`line ${n + 1} is not a Firehose error record (not JSON): not replayed`);
      }
    });
}

const parseJson = <T>(text: string, what: string): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not ${what} (not JSON): not replayed`);
  }
};

export async function replayKept(clients: ReplayClients, options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = {
    objects: 0,
    documents: 0,
    records: 0,
    invocations: 0,
    failed: [],
    kept: [],
  };
  const say = options.out;
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? realSleep;
  const fail = (key: string, why: string) => {
    summary.failed.push(`${key}: ${why}`);
    say(`not replayed ${key}: ${why}`);
  };
  const act = async (key: string, what: string, run: () => Promise<void>) => {
    if (options.dryRun) {
      summary.objects++;
      return say(`would replay ${key}: ${what}`);
    }
    try {
      await run();
      summary.objects++;
      say(`replayed ${key}: ${what}`);
    } catch (err) {
      fail(key, (err as Error).message);
    }
  };

  /** The central stream's error records, back into the central stream. */
  const toCentralStream = (records: string[]): Plan => ({
    what: `${records.length} record(s) back into ${options.streamArn}`,
    run: async () => {
      const { landed, attempts, lastError } = await putRecordsWithRetry(
        clients.kinesis,
        options.streamArn,
        records.map((data) => ({
          data: asStreamRecord(Buffer.from(data, 'base64')),
          partitionKey: createHash('sha256').update(data).digest('hex').slice(0, 32),
        })),
        { maxAttempts, sleep },
      );
      const put = landed.filter(Boolean).length;
      summary.records += put;
      if (put < records.length)
        throw new Error(
          `${records.length - put} of ${records.length} record(s) not put into the stream after ${attempts} attempt(s) (${lastError}); replay again`,
        );
    },
  });

  /** The direct flow-log path's ProcessingFailed records, back into their Region's flow-log stream. */
  const toFlowLogStreams = (lines: { rawData: string; lambdaArn?: unknown }[]): Plan => {
    const byRegion = new Map<string, Buffer[]>();
    for (const line of lines) {
      const region = lambdaRegion(line.lambdaArn);
      if (!region)
        throw new Error(
          `written by ${names.flowLogsFirehose} (the direct flow-log path), and a record names no transform (lambdaArn), ` +
            `so not the Region of its stream; not replayed: put its rawData back by hand into ${names.flowLogsFirehose} ` +
            `of its Region (docs/operating.md, "replaying the direct flow-log path by hand")`,
        );
      // Plain flow-log text, as VPC Flow Logs put it: sent as it was, never gzipped.
      const list = byRegion.get(region) ?? [];
      list.push(Buffer.from(line.rawData, 'base64'));
      byRegion.set(region, list);
    }
    const regions = [...byRegion.keys()];
    return {
      what: `${lines.length} record(s) back into ${names.flowLogsFirehose} of ${regions.join(', ')}`,
      run: async () => {
        const problems: string[] = [];
        for (const [region, records] of byRegion) {
          const { landed, lastError } = await putRecordBatchWithRetry(
            clients.firehose(region),
            names.flowLogsFirehose,
            records,
            { maxAttempts, sleep },
          );
          summary.records += landed;
          if (landed < records.length)
            problems.push(`${records.length - landed} of ${records.length} in ${region} (${lastError})`);
        }
        if (problems.length)
          throw new Error(
            `record(s) not put into ${names.flowLogsFirehose}: ${problems.join('; ')}; replay again`,
          );
      },
    };
  };

  const plan = async (source: ReplaySource, key: string): Promise<Plan> => {
    if (source === 'errors') {
      const writer = writtenBy(key);
      if (writer !== names.archiveFirehose && writer !== names.flowLogsFirehose)
        throw new Error(
          `not written by ${names.archiveFirehose} or ${names.flowLogsFirehose} (the object's name starts with the stream's): not replayed`,
        );
      if (writer === names.archiveFirehose && key.startsWith(decompressionFailed))
        // Not gzip, or corrupt: put back, the same bytes would fail Firehose's decompression again
        // (the indexer read them from the stream too, and kept what it could not read).
        return { kept: 'records Firehose could not decompress; they would fail again; not replayed' };
      const lines = errorRecords(await read(clients.s3, options.bucket, key)).filter(
        (l): l is { rawData: string; lambdaArn?: unknown } => typeof l.rawData === 'string',
      );
      if (!lines.length) return { kept: 'no record (rawData) in it; nothing to replay' };
      return writer === names.flowLogsFirehose
        ? toFlowLogStreams(lines)
        : toCentralStream(lines.map((l) => l.rawData));
    }
    const text = await read(clients.s3, options.bucket, key);
    if (source === 'rejected') {
      const kept = parseJson<{
        id?: string;
        index?: string;
        document?: ReplayDocumentsEvent['documents'][number]['document'];
        record?: string;
        sequenceNumber?: string;
      }>(text, 'what the indexer keeps');
      if (typeof kept.record === 'string') {
        const record = kept.record;
        return {
          what: 'a record the indexer could not read, to the indexer',
          run: async () => {
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
          },
        };
      }
      if (kept.document && kept.index) {
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
        return {
          what: `document ${id} to the indexer`,
          run: async () => {
            summary.invocations++;
            const res = (await invoke(clients.lambda, options.indexer, event)) as ReplayDocumentsResult;
            if (res.failed.length) throw new Error(`not indexed yet: ${res.failed[0].reason}`);
            if (res.rejected.length) throw new Error(`refused again: ${res.rejected[0].reason}`);
            summary.documents += res.indexed + res.alreadyIndexed;
          },
        };
      }
      // A document that could not be serialized is kept as far as it could be (its reason and
      // raw_data, functions/indexer/indexer.ts): there is nothing to index again.
      if ('serializationError' in kept)
        return { kept: 'a document the indexer could not serialize (its raw_data only); not replayable' };
      throw new Error('neither a document nor a record the indexer kept: not replayed');
    }
    // Lambda's invocation record for an S3 on-failure destination: the batch is its payload.
    const invocation = parseJson<{ requestContext?: { functionArn?: string }; payload?: unknown }>(
      text,
      'an invocation record',
    );
    const fn = invocation.requestContext?.functionArn;
    const payload =
      typeof invocation.payload === 'string'
        ? parseJson<unknown>(invocation.payload, 'an invocation record with a batch')
        : invocation.payload;
    const count = (payload as { Records?: unknown[] } | undefined)?.Records?.length ?? 0;
    if (!fn || !count) throw new Error('not an invocation record with a batch (no functionArn or payload)');
    return {
      what: `${count} record(s) to ${fn}`,
      run: async () => {
        summary.invocations++;
        const res = await invoke(clients.lambda, fn, payload);
        if (batchFailures(res)) throw new Error(`${batchFailures(res)} record(s) failed again`);
        summary.records += count;
      },
    };
  };

  for (const source of options.from) {
    const prefix = prefixOf[source] + (source === 'rejected' && options.day ? `${options.day}/` : '');
    for await (const key of keys(clients.s3, options.bucket, prefix)) {
      if (source !== 'rejected' && options.day && !key.includes(options.day.replaceAll('-', '/'))) continue;
      let p: Plan;
      try {
        p = await plan(source, key);
      } catch (err) {
        fail(key, (err as Error).message);
        continue;
      }
      if ('kept' in p) {
        summary.kept.push(`${key}: ${p.kept}`);
        say(`kept ${key}: ${p.kept}`);
      } else await act(key, p.what, p.run);
    }
  }
  return summary;
}
