import type { _Record } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import {
  archiveFileExtension,
  archivePrefix,
  CENTRAL_STREAM_DECOMPRESSES,
  errorPrefix,
  PROCESSOR_BUFFER_MB,
} from '../stacks/central/firehose-archive';
import type {
  FirehoseInputRecord,
  FirehoseOutputRecord,
  FirehoseTransformEvent,
} from '../functions/transform/transform';
import { lakeNames } from '../contracts/lake';
import { names } from '../contracts/names';
import { decompressionFailedType, decompressRecord } from './firehose-decompression';
import { ConversionError, convertible, documentsToParquet, parseDocuments } from './lake-parquet';

/**
 * The S3 client the emulated Firehose writes the archive with. The SDK adds a CRC32 checksum to
 * every PutObject by default (requestChecksumCalculation WHEN_SUPPORTED); the Firehose
 * documentation does not say that Firehose sends Content-MD5 or an x-amz-checksum-* header, and
 * S3 refuses a PutObject into a bucket with a default retention without one (botocore,
 * PutObjectRequest.ChecksumAlgorithm: "The Content-MD5 or x-amz-sdk-checksum-algorithm header is
 * required for any request to upload an object with a retention period configured using Amazon
 * S3 Object Lock"; contracts/config.ts, objectLock.appliedBy). So the emulated Firehose sends a
 * checksum only where the operation requires one (WHEN_REQUIRED: none for PutObject): the
 * stricter assumption, under which a `bucket-default` archive refuses the local delivery, as it
 * may refuse Firehose's.
 */
export class FirehoseS3Client extends S3Client {
  constructor(config: S3ClientConfig) {
    super({ ...config, requestChecksumCalculation: 'WHEN_REQUIRED' });
  }
}

export interface FirehoseDriverOptions {
  s3: S3Client;
  bucket: string;
  sourceStreamArn: string;
  /** Distinguishes this run's objects: a later run never overwrites an earlier one's. */
  runId: string;
  /** The transform handler, called as Firehose calls it. */
  transform: (event: FirehoseTransformEvent) => Promise<{ records: FirehoseOutputRecord[] }>;
}

export interface DeliveryStats {
  invocations: number;
  ok: number;
  dropped: number;
  processingFailed: number;
  /** Records the Decompression processor could not decompress (kept under decompression-failed). */
  decompressionFailed?: number;
  /** Records the Parquet conversion refused (kept under format-conversion-failed). */
  conversionFailed?: number;
  objects: string[];
}

/** A record as a delivery stream holds it, whatever put it there: its bytes and arrival. */
export interface SourceRecord {
  data: Uint8Array;
  approximateArrivalTimestamp?: number;
  /** A stream with Kinesis as source: the record's place in the source stream. */
  kinesisRecordMetadata?: FirehoseInputRecord['kinesisRecordMetadata'];
}

/**
 * A delivery stream's S3 destination, as its ExtendedS3DestinationConfiguration says: the
 * stream's name (first part of every object name), the prefix and error prefix, the file
 * extension, the processor's buffer, and what the transform event names (the source stream,
 * or the delivery stream and its Region).
 */
export interface ArchiveDelivery {
  streamName: string;
  prefix: string;
  errorPrefix: string;
  fileExtension: string;
  processorBufferBytes: number;
  /** The CloudWatch Logs Decompression processor runs before the transform (local/firehose-decompression.ts). */
  decompress: boolean;
  event: Pick<FirehoseTransformEvent, 'deliveryStreamArn' | 'sourceKinesisStreamArn' | 'region'>;
  /**
   * The transform's ARN, which a processing-failed error record names ("lambdaArn - The Amazon
   * Resource Name (ARN) of the Lambda function", Firehose Developer Guide, "Handle failure in data
   * transformation"); replay reads the direct path's Region from it.
   */
  lambdaArn?: string;
}

export interface DeliveryOptions {
  s3: S3Client;
  bucket: string;
  runId: string;
  transform: FirehoseDriverOptions['transform'];
}

/**
 * Firehose names objects `<prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random>` (Firehose
 * Developer Guide, Amazon S3 object name format): never the same twice. The run id and the
 * invocation play the random part here.
 */
function objectName(streamName: string, runId: string, invocation: number): string {
  const time = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${streamName}-1-${time}-${runId}-${invocation}`;
}

/**
 * Stands in for Firehose between the central stream and the archive, honouring its contract:
 * processor buffers of PROCESSOR_BUFFER_MB (the stack's setting), exactly one answer per
 * recordId, Ok data converted to Parquet with the lake table as schema (local/lake-parquet.ts)
 * and written under the dynamic-partitioning prefix, Dropped discarded, and ProcessingFailed
 * originals (and documents the conversion cannot hold) written to the error prefix in
 * Firehose's error-record shape, uncompressed as the delivery stream's CompressionFormat says.
 */
export async function deliverToArchive(
  records: _Record[],
  options: FirehoseDriverOptions,
  stats: DeliveryStats,
): Promise<void> {
  await deliverRecords(
    records.map((r) => ({
      data: r.Data as Uint8Array,
      approximateArrivalTimestamp: r.ApproximateArrivalTimestamp?.getTime(),
      kinesisRecordMetadata: { partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber },
    })),
    {
      streamName: names.archiveFirehose,
      prefix: archivePrefix,
      errorPrefix,
      fileExtension: archiveFileExtension,
      processorBufferBytes: PROCESSOR_BUFFER_MB * 1024 * 1024,
      decompress: CENTRAL_STREAM_DECOMPRESSES,
      event: { sourceKinesisStreamArn: options.sourceStreamArn },
    },
    options,
    stats,
  );
}

/**
 * Firehose between a delivery stream's records and its S3 destination (`delivery`): with
 * `decompress`, each record gunzipped first (one that cannot be is kept as it came under the
 * error prefix, `decompression-failed`); the transform called per processor buffer of the bytes it
 * is sent; its answers written as deliverToArchive describes. An error record keeps the record as
 * the stream held it ("If Amazon Data Firehose errors out in the processing steps after
 * decompression like Dynamic Partitioning and Data Format Conversion, the record is delivered in
 * compressed format to the error S3 bucket", Firehose Developer Guide, "Troubleshoot
 * decompression in Firehose"), so a replay puts back what CloudWatch Logs wrote.
 */
export async function deliverRecords(
  records: SourceRecord[],
  delivery: ArchiveDelivery,
  options: DeliveryOptions,
  stats: DeliveryStats,
): Promise<void> {
  const limit = delivery.processorBufferBytes;
  /** A record as the transform is sent it (`data`), with the record the stream held. */
  type Handed = { source: SourceRecord; data: Uint8Array };
  let batch: Handed[] = [];
  let size = 0;
  const errorKey = (type: string, invocation: number, n: number, i: number) =>
    `${delivery.errorPrefix
      .replace('!{firehose:error-output-type}', type)
      .replace(
        '!{timestamp:yyyy/MM/dd}',
        new Date().toISOString().slice(0, 10).replaceAll('-', '/'),
      )}${objectName(delivery.streamName, options.runId, invocation)}-${n}-${i}.json`;
  const write = async (objects: { key: string; body: Uint8Array | string }[]) => {
    for (const { key, body } of objects) {
      await options.s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body }));
      stats.objects.push(key);
    }
  };
  const flush = async () => {
    if (!batch.length) return;
    const invocation = stats.invocations++;
    const event: FirehoseTransformEvent = {
      invocationId: `${options.runId}-${invocation}`,
      ...delivery.event,
      records: batch.map((r, i) => ({
        recordId: `${invocation}-${i}`,
        data: Buffer.from(r.data).toString('base64'),
        approximateArrivalTimestamp: r.source.approximateArrivalTimestamp,
        ...(r.source.kinesisRecordMetadata ? { kinesisRecordMetadata: r.source.kinesisRecordMetadata } : {}),
      })),
    };
    const { records } = await options.transform(event);
    const answered = records.map((r) => r.recordId);
    const asked = event.records.map((r) => r.recordId);
    if (JSON.stringify(answered) !== JSON.stringify(asked))
      throw new Error('the transform broke the Firehose contract: recordIds differ');
    const byPrefix = new Map<string, Record<string, unknown>[]>();
    const failures: { key: string; body: string }[] = [];
    const failure = (type: string, i: number, body: Record<string, unknown>) =>
      failures.push({
        key: errorKey(type, invocation, failures.length, i),
        body: JSON.stringify({
          attemptsMade: 1,
          arrivalTimestamp: event.records[i].approximateArrivalTimestamp,
          ...body,
        }),
      });
    records.forEach((r, i) => {
      // Firehose Developer Guide, "Required parameters for data transformation": "All
      // transformed records from Lambda must contain the following parameters [recordId,
      // result, data], or Amazon Data Firehose rejects them and treats that as a data
      // transformation failure", whatever the result says. The error code is the stand-in's.
      const answer = r as { result?: unknown; data?: unknown };
      if (
        typeof answer.data !== 'string' ||
        !['Ok', 'Dropped', 'ProcessingFailed'].includes(String(answer.result))
      ) {
        stats.processingFailed++;
        failure('processing-failed', i, {
          errorCode: 'logwarden-standin.InvalidTransformedRecord',
          errorMessage: 'The transformed record lacks data or a valid result',
          rawData: Buffer.from(batch[i].source.data).toString('base64'),
          ...(delivery.lambdaArn ? { lambdaArn: delivery.lambdaArn } : {}),
        });
        return;
      }
      if (r.result === 'Ok') {
        stats.ok++;
        const k = r.metadata?.partitionKeys;
        // The delivery stream's own prefix expression, evaluated as Firehose would.
        const prefix = delivery.prefix.replace(
          /!\{partitionKeyFromLambda:(\w+)\}/g,
          (_, key: string) => (k as Record<string, string> | undefined)?.[key] ?? '',
        );
        const docs = parseDocuments(Buffer.from(r.data as string, 'base64').toString('utf8'));
        const refused = docs
          .map((doc) => {
            try {
              convertible(doc);
              return undefined;
            } catch (e) {
              if (!(e instanceof ConversionError)) throw e;
              return e.message;
            }
          })
          .find((m) => m !== undefined);
        if (refused !== undefined) {
          // Firehose Developer Guide, "Handling errors for data format conversion": "When
          // Amazon Data Firehose can't parse or deserialize a record (for example, when the
          // data doesn't match the schema), it writes it to Amazon S3 with an error prefix",
          // in this shape; and "If Amazon Data Firehose errors out in the processing steps
          // after decompression like Dynamic Partitioning and Data Format Conversion, the
          // record is delivered in compressed format to the error S3 bucket" ("Troubleshoot
          // decompression in Firehose"): the record as the stream held it, none of its
          // documents in the table. The guide lists no ErrorCode values; this one is the stand-in's.
          stats.conversionFailed = (stats.conversionFailed ?? 0) + 1;
          failure('format-conversion-failed', i, {
            ErrorCode: 'logwarden-standin.SchemaMismatch',
            ErrorMessage: refused,
            rawData: Buffer.from(batch[i].source.data).toString('base64'),
            ...(batch[i].source.kinesisRecordMetadata
              ? {
                  sequenceNumber: batch[i].source.kinesisRecordMetadata!.sequenceNumber,
                  subSequenceNumber: 0,
                }
              : {}),
            dataCatalogTable: { databaseName: lakeNames.database, tableName: lakeNames.table },
          });
          return;
        }
        byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), ...docs]);
        return;
      } else if (r.result === 'Dropped') stats.dropped++;
      else {
        stats.processingFailed++;
        failure('processing-failed', i, {
          errorCode: 'Lambda.ProcessingFailed',
          errorMessage: 'The record was marked ProcessingFailed by the transform',
          rawData: Buffer.from(batch[i].source.data).toString('base64'),
          ...(delivery.lambdaArn ? { lambdaArn: delivery.lambdaArn } : {}),
        });
      }
    });
    await write([
      ...[...byPrefix]
        .filter(([, docs]) => docs.length > 0)
        .map(([prefix, docs]) => ({
          key: `${prefix}${objectName(delivery.streamName, options.runId, invocation)}${delivery.fileExtension}`,
          body: documentsToParquet(docs),
        })),
      ...failures,
    ]);
    batch = [];
    size = 0;
  };
  let undecompressed = 0;
  for (const r of records) {
    let data = r.data;
    if (delivery.decompress) {
      const d = decompressRecord(r.data);
      if (!d.ok) {
        stats.decompressionFailed = (stats.decompressionFailed ?? 0) + 1;
        await write([
          {
            key: errorKey(decompressionFailedType, stats.invocations, undecompressed++, 0),
            body: JSON.stringify({
              attemptsMade: 1,
              arrivalTimestamp: r.approximateArrivalTimestamp,
              errorCode: d.errorCode,
              errorMessage: d.errorMessage,
              rawData: Buffer.from(r.data).toString('base64'),
            }),
          },
        ]);
        continue;
      }
      data = d.data;
    }
    const bytes = data.length;
    if (batch.length && size + bytes > limit) await flush();
    batch.push({ source: r, data });
    size += bytes;
  }
  await flush();
}
