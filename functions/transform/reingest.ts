import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createHash } from 'node:crypto';
import { putBatchesWithRetry, type BatchRetryOptions } from '../shared/batch-put';

export interface ReingestEntry {
  data: Uint8Array;
  partitionKey: string;
}

export type ReingestOptions = BatchRetryOptions;

/** PutRecords takes at most 500 entries and 5 MiB a call. */
const MAX_ENTRIES = 500;
const MAX_BYTES = 5 * 1024 * 1024;
/**
 * One entry: "When the data blob (the payload before base64-encoding) is added to the partition
 * key size, the total size must not exceed the maximum record size (1 MiB)" (Kinesis API
 * Reference, PutRecordsRequestEntry.Data). An entry over it makes AWS refuse the whole call, so
 * it is never sent: it alone fails, and its record with it.
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;
/** PutRecordsRequestEntry.PartitionKey: "with a maximum length limit of 256 characters". */
export const MAX_PARTITION_KEY_CHARS = 256;

/**
 * A partition key Kinesis takes: the key itself when it has 1 to 256 characters, else its
 * SHA-256 in hex (64 characters), the same for the same key, so the parts of one payload still
 * share a shard. A CloudWatch Logs stream name, the fallback key, may have 512.
 */
export function boundedPartitionKey(key: string): string {
  if (key.length >= 1 && key.length <= MAX_PARTITION_KEY_CHARS) return key;
  return createHash('sha256').update(key).digest('hex');
}

const entryBytes = (e: ReingestEntry) => e.data.length + Buffer.byteLength(e.partitionKey);

/**
 * Puts entries into a stream and reports, per entry, whether it landed: PutRecords within its
 * 500 entries and 5 MiB a call, retrying only the entries it answers with an ErrorCode
 * (functions/shared/batch-put.ts). An entry over the record size is never sent.
 */
export async function putRecordsWithRetry(
  kinesis: KinesisClient,
  streamArn: string,
  entries: ReingestEntry[],
  options: ReingestOptions = {},
): Promise<{ landed: boolean[]; attempts: number; lastError?: string }> {
  return putBatchesWithRetry(
    entries.map(entryBytes),
    { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES, maxEntryBytes: MAX_ENTRY_BYTES },
    async (indexes) => {
      const res = await kinesis.send(
        new PutRecordsCommand({
          StreamARN: streamArn,
          Records: indexes.map((i) => ({ Data: entries[i].data, PartitionKey: entries[i].partitionKey })),
        }),
      );
      return indexes.map((_, j) => {
        const r = res.Records?.[j];
        if (r && !r.ErrorCode && r.SequenceNumber) return undefined;
        return r?.ErrorCode ? `${r.ErrorCode}: ${r.ErrorMessage ?? ''}` : 'no result for entry';
      });
    },
    options,
  );
}
