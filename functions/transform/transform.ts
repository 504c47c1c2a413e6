import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { gzipSync } from 'node:zlib';
import type { TrustTable } from '../../contracts/trusted-sources';
import { CwlPayload, decodeCwlBase64, isControlMessage } from '../shared/cwl-payload';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { filingDay } from '../shared/ingestion-window';
import { forEachDocumentText, SourceKind } from '../shared/normalize';
import { decodeFlowLogText } from './flow-log-text';
import { boundedPartitionKey, putRecordsWithRetry, ReingestEntry, ReingestOptions } from './reingest';

export interface FirehoseInputRecord {
  recordId: string;
  data: string;
  approximateArrivalTimestamp?: number;
  kinesisRecordMetadata?: {
    partitionKey?: string;
    shardId?: string;
    sequenceNumber?: string;
    /** When the record reached the Kinesis stream, epoch ms. */
    approximateArrivalTimestamp?: number;
  };
}

export interface FirehoseTransformEvent {
  invocationId?: string;
  deliveryStreamArn?: string;
  sourceKinesisStreamArn?: string;
  region?: string;
  records: FirehoseInputRecord[];
}

export type FirehoseResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseOutputRecord {
  recordId: string;
  result: FirehoseResult;
  /**
   * Empty for Dropped and ProcessingFailed (Firehose keeps the original for its error prefix),
   * but always there: "All transformed records from Lambda must contain the following
   * parameters, or Amazon Data Firehose rejects them and treats that as a data transformation
   * failure": recordId, result, data (Firehose Developer Guide, "Required parameters for data
   * transformation").
   */
  data: string;
  metadata?: { partitionKeys: ArchivePartitionKeys };
}

export interface TransformStats {
  ok: number;
  dropped: number;
  processingFailed: number;
  split: number;
  reingested: number;
  reingestFailed: number;
  /**
   * The line counts below are of the lines in this response's Ok records only: a re-ingested
   * line is counted by the invocation whose response holds it, so none is counted twice.
   */
  events: Partial<Record<SourceKind, number>>;
  /** Lines kept as parse_error documents, by the product they came from. */
  parseErrors: Record<string, number>;
  /** Lines that were not valid UTF-8 (kept as base64 in raw_data). */
  invalidUtf8: number;
  /** Ok records filed under their arrival day because their event time is outside the window. */
  clampedDates: number;
}

export interface TransformLog {
  (level: 'info' | 'warn' | 'error', message: string, attributes: Record<string, unknown>): void;
}

/**
 * What the delivery stream's records hold: CloudWatch Logs payloads (the central stream, which
 * Firehose sends decompressed; gzip is read too) or flow-log text (flowLogs.delivery firehose,
 * functions/transform/flow-log-text.ts).
 */
export type TransformInput = 'cloudwatch-logs' | 'flow-log-text';

export interface TransformOptions {
  /** @default 'cloudwatch-logs' */
  input?: TransformInput;
  formats: FlowLogFormatRegistry;
  trust: TrustTable;
  kinesis: KinesisClient;
  /** Lambda's synchronous response limit is 6 MiB; stay below it with room for the envelope. */
  maxResponseBytes?: number;
  /** A payload re-ingested more than this many times becomes ProcessingFailed. */
  maxHops?: number;
  reingest?: ReingestOptions;
  log?: TransformLog;
  now?: () => number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 6_000_000;
export const DEFAULT_MAX_HOPS = 5;

const ENVELOPE_BYTES = Buffer.byteLength('{"records":[]}');

/** Bytes a record adds to the JSON response, separator included. */
function entryBytes(record: FirehoseOutputRecord): number {
  // base64 needs no escaping, so the data string costs exactly its length.
  const { data, ...rest } = record;
  return Buffer.byteLength(JSON.stringify({ ...rest, data: '' })) + data.length + 1;
}

/** The longest answer without data: ProcessingFailed, which any record may still become. */
const minimalEntryBytes = (recordId: string) =>
  entryBytes({ recordId, result: 'ProcessingFailed', data: '' });

/**
 * The archive's partition keys: source and date only. Firehose holds at most 500 active
 * partitions per stream and sends the rest to the error prefix (activePartitionExceeded,
 * https://docs.aws.amazon.com/firehose/latest/dev/buffering.html); `source × account × date`
 * passes that at about 125 accounts. Six sources × the dates one buffer can hold (the event day
 * inside the ingestion window, 14 days back to one hour ahead, else the arrival day) stay under
 * about 100 whatever the organization's size. The account is a column of every document
 * (`cloud.account.uid`, and `metadata.log_name` with the owner-attributed source), not a prefix.
 */
export interface ArchivePartitionKeys {
  source: string;
  date: string;
}

function partitionKeys(kinds: Set<SourceKind>, eventMs: number, arrivalMs: number) {
  const source = kinds.size === 1 ? [...kinds][0] : 'mixed';
  const { day, clamped } = filingDay(eventMs, arrivalMs);
  return { keys: { source, date: day }, clamped };
}

/** When the record reached the central stream: Kinesis' own time, the same on a replay. */
function arrivalOf(record: FirehoseInputRecord, now: number): number {
  const t = record.kinesisRecordMetadata?.approximateArrivalTimestamp ?? record.approximateArrivalTimestamp;
  return typeof t === 'number' && Number.isFinite(t) ? t : now;
}

/** Halves of a payload by log events (or the whole payload when it has one event), one hop further. */
export function splitForReingest(payload: CwlPayload): CwlPayload[] {
  const hops = (payload.logwardenHops ?? 0) + 1;
  const events = payload.logEvents;
  const parts =
    events.length >= 2 ? [events.slice(0, events.length >> 1), events.slice(events.length >> 1)] : [events];
  return parts.map((logEvents) => ({ ...payload, logEvents, logwardenHops: hops }));
}

/**
 * Newline-delimited lines written straight into one buffer, then base64 once. The buffer is the
 * module's, reused record after record (a record's lines are written and encoded without an
 * await in between): a new buffer per record, grown by copying, cost as much as encoding it.
 */
class NdjsonWriter {
  private static scratch = Buffer.allocUnsafe(256 * 1024);
  private length = 0;

  push(line: string): void {
    // Three bytes per UTF-16 unit is the UTF-8 worst case: room without measuring first.
    const need = this.length + line.length * 3 + 1;
    let buf = NdjsonWriter.scratch;
    if (need > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
      buf.copy(bigger, 0, 0, this.length);
      NdjsonWriter.scratch = buf = bigger;
    }
    this.length += buf.write(line, this.length);
    buf[this.length++] = 0x0a;
  }

  toBase64(): string {
    return NdjsonWriter.scratch.toString('base64', 0, this.length);
  }
}

/**
 * Fewer bytes than the `data` of a record of this payload can have: every line carries its whole
 * log event in `raw_data` (normalize.ts), which is the message (at least one UTF-8 byte per
 * UTF-16 unit; JSON escapes only add) or, for a line that was not valid UTF-8, its original bytes
 * in base64 (ASCII), and a newline; base64 writes 4 characters for each 3 bytes.
 */
export function minimalDataBytes(payload: CwlPayload): number {
  let bytes = 0;
  for (const e of payload.logEvents) bytes += (e.invalidUtf8Base64 ?? e.message).length + 1;
  return 4 * Math.ceil(bytes / 3);
}

/** What a record's lines add to the invocation's stats, counted once the record is in the response. */
type LineCounts = Pick<TransformStats, 'events' | 'parseErrors' | 'invalidUtf8' | 'clampedDates'>;

function addCounts(into: LineCounts, from: LineCounts): void {
  for (const [kind, n] of Object.entries(from.events) as [SourceKind, number][])
    into.events[kind] = (into.events[kind] ?? 0) + n;
  for (const [product, n] of Object.entries(from.parseErrors))
    into.parseErrors[product] = (into.parseErrors[product] ?? 0) + n;
  into.invalidUtf8 += from.invalidUtf8;
  into.clampedDates += from.clampedDates;
}

/** The Ok record of a payload: its documents as NDJSON, base64, with the archive's partition keys. */
function toOkRecord(
  recordId: string,
  payload: CwlPayload,
  record: FirehoseInputRecord,
  options: TransformOptions,
  now: number,
): { record: FirehoseOutputRecord; counts: LineCounts } {
  const stats: LineCounts = { events: {}, parseErrors: {}, invalidUtf8: 0, clampedDates: 0 };
  const kinds = new Set<SourceKind>();
  const lines = new NdjsonWriter();
  let firstTime = 0;
  // Each document is written out as soon as it is built and then let go.
  forEachDocumentText(payload, options.formats, options.trust, (written, logEvent, i) => {
    if (i === 0) firstTime = written.time;
    const kind = written.kind;
    kinds.add(kind);
    stats.events[kind] = (stats.events[kind] ?? 0) + 1;
    if (written.parseErrorProduct !== undefined) {
      const product = written.parseErrorProduct;
      stats.parseErrors[product] = (stats.parseErrors[product] ?? 0) + 1;
    }
    if (logEvent.invalidUtf8Base64 !== undefined) stats.invalidUtf8++;
    lines.push(written.text);
  });
  const { keys, clamped } = partitionKeys(kinds, firstTime, arrivalOf(record, now));
  if (clamped) stats.clampedDates++;
  return {
    record: { recordId, result: 'Ok', data: lines.toBase64(), metadata: { partitionKeys: keys } },
    counts: stats,
  };
}

interface PendingReingest {
  index: number;
  entries: ReingestEntry[];
}

/**
 * The Firehose transformation: every input record comes back exactly once, in order, as Ok
 * (newline-delimited OCSF, one line per log event), Dropped (control messages, and payloads
 * that were re-ingested in halves to keep the response under the limit) or ProcessingFailed
 * (undecodable, or past the hop limit, or whose re-ingestion failed). It never throws on input.
 */
export async function transformFirehoseEvent(
  event: FirehoseTransformEvent,
  options: TransformOptions,
): Promise<{ records: FirehoseOutputRecord[]; stats: TransformStats }> {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
  const log: TransformLog = options.log ?? (() => undefined);
  const stats: TransformStats = {
    ok: 0,
    dropped: 0,
    processingFailed: 0,
    split: 0,
    reingested: 0,
    reingestFailed: 0,
    events: {},
    parseErrors: {},
    invalidUtf8: 0,
    clampedDates: 0,
  };
  const now = (options.now ?? Date.now)();
  const input = Array.isArray(event?.records) ? event.records : [];
  const out: FirehoseOutputRecord[] = [];
  const pending: PendingReingest[] = [];

  // Every record still to answer needs at least a minimal entry, so reserve room for them.
  let reserve = input.reduce((sum, r) => sum + minimalEntryBytes(String(r?.recordId ?? '')), 0);
  let used = ENVELOPE_BYTES;
  const fail = (recordId: string, reason: string, sequenceNumber?: string) => {
    log('error', 'record failed processing', { recordId, sequenceNumber, reason });
    return { recordId, result: 'ProcessingFailed' as const, data: '' };
  };

  for (const [index, record] of input.entries()) {
    const recordId = String(record?.recordId ?? '');
    reserve -= minimalEntryBytes(recordId);
    let result: FirehoseOutputRecord;
    const sequenceNumber = record?.kinesisRecordMetadata?.sequenceNumber;
    try {
      const decoded =
        typeof record?.data !== 'string'
          ? ({ ok: false, error: 'no data' } as const)
          : options.input === 'flow-log-text'
            ? decodeFlowLogText(record.data, event.region ?? '', arrivalOf(record, now))
            : decodeCwlBase64(record.data);
      if (!decoded.ok) {
        result = fail(recordId, decoded.error, sequenceNumber);
      } else if (isControlMessage(decoded.payload)) {
        result = { recordId, result: 'Dropped', data: '' };
      } else if ((decoded.payload.logwardenHops ?? 0) > maxHops) {
        result = fail(recordId, `re-ingested more than ${maxHops} times`, sequenceNumber);
      } else if (decoded.payload.logEvents.length === 0) {
        result = { recordId, result: 'Dropped', data: '' };
      } else {
        const payload = decoded.payload;
        // A record whose lines cannot fit is not normalized here at all: it is re-ingested in
        // halves and normalized when they come back (on a large event, most records).
        const candidate =
          used + minimalDataBytes(payload) + reserve <= maxBytes
            ? toOkRecord(recordId, payload, record, options, now)
            : undefined;
        if (candidate && used + entryBytes(candidate.record) + reserve <= maxBytes) {
          result = candidate.record;
          addCounts(stats, candidate.counts);
        } else {
          const streamArn = event.sourceKinesisStreamArn;
          if (!streamArn) {
            result = fail(
              recordId,
              'response limit reached and no source stream to re-ingest into',
              sequenceNumber,
            );
          } else {
            const parts = splitForReingest(payload);
            if (parts.length > 1) stats.split++;
            const partitionKey = boundedPartitionKey(
              record.kinesisRecordMetadata?.partitionKey || payload.logStream || recordId,
            );
            pending.push({
              index,
              entries: parts.map((p) => ({ data: gzipSync(JSON.stringify(p)), partitionKey })),
            });
            result = { recordId, result: 'Dropped', data: '' };
          }
        }
      }
    } catch (err) {
      // Nothing above throws on input it validated; should anything still, that record alone fails.
      result = fail(recordId, `unexpected error: ${(err as Error)?.message ?? String(err)}`, sequenceNumber);
    }
    // A record sent back is Dropped unless its re-ingestion fails, when it becomes the longer
    // ProcessingFailed: charged as that, so the swap below never passes the limit.
    used += pending.at(-1)?.index === index ? minimalEntryBytes(recordId) : entryBytes(result);
    out.push(result);
  }

  if (pending.length) {
    const streamArn = event.sourceKinesisStreamArn as string;
    const all = pending.flatMap((p) => p.entries);
    const { landed, attempts, lastError } = await putRecordsWithRetry(
      options.kinesis,
      streamArn,
      all,
      options.reingest,
    );
    let offset = 0;
    for (const p of pending) {
      const ok = landed.slice(offset, offset + p.entries.length).every(Boolean);
      offset += p.entries.length;
      if (ok) {
        stats.reingested += p.entries.length;
      } else {
        // Parts that did land are re-processed later; failing the whole record keeps the
        // original in the error prefix too, so a duplicate is possible but a loss is not.
        stats.reingestFailed++;
        out[p.index] = fail(
          out[p.index].recordId,
          `re-ingest failed after ${attempts} attempts: ${lastError}`,
          input[p.index]?.kinesisRecordMetadata?.sequenceNumber,
        );
      }
    }
  }

  for (const r of out) {
    if (r.result === 'Ok') stats.ok++;
    else if (r.result === 'Dropped') stats.dropped++;
    else stats.processingFailed++;
  }
  return { records: out, stats };
}
