/**
 * The two sides every benchmark entry measures, defined once: the lossless floor and the
 * transform as Lambda runs it (the esbuild bundle), with the corpus' sources trusted (bench-trust.ts).
 *
 * The floor: (1) decode and gunzip each record; (2) parse the payload and each JSON message;
 * (3) stringify each parsed event together with its raw line (every logwarden document carries
 * `raw_data`, so any lossless transform writes both); (4) base64 the result.
 */
import { KinesisClient, type PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { gunzipSync } from 'node:zlib';
import { decompressRecord } from '../local/firehose-decompression';
import type { FirehoseTransformEvent } from '../functions/transform/transform';
import { flowBoundWriter } from './flow-bound';
import { applicationBoundWriter, type BoundLogEvent, type BoundPayload } from './application-bound';
import { guardDutyBoundWriter } from './guardduty-bound';
import type { BenchSource } from './sources';
import { benchTrust } from './bench-trust';
import { bundledTransform } from './bundled-transform';

export const { transformFirehoseEvent, FlowLogFormatRegistry } = bundledTransform();
export const formats = new FlowLogFormatRegistry();
export const trust = benchTrust();
const kinesis = new KinesisClient({ region: 'eu-west-1' });

/** Writes one log event of a payload as one NDJSON line. */
type EventWriter = (e: BoundLogEvent, from: BoundPayload) => string;

/**
 * Each record decoded as the floor decodes it (base64, gunzip, lenient UTF-8, the payload's
 * JSON), each log event written as one NDJSON line by `write`, the record's NDJSON in base64.
 * Returns the output bytes.
 */
function writeEachEvent(event: FirehoseTransformEvent, write: EventWriter): number {
  let out = 0;
  for (const r of event.records) {
    const payload = JSON.parse(gunzipSync(Buffer.from(r.data, 'base64')).toString('utf8'));
    let ndjson = '';
    for (const e of payload.logEvents) ndjson += write(e, payload) + '\n';
    out += Buffer.from(ndjson).toString('base64').length;
  }
  return out;
}

/** The floor's line: the parsed event (a JSON line parsed) and its raw line. */
const floorWriter: EventWriter = ({ message: m }) => {
  const parsed: unknown = m.startsWith('{') ? JSON.parse(m) : m;
  return JSON.stringify({ event: parsed, raw_data: m });
};

/** The floor: what any lossless transform of this data must do at least. Returns its output bytes. */
export function floor(event: FirehoseTransformEvent): number {
  return writeEachEvent(event, floorWriter);
}

/** The cheapest writer of a valid document for a source's lines, if the benchmark has one. */
function boundWriterOf(source: BenchSource, search: boolean): EventWriter | undefined {
  if (source.flowFormat) {
    const write = flowBoundWriter(source.flowFormat, search);
    return (e) => write(e.message, e.id);
  }
  if (source.guardDuty) return guardDutyBoundWriter(search);
  return source.application ? applicationBoundWriter(search) : undefined;
}

/**
 * The bound of a source's lines (bench/flow-bound.ts, bench/application-bound.ts,
 * bench/guardduty-bound.ts): the floor's decoding, each line written by the cheapest writer of a
 * valid document. Returns its output bytes.
 */
export function documentBound(source: BenchSource, search: boolean) {
  const write = boundWriterOf(source, search);
  if (!write) throw new Error(`the benchmark has no bound for ${source.name}`);
  return (event: FirehoseTransformEvent): number => writeEachEvent(event, write);
}

/**
 * The bound of a mix of `sources`: each payload's lines written by its source's bound (by log
 * group), and a source without one (CloudTrail) by the floor's own writer, a ratio of 1 for it:
 * an upper bound of what any valid writer of the mix could reach.
 */
export function mixBound(sources: BenchSource[], search: boolean) {
  const writers = new Map(sources.map((s) => [s.logGroup, boundWriterOf(s, search) ?? floorWriter]));
  const write: EventWriter = (e, from) => (writers.get(from.logGroup) ?? floorWriter)(e, from);
  return (event: FirehoseTransformEvent): number => writeEachEvent(event, write);
}

/** The transform, every record in the response. Returns its output bytes. */
export async function transformed(event: FirehoseTransformEvent): Promise<number> {
  const { records } = await transformFirehoseEvent(event, {
    formats,
    trust,
    kinesis,
    maxResponseBytes: Number.MAX_SAFE_INTEGER,
  });
  return records.reduce((s, r) => s + (r.data?.length ?? 0), 0);
}

/** What the transform did to a stream of records at the deployed response limit and processor buffer. */
export interface DeployedLimitRun {
  /** Records of the original stream. */
  records: number;
  /** Of those, records the transform re-ingested (in halves) instead of answering Ok. */
  reingested: number;
  /** Bytes of the original stream's records (gzip, as Kinesis holds them). */
  streamBytes: number;
  /** Bytes put back into the stream by re-ingestion, every hop counted. */
  extraBytes: number;
  invocations: number;
  processingFailed: number;
  /** Records Firehose could not decompress (none of the corpus's; kept under decompression-failed). */
  decompressionFailed: number;
  /** Bytes the transform was sent (decompressed when it decompresses), every hop counted. */
  handedBytes: number;
  /** Bytes of the Ok records' base64 data the transform answered. */
  responseBytes: number;
}

/** A Kinesis client that accepts every PutRecords and keeps what was put, for the next invocations. */
function capturingKinesis(into: Buffer[]): KinesisClient {
  const client = new KinesisClient({ region: 'eu-west-1' });
  client.send = (async (command: PutRecordsCommand) => {
    const records = command.input.Records ?? [];
    for (const r of records) into.push(Buffer.from(r.Data as Uint8Array));
    return {
      FailedRecordCount: 0,
      Records: records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-0' })),
    };
  }) as unknown as KinesisClient['send'];
  return client;
}

/**
 * The transform as deployed: Firehose reads the stream's records (gzip, as CloudWatch Logs and the
 * transform's re-ingestion write them), decompresses each when `decompress` is set (the central
 * stream's Decompression processor, stacks/central/firehose-archive.ts), and hands the transform
 * `bufferBytes` of them at a time, counted as it sends them (the decompressed bytes when it
 * decompresses: "Make sure that your buffering size for sending the request to the function is
 * less than or equal to 6 MB", Firehose Developer Guide, "Transform source data"). The response is
 * limited to the default 6,000,000 bytes, and what the transform re-ingests comes back behind the
 * rest of the stream, gzip again, until none is left.
 */
export async function atDeployedLimit(
  records: FirehoseTransformEvent['records'],
  bufferBytes: number,
  decompress: boolean,
): Promise<DeployedLimitRun> {
  const put: Buffer[] = [];
  const client = capturingKinesis(put);
  const run: DeployedLimitRun = {
    records: records.length,
    reingested: 0,
    streamBytes: records.reduce((s, r) => s + Buffer.byteLength(r.data, 'base64'), 0),
    extraBytes: 0,
    invocations: 0,
    processingFailed: 0,
    decompressionFailed: 0,
    handedBytes: 0,
    responseBytes: 0,
  };
  // What the Lambda processor is handed for a stream record (undefined: decompression failed).
  const handed = (stream: Buffer): Buffer | undefined => {
    if (!decompress) return stream;
    const d = decompressRecord(stream);
    if (d.ok) return d.data;
    run.decompressionFailed++;
    return undefined;
  };
  const queue: { data: Buffer; original: boolean }[] = [];
  const enqueue = (stream: Buffer, original: boolean) => {
    const data = handed(stream);
    if (data) queue.push({ data, original });
  };
  for (const r of records) enqueue(Buffer.from(r.data, 'base64'), true);
  let next = 0;
  while (next < queue.length) {
    const batch: typeof queue = [];
    let bytes = 0;
    while (next < queue.length) {
      const size = queue[next].data.length;
      if (batch.length && bytes + size > bufferBytes) break;
      batch.push(queue[next++]);
      bytes += size;
    }
    put.length = 0;
    const { records: out } = await transformFirehoseEvent(
      {
        records: batch.map((b, i) => ({
          recordId: `${run.invocations}-${i}`,
          data: b.data.toString('base64'),
        })),
        sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/logwarden-central',
      },
      { formats, trust, kinesis: client },
    );
    run.invocations++;
    run.handedBytes += bytes;
    for (const r of out) run.responseBytes += r.data?.length ?? 0;
    for (const [i, r] of out.entries()) {
      // Every benchmark record carries log events: Dropped means re-ingested.
      if (r.result === 'Dropped' && batch[i].original) run.reingested++;
      if (r.result === 'ProcessingFailed') run.processingFailed++;
    }
    for (const data of put) {
      run.extraBytes += data.length;
      enqueue(data, false);
    }
  }
  return run;
}
