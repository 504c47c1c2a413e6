import { KinesisClient, PutRecordsCommand, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
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

function chunks(entries: ReingestEntry[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  entries.forEach((e, i) => {
    const size = e.data.length + Buffer.byteLength(e.partitionKey);
    if (current.length && (current.length === MAX_ENTRIES || bytes + size > MAX_BYTES)) {
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

/**
 * Puts entries into a stream and reports, per entry, whether it landed. Only the entries that
 * PutRecords reports with an ErrorCode are retried, with full-jitter backoff; a call that
 * throws (throttled, 5xx) retries its whole chunk.
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
  let pending = entries.map((_, i) => i);
  let attempts = 0;
  let lastError: string | undefined;
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
