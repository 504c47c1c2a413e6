import { KinesisClient, PutRecordsCommand, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { createHash } from 'node:crypto';
import { backoffDelayMs, sleep as realSleep } from '../shared/backoff';

export interface ReingestEntry {
  data: Uint8Array;
  partitionKey: string;
}

export interface ReingestOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

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
 * Groups entries, by their sizes in bytes, into consecutive requests of at most `maxEntries`
 * entries and `maxBytes` bytes (PutRecords' 500 and 5 MiB by default; Firehose's PutRecordBatch
 * has its own). Returns the indexes of each request's entries. An entry larger than `maxBytes`
 * alone is a request of its own: the caller refuses such entries before.
 */
export function requestChunks(
  sizes: readonly number[],
  maxEntries: number = MAX_ENTRIES,
  maxBytes: number = MAX_BYTES,
): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  sizes.forEach((size, i) => {
    if (current.length && (current.length === maxEntries || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length) out.push(current);
  return out;
}

const chunks = (entries: ReingestEntry[]) => requestChunks(entries.map(entryBytes));

/**
 * Puts entries into a stream and reports, per entry, whether it landed. Only the entries that
 * PutRecords reports with an ErrorCode are retried, with full-jitter backoff; a call that
 * throws (throttled, 5xx) retries its whole chunk. An entry over the record size is never sent.
 */
export async function putRecordsWithRetry(
  kinesis: KinesisClient,
  streamArn: string,
  entries: ReingestEntry[],
  options: ReingestOptions = {},
): Promise<{ landed: boolean[]; attempts: number; lastError?: string }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? realSleep;
  const landed = entries.map(() => false);
  let attempts = 0;
  let lastError: string | undefined;
  let pending: number[] = [];
  let tooLarge = 0;
  entries.forEach((e, i) => (entryBytes(e) > MAX_ENTRY_BYTES ? tooLarge++ : pending.push(i)));
  if (tooLarge) lastError = `${tooLarge} entries over the ${MAX_ENTRY_BYTES}-byte record size, not sent`;
  while (pending.length && attempts < maxAttempts) {
    if (attempts > 0) await sleep(backoffDelayMs(attempts, options.baseDelayMs ?? 100));
    attempts++;
    const failed: number[] = [];
    for (const chunk of chunks(pending.map((i) => entries[i]))) {
      const indexes = chunk.map((c) => pending[c]);
      const request: PutRecordsRequestEntry[] = indexes.map((i) => ({
        Data: entries[i].data,
        PartitionKey: entries[i].partitionKey,
      }));
      try {
        const res = await kinesis.send(new PutRecordsCommand({ StreamARN: streamArn, Records: request }));
        const results = res.Records ?? [];
        indexes.forEach((entryIndex, j) => {
          const r = results[j];
          if (r && !r.ErrorCode && r.SequenceNumber) landed[entryIndex] = true;
          else {
            failed.push(entryIndex);
            lastError = r?.ErrorCode ? `${r.ErrorCode}: ${r.ErrorMessage ?? ''}` : 'no result for entry';
          }
        });
      } catch (err) {
        failed.push(...indexes);
        lastError = `${(err as Error).name}: ${(err as Error).message}`;
      }
    }
    pending = failed;
  }
  return { landed, attempts, lastError };
}
