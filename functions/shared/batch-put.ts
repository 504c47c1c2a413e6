import { backoffDelayMs, sleep as realSleep } from './backoff';

/** What one batch-put call may hold: entries a request, bytes a request, bytes an entry. */
export interface BatchLimits {
  maxEntries: number;
  maxBytes: number;
  maxEntryBytes: number;
}

export interface BatchRetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Groups entries, by their sizes in bytes, into consecutive requests of at most `maxEntries`
 * entries and `maxBytes` bytes. Returns the indexes of each request's entries. An entry larger
 * than `maxBytes` alone is a request of its own: the caller refuses such entries before.
 */
export function requestChunks(sizes: readonly number[], maxEntries: number, maxBytes: number): number[][] {
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

/**
 * Puts entries with a batch call that answers one result per entry, in order (Kinesis
 * PutRecords, Firehose PutRecordBatch), within `limits`. Only the entries a call answers with an
 * error are retried, with full-jitter backoff; a call that throws (throttled, 5xx) retries its
 * whole request. An entry over `maxEntryBytes` is never sent: AWS would refuse the whole call.
 * `send` puts the entries of one request and returns one answer per entry: undefined when it
 * landed, else the error it was answered with. Reports, per entry, whether it landed.
 */
export async function putBatchesWithRetry(
  sizes: readonly number[],
  limits: BatchLimits,
  send: (indexes: number[]) => Promise<(string | undefined)[]>,
  options: BatchRetryOptions = {},
): Promise<{ landed: boolean[]; attempts: number; lastError?: string }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? realSleep;
  const landed = sizes.map(() => false);
  let attempts = 0;
  let lastError: string | undefined;
  let pending: number[] = [];
  let tooLarge = 0;
  sizes.forEach((size, i) => (size > limits.maxEntryBytes ? tooLarge++ : pending.push(i)));
  if (tooLarge) lastError = `${tooLarge} entries over the ${limits.maxEntryBytes}-byte record size, not sent`;
  while (pending.length && attempts < maxAttempts) {
    if (attempts > 0) await sleep(backoffDelayMs(attempts, options.baseDelayMs ?? 100));
    attempts++;
    const failed: number[] = [];
    for (const chunk of requestChunks(
      pending.map((i) => sizes[i]),
      limits.maxEntries,
      limits.maxBytes,
    )) {
      const indexes = chunk.map((c) => pending[c]);
      try {
        const errors = await send(indexes);
        indexes.forEach((i, j) => {
          const error = errors[j];
          if (error === undefined) landed[i] = true;
          else {
            failed.push(i);
            lastError = error;
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
