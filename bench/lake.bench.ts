/**
 * Bytes the archive stores, JSON against Parquet (`npm run bench:lake`): per input byte (the log
 * lines as they arrived, `raw_data`) and per event, on two mixes:
 *
 * - the corpus mix: every document the transform makes of the vendored corpus (CloudTrail,
 *   GuardDuty, flow logs, application logs, parse errors);
 * - a flow-heavy mix: 9 in 10 events VPC flow records (AWS's default format, generated with a
 *   seeded generator: addresses, ports, counts and times vary as in a real VPC), the rest the
 *   corpus' other events, since flow logs are most of an organization's volume.
 *
 * JSON is today's archive: newline-delimited documents, GZIP (the delivery stream's
 * CompressionFormat). Parquet is what Firehose's conversion writes with the lake table as schema
 * (local/lake-parquet.ts), with each compression its ParquetSerDe offers.
 */
import { gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import type { OcsfDocument } from '../functions/shared/ocsf/document';
import { FlowLogFormatRegistry } from '../functions/shared/flow-log-formats';
import { normalizePayload } from '../functions/shared/normalize';
import { namedQueries } from '../contracts/lake';
import { cwlPayload } from '../local/corpus';
import { documentsToParquet, type ParquetCodec } from '../local/lake-parquet';
import { corpusDocuments } from '../test/ocsf/corpus-documents';
import { testTrust } from '../test/fixtures/trust';

export interface MixMeasure {
  mix: string;
  events: number;
  inputBytes: number;
  stored: Record<'json-gzip' | `parquet-${Lowercase<ParquetCodec>}`, number>;
  /** Bytes of the archive's Parquet each named query reads: only the columns it names. */
  scanned: Record<string, number>;
}

/** The Parquet bytes of the columns a query names (column chunks' compressed sizes). */
export function columnBytes(parquet: Uint8Array, sql: string): number {
  const file = parquet.buffer.slice(
    parquet.byteOffset,
    parquet.byteOffset + parquet.byteLength,
  ) as ArrayBuffer;
  const meta = parquetMetadata(file);
  let n = 0;
  for (const group of meta.row_groups)
    for (const chunk of group.columns) {
      const name = chunk.meta_data!.path_in_schema[0];
      if (new RegExp(`\\b${name}\\b`).test(sql)) n += Number(chunk.meta_data!.total_compressed_size);
    }
  return n;
}

/** A small deterministic generator (mulberry32), so every run measures the same flows. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` default-format (version 2) flow records of a few VPCs over one hour. */
export function generatedFlowLines(count: number, seed = 25): string[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const accounts = ['444444444444', '555555555555', '666666666666'];
  const enis = Array.from({ length: 200 }, (_, i) => `eni-0${(0x1a2b3c4d5e + i * 7919).toString(16)}`);
  const inside = Array.from({ length: 2000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${1 + (i % 250)}`);
  const outside = Array.from(
    { length: 500 },
    () =>
      `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`,
  );
  const ports = [443, 443, 443, 80, 22, 3389, 53, 123, 5432, 3306, 6379, 8080];
  const start = 1732800000;
  return Array.from({ length: count }, (_, i) => {
    const inbound = r() < 0.4;
    const local = pick(inside);
    const remote = r() < 0.5 ? pick(inside) : pick(outside);
    const service = pick(ports);
    const ephemeral = 32768 + Math.floor(r() * 28000);
    const [src, dst, sport, dport] = inbound
      ? [remote, local, ephemeral, service]
      : [local, remote, ephemeral, service];
    const protocol = service === 53 || service === 123 ? 17 : 6;
    const packets = 1 + Math.floor(r() ** 3 * 5000);
    const bytes = packets * (40 + Math.floor(r() * 1400));
    const t0 = start + Math.floor((i / count) * 3600);
    const action = r() < 0.1 ? 'REJECT' : 'ACCEPT';
    return `2 ${pick(accounts)} ${pick(enis)} ${src} ${dst} ${sport} ${dport} ${protocol} ${packets} ${bytes} ${t0} ${t0 + 60} ${action} OK`;
  });
}

/** The transform's documents of generated flow lines, 1,000 events a payload. */
function flowDocuments(count: number): OcsfDocument[] {
  const lines = generatedFlowLines(count);
  const out: OcsfDocument[] = [];
  for (let i = 0; i < lines.length; i += 1000)
    out.push(
      ...normalizePayload(
        cwlPayload(lines.slice(i, i + 1000), { logGroup: 'flows', timestamp: 1732800000000 }),
        new FlowLogFormatRegistry(),
        testTrust,
      ),
    );
  return out;
}

export function measure(mix: string, docs: readonly OcsfDocument[]): MixMeasure {
  // As archived: each document as JSON, parsed back (undefined attributes gone).
  const json = docs.map((d) => JSON.stringify(d));
  const parsed = json.map((l) => JSON.parse(l) as Record<string, unknown>);
  const parquet = documentsToParquet(parsed);
  return {
    mix,
    events: docs.length,
    inputBytes: docs.reduce((n, d) => n + Buffer.byteLength(d.raw_data), 0),
    stored: {
      'json-gzip': gzipSync(json.map((l) => `${l}\n`).join('')).length,
      'parquet-snappy': documentsToParquet(parsed, 'SNAPPY').length,
      'parquet-gzip': documentsToParquet(parsed, 'GZIP').length,
    },
    scanned: Object.fromEntries(namedQueries.map((q) => [q.name, columnBytes(parquet, q.sql)])),
  };
}

export function lakeMixes(flowEvents = 50_000): MixMeasure[] {
  const corpus = corpusDocuments().map((c) => c.doc);
  const others = corpus.filter((d) => d.class_uid !== 4001);
  const flows = flowDocuments(flowEvents);
  const nonFlow = Array.from({ length: Math.round(flowEvents / 9) }, (_, i) => others[i % others.length]);
  return [measure('corpus mix', corpus), measure('flow-heavy mix (90% flows)', [...flows, ...nonFlow])];
}

if (require.main === module) {
  const rows = lakeMixes();
  console.log('| mix | events | input bytes | stored | bytes per input byte | bytes per event |');
  console.log('| --- | ---: | ---: | --- | ---: | ---: |');
  for (const m of rows)
    for (const [format, bytes] of Object.entries(m.stored))
      console.log(
        `| ${m.mix} | ${m.events} | ${m.inputBytes} | ${format} ${bytes} | ${(bytes / m.inputBytes).toFixed(3)} | ${(bytes / m.events).toFixed(1)} |`,
      );
  console.log(
    '\n| mix | named query | Parquet bytes read | share of the Parquet object | share of the JSON archive |',
  );
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const m of rows)
    for (const [query, bytes] of Object.entries(m.scanned))
      console.log(
        `| ${m.mix} | ${query} | ${bytes} | ${((100 * bytes) / m.stored['parquet-gzip']).toFixed(1)}% | ${((100 * bytes) / m.stored['json-gzip']).toFixed(1)}% |`,
      );
}
