/**
 * `npm run bench`: throughput of the Firehose transform against the floor any transform pays
 * (decode, gunzip, parse, stringify, encode), measured in the same run on the same real data,
 * and the peak RSS of transforming one 6 MB Firehose event in a fresh process.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { names } from '../contracts/names';
import { TrustTable } from '../contracts/trusted-sources';
import { FlowLogFormatRegistry } from '../functions/shared/flow-log-formats';
import { FirehoseTransformEvent, transformFirehoseEvent } from '../functions/transform/transform';
import { corpusFirehoseEvents, inputBytes } from './corpus-batch';

const kinesis = new KinesisClient({ region: 'eu-west-1' });
const formats = new FlowLogFormatRegistry();
/** The corpus' CloudTrail and findings groups, trusted as an organization's would be: the full mapping is measured. */
const trust = new TrustTable([
  { kind: 'cloudtrail', logGroup: 'aws-cloudtrail-logs', owner: '123456789012' },
  { kind: 'guardduty', logGroup: names.guardDutyFindingsLogGroup, owner: '123456789012' },
]);

/** The floor: what any transform of this data must do at least. */
function floor(event: FirehoseTransformEvent): number {
  let out = 0;
  for (const r of event.records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8'));
    let ndjson = '';
    for (const e of payload.logEvents) {
      const m: string = e.message;
      ndjson += JSON.stringify(m.startsWith('{') ? JSON.parse(m) : m) + '\n';
    }
    out += Buffer.from(ndjson).toString('base64').length;
  }
  return out;
}

async function full(event: FirehoseTransformEvent): Promise<number> {
  const { records } = await transformFirehoseEvent(event, {
    formats,
    trust,
    kinesis,
    maxResponseBytes: Number.MAX_SAFE_INTEGER,
  });
  return records.reduce((s, r) => s + (r.data?.length ?? 0), 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throughput() {
  const events = corpusFirehoseEvents(50 * 1024 * 1024);
  const mb = inputBytes(events) / 1024 / 1024;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const a: number[] = [];
  const b: number[] = [];
  // Interleaved rounds: both sides see the same machine noise.
  for (let round = 0; round < rounds + 1; round++) {
    let t = process.hrtime.bigint();
    for (const e of events) floor(e);
    const ta = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    for (const e of events) await full(e);
    const tb = Number(process.hrtime.bigint() - t) / 1e9;
    if (round > 0) {
      a.push(mb / ta);
      b.push(mb / tb);
    }
  }
  return { mb, rounds, floor: median(a), full: median(b), ratios: a.map((x, i) => b[i] / x) };
}

function peakRss(): number {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--peak-rss'], {
    encoding: 'utf8',
  });
  return Number(out.trim());
}

/** Stands in for Kinesis in the RSS run: records that do not fit the response are re-ingested. */
const acceptingKinesis = {
  send: async (command: { input: { Records: unknown[] } }) => ({
    FailedRecordCount: 0,
    Records: command.input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-0' })),
  }),
} as unknown as KinesisClient;

async function peakRssChild() {
  const [event] = corpusFirehoseEvents(6 * 1000 * 1000, 50, 100_000);
  const { records } = await transformFirehoseEvent(event, { formats, trust, kinesis: acceptingKinesis });
  if (Buffer.byteLength(JSON.stringify({ records })) > 6_000_000)
    throw new Error('response over 6,000,000 bytes');
  console.log(Math.round(process.resourceUsage().maxRSS / 1024));
}

async function main() {
  if (process.argv.includes('--peak-rss')) return peakRssChild();
  const t = await throughput();
  const rss = peakRss();
  const ratio = t.full / t.floor;
  const rows = [
    ['input (base64, real corpus events)', `${t.mb.toFixed(1)} MB`, ''],
    ['(a) floor: decode+gunzip+parse+stringify+encode', `${t.floor.toFixed(1)} MB/s`, ''],
    ['(b) full transform (classify, OCSF, ids, NDJSON)', `${t.full.toFixed(1)} MB/s`, ''],
    [
      'ratio b/a (median of rounds)',
      ratio.toFixed(2),
      ratio >= 0.6 ? 'target ≥ 0.6: met' : 'target ≥ 0.6: MISSED',
    ],
    ['ratio b/a per round', t.ratios.map((r) => r.toFixed(2)).join(' '), ''],
    [
      'peak RSS, one 6 MB Firehose event (fresh process)',
      `${rss} MB`,
      rss < 300 ? 'target < 300 MB: met' : 'target < 300 MB: MISSED',
    ],
  ];
  console.log(`logwarden transform benchmark (node ${process.version}, ${t.rounds} interleaved rounds)\n`);
  console.log('| measure | value | |\n| --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
