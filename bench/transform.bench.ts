/**
 * `npm run bench`: throughput of the Firehose transform against the floor any lossless
 * normalizer pays, measured interleaved in the same process on the same real corpus events; the
 * response bytes per input byte; and the peak RSS of transforming one 6 MB Firehose event in a
 * fresh process. It runs in a child with the functions' Node.js major and Lambda's heap flags
 * (bench/function-runtime.ts); the floor and the transform are defined in bench/sides.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundle } from './bundled-transform';
import type { FirehoseTransformEvent } from '../functions/transform/transform';
import { corpusFirehoseEvents, corpusRecords, firehoseEvents, inputBytes } from './corpus-batch';
import { benchSources, type BenchSource } from './sources';
import { benchHeapFlags, onFunctionRuntime, runAsFunctionRuntime, runtimeNote } from './function-runtime';

/** The two sides, loaded once in the benchmark's child (bundling and loading the transform). */
const sides = async () => import('./sides');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Throughput {
  mb: number;
  rounds: number;
  /** MB of input per wall-clock second, median of rounds. */
  floor: number;
  full: number;
  /** Transform / floor throughput per round, by wall-clock time. */
  ratios: number[];
  /** The same by the process's CPU time (user + system, all threads: GC's helpers too). */
  cpuRatios: number[];
  bytesPerInputByte: number;
  floorBytesPerInputByte: number;
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * The floor against the transform (or against `against`, another side measured the same way),
 * interleaved event by event.
 */
async function throughput(
  events: FirehoseTransformEvent[],
  rounds: number,
  against?: (e: FirehoseTransformEvent) => number,
): Promise<Throughput> {
  const { floor, transformed: transform } = await sides();
  const transformed = against ? async (e: FirehoseTransformEvent) => against(e) : transform;
  const mb = inputBytes(events) / 1024 / 1024;
  const a: number[] = [];
  const b: number[] = [];
  const cpuRatios: number[] = [];
  let outBytes = 0;
  let floorBytes = 0;
  // Interleaved event by event (about 3 MB each), the side that goes first alternating: both
  // sides see the same machine noise (the machine is shared), and neither always runs right
  // after the other's garbage. Round 0 warms up both and is not counted.
  for (let round = 0; round < rounds + 1; round++) {
    let wallFloor = 0n;
    let wallFull = 0n;
    let cpuFloor = 0;
    let cpuFull = 0;
    floorBytes = 0;
    outBytes = 0;
    for (const [i, e] of events.entries()) {
      for (const side of (i + round) % 2 ? ['floor', 'full'] : ['full', 'floor']) {
        const cpu = cpuMicros();
        const t = process.hrtime.bigint();
        if (side === 'floor') {
          floorBytes += floor(e);
          wallFloor += process.hrtime.bigint() - t;
          cpuFloor += cpuMicros() - cpu;
        } else {
          outBytes += await transformed(e);
          wallFull += process.hrtime.bigint() - t;
          cpuFull += cpuMicros() - cpu;
        }
      }
    }
    if (round > 0) {
      a.push(mb / (Number(wallFloor) / 1e9));
      b.push(mb / (Number(wallFull) / 1e9));
      cpuRatios.push(cpuFloor / cpuFull);
    }
  }
  const inBytes = inputBytes(events);
  return {
    mb,
    rounds,
    floor: median(a),
    full: median(b),
    ratios: a.map((x, i) => b[i] / x),
    cpuRatios,
    bytesPerInputByte: outBytes / inBytes,
    floorBytesPerInputByte: floorBytes / inBytes,
  };
}

/** Peak RSS of the function on one 6 MB Firehose event, in a fresh process (peak-rss-child.ts). */
function peakRss(): number {
  const [event] = corpusFirehoseEvents(6 * 1000 * 1000, 50, 100_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logwarden-bench-'));
  try {
    const file = path.join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(event));
    const child = bundle('peak-rss-child', { entry: 'peak-rss-child.ts' });
    const out = execFileSync(process.execPath, [...benchHeapFlags(), child, file], { encoding: 'utf8' });
    const mb = /^peak-rss-mb (\d+)$/m.exec(out);
    if (!mb) throw new Error(`the peak-RSS child printed no figure:\n${out}`);
    return Number(mb[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const pct = (x: number) => `${(100 * x).toFixed(x && x < 0.001 ? 2 : 1)} %`;

/**
 * `--per-source`: the same measures for 10 MB of each source alone (bench/sources.ts) and for
 * their mix weighted by the scale model's volumes; then, at the deployed response limit and
 * processor buffer, the share of each source's records the transform re-ingests and the bytes
 * that puts back into the stream.
 */
async function perSource() {
  const { atDeployedLimit } = await sides();
  const { PROCESSOR_BUFFER_MB, CENTRAL_STREAM_DECOMPRESSES } =
    await import('../stacks/central/firehose-archive');
  const sources = benchSources();
  const weightSum = sources.reduce((s, x) => s + x.dailyBytes, 0);
  const mix = {
    name: 'mix weighted by the scale model',
    records: (mb: number) =>
      corpusRecords(
        mb * 1024 * 1024,
        sources.map((s) => ({ ...s, weight: s.dailyBytes })),
      ),
  };
  // BENCH_SOURCE=<name prefix>: that source's rows alone (`mix`: the mix's; a quick look: the targets need all rows).
  const only = process.env.BENCH_SOURCE;
  const selected = (name: string) => only === undefined || name.startsWith(only);
  const alone = (s: BenchSource) => (mb: number) => corpusRecords(mb * 1024 * 1024, [{ ...s, weight: 1 }]);
  const rows = [
    ...sources
      .filter((s) => selected(s.name))
      .map((s) => ({
        name: `${s.name} (${s.dailyBytes ? pct(s.dailyBytes / weightSum) : 'not in the model'})`,
        records: alone(s),
      })),
    ...(selected(mix.name) ? [mix] : []),
  ];
  const bufferBytes = PROCESSOR_BUFFER_MB * 1024 * 1024;
  console.log(`logwarden transform benchmark per source (${runtimeNote()}, ${rounds} interleaved rounds)\n`);
  console.log(
    `| source (share of the model's bytes) | ratio b/a (median) | per round | by CPU time (median; per round) | response bytes per input byte (floor) | at 6,000,000 B and a ${PROCESSOR_BUFFER_MB} MB buffer${CENTRAL_STREAM_DECOMPRESSES ? ' of decompressed records' : ''}: records re-ingested | extra stream bytes | response B per ${CENTRAL_STREAM_DECOMPRESSES ? 'decompressed' : 'stream'} B sent |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  let missed = 0;
  for (const row of rows) {
    const t = await throughput(firehoseEvents(row.records(10), 500), rounds);
    const d = await atDeployedLimit(row.records(8), bufferBytes, CENTRAL_STREAM_DECOMPRESSES);
    const ratio = median(t.ratios);
    if (ratio < 0.8 || d.reingested / d.records >= 0.01) missed++;
    console.log(
      `| ${row.name} | ${ratio.toFixed(2)} | ${t.ratios.map((r) => r.toFixed(2)).join(' ')} | ${median(t.cpuRatios).toFixed(2)}; ${t.cpuRatios.map((r) => r.toFixed(2)).join(' ')} | ${t.bytesPerInputByte.toFixed(1)} (${t.floorBytesPerInputByte.toFixed(1)}) | ${pct(d.reingested / d.records)} of ${d.records} (${d.invocations} invocations${d.processingFailed ? `, ${d.processingFailed} failed` : ''}${d.decompressionFailed ? `, ${d.decompressionFailed} not decompressed` : ''}) | ${pct(d.extraBytes / d.streamBytes)} | ${(d.responseBytes / d.handedBytes).toFixed(2)} |`,
    );
  }
  // The bounds (bench/sides.ts documentBound, mixBound): what no valid writer of the documents can beat.
  const { documentBound, mixBound } = await sides();
  const bounds = [
    ...sources
      .filter((s) => (s.flowFormat || s.application || s.guardDuty) && selected(s.name))
      .map((s) => ({
        name: s.name,
        records: alone(s),
        side: (search: boolean) => documentBound(s, search),
      })),
    ...(selected(mix.name)
      ? [{ name: mix.name, records: mix.records, side: (search: boolean) => mixBound(sources, search) }]
      : []),
  ];
  if (bounds.length) {
    console.log(
      `\nthe bound: the floor against a writer of only what OCSF 1.1.0 requires (+ raw_data), nothing checked, and the same with what a search needs (flow records: ports, protocol, bytes, packets; application lines: the searchable message, a JSON line's fields, the account and log group; GuardDuty, whose every document also holds the product's canonical content key in metadata.uid: the finding's arn, title, severity band and account); the mix with CloudTrail written by the floor's own writer\n`,
    );
    console.log(
      '| source | required only: ratio (per round) | response B per input B | with search fields: ratio (per round) | response B per input B |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    const cell = (t: Throughput) =>
      `${median(t.ratios).toFixed(2)} (${t.ratios.map((r) => r.toFixed(2)).join(' ')}); CPU ${median(t.cpuRatios).toFixed(2)} | ${t.bytesPerInputByte.toFixed(1)}`;
    for (const b of bounds) {
      const events = firehoseEvents(b.records(10), 500);
      const bare = await throughput(events, rounds, b.side(false));
      const searchable = await throughput(events, rounds, b.side(true));
      console.log(`| ${b.name} | ${cell(bare)} | ${cell(searchable)} |`);
    }
  }
  console.log(
    `\ntargets (every source and the mix ≥ 0.8×, under 1 % re-ingested): ${!onFunctionRuntime() ? 'not measured (another Node.js major)' : missed ? `MISSED in ${missed} of ${rows.length} rows` : 'met'}`,
  );
}

async function main() {
  const code = runAsFunctionRuntime(__filename);
  if (code !== undefined) process.exit(code);
  if (process.argv.includes('--per-source')) return perSource();
  const t = await throughput(corpusFirehoseEvents(50 * 1024 * 1024), rounds);
  const rss = peakRss();
  const ratio = median(t.ratios);
  const measured = onFunctionRuntime();
  const rows = [
    ['input (base64, real corpus events)', `${t.mb.toFixed(1)} MB`, ''],
    [
      '(a) lossless floor: decode+gunzip, parse, stringify event+raw line, base64',
      `${t.floor.toFixed(1)} MB/s`,
      '',
    ],
    ['(b) full transform (classify, OCSF 1.1.0, ids, NDJSON)', `${t.full.toFixed(1)} MB/s`, ''],
    [
      "ratio b/a (median of the rounds' ratios)",
      ratio.toFixed(2),
      !measured
        ? 'target ≥ 0.8: not measured (another Node.js major)'
        : ratio >= 0.8
          ? 'target ≥ 0.8: met'
          : 'target ≥ 0.8: MISSED',
    ],
    ['ratio b/a per round', t.ratios.map((r) => r.toFixed(2)).join(' '), ''],
    [
      'ratio b/a by CPU time (median; per round)',
      `${median(t.cpuRatios).toFixed(2)}; ${t.cpuRatios.map((r) => r.toFixed(2)).join(' ')}`,
      '',
    ],
    [
      'response bytes per input byte (base64 out / base64 in)',
      t.bytesPerInputByte.toFixed(2),
      `floor writes ${t.floorBytesPerInputByte.toFixed(2)}`,
    ],
    [
      'peak RSS, one 6 MB Firehose event (fresh process)',
      `${rss} MB`,
      !measured
        ? 'target < 300 MB: not measured (another Node.js major)'
        : rss < 300
          ? 'target < 300 MB: met'
          : 'target < 300 MB: MISSED',
    ],
  ];
  console.log(`logwarden transform benchmark (${runtimeNote()}, ${t.rounds} interleaved rounds)\n`);
  console.log('| measure | value | |\n| --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
