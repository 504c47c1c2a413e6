/**
 * A CPU profile of the transform (or of the floor) on the benchmark's corpus events, as Lambda
 * runs it (the esbuild bundle): `BENCH_NO_MINIFY=1 npx tsx bench/profile.ts`, then open the
 * written `.cpuprofile` in Chrome DevTools or VS Code. The profiler starts after a warm-up run,
 * so building the events and compiling are not in it.
 *
 * MB (default 20): input size; ROUNDS (3); GROUP: only this corpus log group (e.g.
 * vpc-flow-logs); FLOOR=1: profile the lossless floor instead; OUT: where to write the profile.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { gunzipSync } from 'node:zlib';
import { names } from '../contracts/names';
import { TrustTable } from '../contracts/trusted-sources';
import type { FirehoseTransformEvent } from '../functions/transform/transform';
import { bundledTransform } from './bundled-transform';
import { corpusFirehoseEvents } from './corpus-batch';

const { transformFirehoseEvent, FlowLogFormatRegistry } = bundledTransform();
const kinesis = new KinesisClient({ region: 'eu-west-1' });
const formats = new FlowLogFormatRegistry();
const trust = new TrustTable([
  { kind: 'cloudtrail', logGroup: 'aws-cloudtrail-logs', owner: '123456789012' },
  { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: '123456789012' },
]);

/** The same floor as transform.bench.ts. */
function floor(event: FirehoseTransformEvent): void {
  for (const r of event.records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8'));
    let ndjson = '';
    for (const e of payload.logEvents) {
      const m: string = e.message;
      const parsed: unknown = m.startsWith('{') ? JSON.parse(m) : m;
      ndjson += JSON.stringify({ event: parsed, raw_data: m }) + '\n';
    }
    Buffer.from(ndjson).toString('base64');
  }
}

async function main() {
  const events = corpusFirehoseEvents(Number(process.env.MB ?? 20) * 1024 * 1024, 50, 500, process.env.GROUP);
  const run = async () => {
    for (const e of events) {
      if (process.env.FLOOR === '1') floor(e);
      else
        await transformFirehoseEvent(e, {
          formats,
          trust,
          kinesis,
          maxResponseBytes: Number.MAX_SAFE_INTEGER,
        });
    }
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
