/**
 * The Lambda runtime every logwarden function runs on, and the syntax its bundles target. The
 * stacks deploy the functions with them (stacks/node-function.ts), and the benchmarks measure on
 * the same Node.js major and bundle the same way (bench/).
 */
export const FUNCTION_RUNTIME_NAME = 'nodejs24.x';
/** esbuild's target: Node.js 22 syntax, valid on the runtime's 24 and on 22 should it be rolled back. */
export const FUNCTION_BUNDLE_TARGET = 'node22';
/**
 * Memory of the Firehose transform function (stacks/central/firehose-archive.ts). Lambda sizes
 * the function's V8 heap from it, so the benchmarks run the transform with that heap.
 */
export const TRANSFORM_MEMORY_MB = 1024;
/**
 * Memory of the indexer and the alerter (stacks/central/stream-consumers.ts). Each reads a batch
 * of up to 100 records at once; how much of it they may hold decoded follows from these
 * (DECODE_BUDGET_BYTES in their handlers), and test/functions/consumers/memory.test.ts runs
 * adversarial batches with Lambda's heap flags for these sizes.
 */
export const INDEXER_MEMORY_MB = 1024;
export const ALERTER_MEMORY_MB = 512;
/** The alerter's timeout (stacks/central/stream-consumers.ts); its claims outlive it (functions/alerter). */
export const ALERTER_TIMEOUT_SECONDS = 60;

/**
 * Timeouts of every AWS SDK client a function builds (functions/shared/clients.ts): a dependency
 * that never answers fails the call, which the function logs and counts, instead of holding the
 * function until Lambda ends it. A connection must open within the first, and a request must
 * see data again within the second (the socket's idle time, so a long answer still streams).
 */
export const SDK_CONNECTION_TIMEOUT_MS = 3_000;
export const SDK_REQUEST_TIMEOUT_MS = 5_000;
/** Attempts per SDK call, the first included (the cores retry with their own backoff where it matters). */
export const SDK_MAX_ATTEMPTS = 3;
/**
 * The longest one SDK call can take, every attempt included: the SDK's standard retry waits
 * under a second between three attempts. Every function's timeout must be longer
 * (stacks/node-function.ts refuses a shorter one), so a call that times out is still reported.
 */
export const SDK_CALL_MAX_MS =
  SDK_MAX_ATTEMPTS * (SDK_CONNECTION_TIMEOUT_MS + SDK_REQUEST_TIMEOUT_MS) + 1_000;
/** The OpenSearch client's timeout for one request, `_bulk` bodies of up to 5 MiB included. */
export const SEARCH_REQUEST_TIMEOUT_MS = 15_000;
