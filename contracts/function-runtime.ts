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
