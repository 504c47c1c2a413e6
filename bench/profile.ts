/**
 * A CPU profile of the transform (or of the floor) on the benchmark's corpus events, as Lambda
 * runs it (the esbuild bundle, on the functions' Node.js major with Lambda's heap flags:
 * bench/function-runtime.ts): `BENCH_NO_MINIFY=1 npx tsx bench/profile.ts`, then open the
 * written `.cpuprofile` (relative to the repository) in Chrome DevTools or VS Code. The profiler
 * starts after a warm-up run, so building the events and compiling are not in it.
 *
 * MB (default 20): input size; ROUNDS (3); GROUP: only this corpus log group (e.g.
 * vpc-flow-logs); FLOOR=1: profile the lossless floor instead; BOUND=required or BOUND=search:
 * profile the bound of GROUP's benchmark source instead (bench/sides.ts documentBound, GROUP
 * required); OUT: where to write the profile.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { corpusFirehoseEvents } from './corpus-batch';
import { runAsFunctionRuntime, runtimeNote } from './function-runtime';
import { benchSources } from './sources';

async function main() {
  const code = runAsFunctionRuntime(__filename);
  if (code !== undefined) process.exit(code);
  console.log(runtimeNote());
  const { floor, transformed, documentBound } = await import('./sides');
  const events = corpusFirehoseEvents(Number(process.env.MB ?? 20) * 1024 * 1024, 50, 500, process.env.GROUP);
  const bound = process.env.BOUND;
  let side: (e: (typeof events)[number]) => unknown = process.env.FLOOR === '1' ? floor : transformed;
  if (bound !== undefined) {
    if (bound !== 'required' && bound !== 'search')
      throw new Error(`BOUND is required or search, not ${bound}`);
    const source = benchSources().find((s) => s.logGroup === process.env.GROUP);
    if (!source) throw new Error(`BOUND needs GROUP, the log group of a benchmark source`);
    side = documentBound(source, bound === 'search');
  }
  const run = async () => {
    for (const e of events) await side(e);
  };
  await run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    const t = process.hrtime.bigint();
    await run();
    console.log(`round ${round}: ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`);
  }
  const { profile } = await session.post('Profiler.stop');
  const out = process.env.OUT ?? 'transform.cpuprofile';
  writeFileSync(out, JSON.stringify(profile));
  console.log(`profile written to ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
