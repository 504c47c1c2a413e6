import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { lambdaHeapFlags } from '../../../bench/function-runtime';
import { ALERTER_MEMORY_MB, INDEXER_MEMORY_MB } from '../../../contracts/function-runtime';

/**
 * Issue 21 §14: a batch of hostile records must not take a stream consumer past its memory. Each
 * batch runs through the real handler in a fresh process with the V8 heap flags Lambda gives the
 * function's memory size (bench/function-runtime.ts), and its peak RSS, which Lambda holds to the
 * memory size, must stay under it. Before the bound, `large` killed the indexer's heap, 100 bombs
 * were 100 GiB to inflate, and `tiny-events` peaked at 1,036 MB in the indexer.
 */
const repoRoot = path.resolve(__dirname, '..', '..', '..');

function peakRssMb(consumer: 'indexer' | 'alerter', batch: string, memoryMb: number): number {
  const run = spawnSync(
    process.execPath,
    [
      ...lambdaHeapFlags(memoryMb),
      '--import',
      'tsx',
      path.join(__dirname, 'memory-child.ts'),
      consumer,
      batch,
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const lines = run.stdout.trim().split('\n');
  const peak = /^peak-rss-mb (\d+)$/.exec(lines.at(-1) ?? '');
  if (run.status !== 0 || !peak) throw new Error(`${consumer} ${batch} failed:\n${run.stderr.slice(-2000)}`);
  // Every record was answered, and none failed for want of memory.
  expect(JSON.parse(lines.at(-2) as string)).toEqual({ batchItemFailures: [] });
  return Number(peak[1]);
}

describe('stream consumers stay inside their memory under hostile batches (issue 21 §14)', () => {
  it.each([
    ['indexer', 'bombs', INDEXER_MEMORY_MB],
    ['indexer', 'large', INDEXER_MEMORY_MB],
    ['indexer', 'tiny-events', INDEXER_MEMORY_MB],
    ['alerter', 'bombs', ALERTER_MEMORY_MB],
    ['alerter', 'tiny-events', ALERTER_MEMORY_MB],
  ] as const)('%s, batch %s: peak RSS under %i MB', (consumer, batch, memoryMb) => {
    expect(peakRssMb(consumer, batch, memoryMb)).toBeLessThan(memoryMb);
  });
});
