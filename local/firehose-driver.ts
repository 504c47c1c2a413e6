import type { _Record } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { archivePrefix, PROCESSOR_BUFFER_MB } from '../stacks/central/firehose-archive';
import type { FirehoseOutputRecord, FirehoseTransformEvent } from '../functions/transform/transform';

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
  objects: string[];
}

/**
 * Firehose names objects `<prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random>` (Firehose
 * Developer Guide, Amazon S3 object name format): never the same twice. The run id and the
 * invocation play the random part here.
 */
function objectName(runId: string, invocation: number): string {
  const time = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `logwarden-archive-1-${time}-${runId}-${invocation}`;
}

/**
 * Stands in for Firehose between the central stream and the archive, honouring its contract:
 * processor buffers of PROCESSOR_BUFFER_MB (the stack's setting), exactly one answer per
 * recordId, Ok data written under the dynamic-partitioning prefix, Dropped discarded, and
 * ProcessingFailed originals written to the error prefix in Firehose's error-record shape.
 */
export async function deliverToArchive(
  records: _Record[],
  options: FirehoseDriverOptions,
  stats: DeliveryStats,
): Promise<void> {
  const limit = PROCESSOR_BUFFER_MB * 1024 * 1024;
  let batch: _Record[] = [];
  let size = 0;
  const flush = async () => {
    if (!batch.length) return;
    const invocation = stats.invocations++;
    const event: FirehoseTransformEvent = {
      invocationId: `${options.runId}-${invocation}`,
      sourceKinesisStreamArn: options.sourceStreamArn,
      records: batch.map((r, i) => ({
        recordId: `${invocation}-${i}`,
        data: Buffer.from(r.Data as Uint8Array).toString('base64'),
        approximateArrivalTimestamp: r.ApproximateArrivalTimestamp?.getTime(),
        kinesisRecordMetadata: { partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber },
      })),
    };
    const { records } = await options.transform(event);
    const answered = records.map((r) => r.recordId);
    const asked = event.records.map((r) => r.recordId);
    if (JSON.stringify(answered) !== JSON.stringify(asked))
      throw new Error('the transform broke the Firehose contract: recordIds differ');
    const byPrefix = new Map<string, string[]>();
    records.forEach((r, i) => {
      if (r.result === 'Ok') {
        stats.ok++;
        const k = r.metadata?.partitionKeys;
        // The delivery stream's own prefix expression, evaluated as Firehose would.
        const prefix = archivePrefix.replace(
          /!\{partitionKeyFromLambda:(\w+)\}/g,
          (_, key: string) => (k as Record<string, string> | undefined)?.[key] ?? '',
        );
        byPrefix.set(prefix, [
          ...(byPrefix.get(prefix) ?? []),
          Buffer.from(r.data as string, 'base64').toString('utf8'),
        ]);
      } else if (r.result === 'Dropped') stats.dropped++;
      else {
        stats.processingFailed++;
        const original = event.records[i];
        const key = `errors/processing-failed/${new Date().toISOString().slice(0, 10)}/${objectName(options.runId, invocation)}-${i}.json`;
        byPrefix.set(key, [
          JSON.stringify({
            attemptsMade: 1,
            arrivalTimestamp: original.approximateArrivalTimestamp,
            errorCode: 'Lambda.ProcessingFailed',
            errorMessage: 'The record was marked ProcessingFailed by the transform',
            rawData: original.data,
          }),
        ]);
      }
    });
    for (const [prefix, parts] of byPrefix) {
      const key = prefix.endsWith('/') ? `${prefix}${objectName(options.runId, invocation)}.gz` : prefix;
      await options.s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: gzipSync(parts.join(prefix.endsWith('/') ? '' : '\n')),
        }),
      );
      stats.objects.push(key);
    }
    batch = [];
    size = 0;
  };
  for (const r of records) {
    const bytes = (r.Data as Uint8Array).length;
    if (batch.length && size + bytes > limit) await flush();
    batch.push(r);
    size += bytes;
  }
  await flush();
}
