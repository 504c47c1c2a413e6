import { gunzipSync } from 'node:zlib';

/** One log event of a CloudWatch Logs subscription payload. */
export interface CwlLogEvent {
  id: string;
  timestamp: number;
  message: string;
  /**
   * Set by logwarden when the line was not valid UTF-8: its original bytes, base64. `message`
   * then holds the text decoded with replacement characters.
   */
  invalidUtf8Base64?: string;
}

/** What CloudWatch Logs delivers to a subscription destination (after gunzip). */
export interface CwlPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: CwlLogEvent[];
  /** How many times logwarden re-ingested this payload to stay under a response limit. */
  logwardenHops?: number;
}

export type DecodeResult = { ok: true; payload: CwlPayload } | { ok: false; error: string };

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * The most bytes a record may expand to. A Kinesis record holds at most 1 MiB of data (Kinesis
 * PutRecord), and what CloudWatch Logs delivers came from PutLogEvents batches of at most
 * 1,048,576 bytes of messages, which JSON escaping can at most multiply by six (`\u00XX` for one
 * control byte): 16 MiB is above any payload CloudWatch Logs or logwarden's own re-ingestion can
 * write, and 1 MiB of gzip can otherwise expand a thousandfold (a 1 GiB "bomb" kills every
 * consumer at its memory size). A record past it fails alone and is kept (docs/pipeline.md).
 */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/**
 * The most hops a payload may claim: logwarden writes `logwardenHops` itself when it re-ingests a
 * payload in halves (transform.ts), one more each time, and a payload is failed past the
 * transform's hop limit (a handful), so any larger number, a negative one or anything but a whole
 * number was not written by logwarden.
 */
export const MAX_HOPS_FIELD = 100;

const isGzip = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;

/**
 * How many bytes a record says it will decode to, before decoding it: for gzip, the size its
 * trailer declares (ISIZE, RFC 1952 §2.3.1, which zlib checks against what it inflated); plain
 * JSON is its own size. The consumers reserve this much of their memory budget first
 * (ByteBudget), and `decodeCwlBytes` never inflates past it.
 */
export function declaredSize(bytes: Buffer): number {
  return isGzip(bytes) && bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : bytes.length;
}

export interface DecodeOptions {
  /** Refuse a record that expands past this many bytes (default and ceiling: MAX_PAYLOAD_BYTES). */
  maxBytes?: number;
}

/**
 * Decodes raw record bytes: gzip of JSON (what CloudWatch Logs sends, and what the indexer and
 * the alerter read from the stream) or plain JSON (what the archive's Firehose sends the
 * transform after its CloudWatch Logs decompression, stacks/central/firehose-archive.ts). Inflation
 * stops at the bound (Node's `maxOutputLength`): a record that would pass it is refused without
 * its output ever being held, and so is gzip that inflates past what its trailer declares.
 */
export function decodeCwlBytes(bytes: Buffer, options: DecodeOptions = {}): DecodeResult {
  const limit = Math.min(options.maxBytes ?? MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
  let json: Buffer = bytes;
  if (isGzip(bytes)) {
    const declared = declaredSize(bytes);
    if (declared > limit)
      return { ok: false, error: tooLarge(`its gzip trailer declares ${declared} bytes`, limit) };
    try {
      // Never more than declared: a gzip that lies about its size stops here.
      json = gunzipSync(bytes, { maxOutputLength: Math.max(declared, 1) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        return {
          ok: false,
          error: tooLarge(`it inflates past the ${declared} bytes its gzip trailer declares`, limit),
        };
      return { ok: false, error: `corrupt gzip: ${(err as Error).message}` };
    }
  } else if (bytes.length > limit) {
    return { ok: false, error: tooLarge(`it is ${bytes.length} bytes`, limit) };
  }
  let text: string;
  let invalidUtf8 = false;
  try {
    text = strictUtf8.decode(json);
  } catch {
    // Some byte sequence is not UTF-8: decode leniently, then find the lines it is in.
    text = json.toString('utf8');
    invalidUtf8 = true;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const shapeError = cwlShapeError(parsed);
  if (shapeError) return { ok: false, error: `not a CloudWatch Logs payload: ${shapeError}` };
  const payload = parsed as CwlPayload;
  if (invalidUtf8) markInvalidUtf8(payload, json);
  return { ok: true, payload };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The slow path for a payload with invalid UTF-8: the same JSON read as Latin-1 gives each
 * message's bytes one character per byte (JSON's own syntax is ASCII), so each line can be
 * checked on its own and its original bytes kept. A `\uXXXX` escape above U+00FF can only be
 * valid text, and is encoded back as UTF-8.
 */
function markInvalidUtf8(payload: CwlPayload, json: Buffer): void {
  let bytewise: { logEvents?: { message?: unknown }[] };
  try {
    bytewise = JSON.parse(json.toString('latin1')) as typeof bytewise;
  } catch {
    return;
  }
  payload.logEvents.forEach((event, i) => {
    const raw = bytewise.logEvents?.[i]?.message;
    // A line without a replacement character decoded cleanly.
    if (typeof raw !== 'string' || !event.message.includes('\uFFFD')) return;
    const parts: Buffer[] = [];
    let run = '';
    for (const ch of raw) {
      if (ch.charCodeAt(0) <= 0xff && ch.length === 1) run += ch;
      else {
        parts.push(Buffer.from(run, 'latin1'), Buffer.from(ch, 'utf8'));
        run = '';
      }
    }
    parts.push(Buffer.from(run, 'latin1'));
    const original = Buffer.concat(parts);
    try {
      strictUtf8.decode(original);
    } catch {
      event.invalidUtf8Base64 = original.toString('base64');
    }
  });
}

const tooLarge = (what: string, limit: number) =>
  `payload too large: ${what}, over the ${limit}-byte limit (kept, not read; docs/pipeline.md)`;

/** A base64 record's bytes, or undefined when it is not base64. */
export function base64Bytes(data: string): Buffer | undefined {
  const bytes = Buffer.from(data, 'base64');
  // Buffer.from skips characters outside the alphabet; a shorter result means the input had some.
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding) return undefined;
  return bytes;
}

/** Decodes a base64 record (Firehose and Kinesis event records carry their data this way). */
export function decodeCwlBase64(data: string, options: DecodeOptions = {}): DecodeResult {
  const bytes = base64Bytes(data);
  return bytes ? decodeCwlBytes(bytes, options) : { ok: false, error: 'corrupt base64' };
}

/** Longest log group and log stream name CloudWatch Logs allows (CreateLogGroup, CreateLogStream). */
const MAX_NAME = 512;

/**
 * Longest log event id accepted. CloudWatch Logs writes 56 digits; the id becomes `metadata.uid`,
 * a keyword OpenSearch refuses past 32,766 bytes, which would reject every document of the record.
 */
const MAX_EVENT_ID = 256;

const isString = (v: unknown, max = Infinity): v is string => typeof v === 'string' && v.length <= max;

/**
 * What is wrong with a decoded payload, if anything: the whole shape every consumer reads
 * (CloudWatch Logs User Guide, "Subscription filters": messageType, owner, logGroup, logStream,
 * subscriptionFilters, logEvents of id, timestamp and message), checked here once so that no
 * consumer meets a field of the wrong type later. Fields CloudWatch Logs may add are left alone.
 */
function cwlShapeError(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const v = value as Record<string, unknown>;
  if (v.messageType !== 'DATA_MESSAGE' && v.messageType !== 'CONTROL_MESSAGE') {
    return `messageType is ${JSON.stringify(v.messageType)?.slice(0, 50)}`;
  }
  if (!isString(v.owner, MAX_NAME)) return 'owner is not a string';
  // Trust rests on the owner (contracts/trusted-sources.ts): data comes from an account.
  if (v.messageType === 'DATA_MESSAGE' && !/^\d{12}$/.test(v.owner)) return 'owner is not an account id';
  if (!isString(v.logGroup, MAX_NAME)) return 'logGroup is not a string of at most 512 characters';
  if (!isString(v.logStream, MAX_NAME)) return 'logStream is not a string of at most 512 characters';
  if (!Array.isArray(v.subscriptionFilters) || !v.subscriptionFilters.every((f) => isString(f, MAX_NAME)))
    return 'subscriptionFilters is not a list of names';
  if (
    v.logwardenHops !== undefined &&
    !(
      Number.isInteger(v.logwardenHops) &&
      (v.logwardenHops as number) >= 0 &&
      (v.logwardenHops as number) <= MAX_HOPS_FIELD
    )
  )
    return `logwardenHops is not a whole number from 0 to ${MAX_HOPS_FIELD}`;
  if (!Array.isArray(v.logEvents)) return 'logEvents is not an array';
  for (const [i, e] of (v.logEvents as unknown[]).entries()) {
    const ev = e as Record<string, unknown> | null;
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return `logEvents[${i}] is not an object`;
    if (typeof ev.message !== 'string') return `logEvents[${i}].message is not a string`;
    if (typeof ev.timestamp !== 'number' || !Number.isFinite(ev.timestamp))
      return `logEvents[${i}].timestamp is not a number`;
    if (!isString(ev.id, MAX_EVENT_ID))
      return `logEvents[${i}].id is not a string of at most ${MAX_EVENT_ID} characters`;
    if (ev.invalidUtf8Base64 !== undefined && typeof ev.invalidUtf8Base64 !== 'string')
      return `logEvents[${i}].invalidUtf8Base64 is not a string`;
  }
  return undefined;
}

export function isControlMessage(payload: CwlPayload): boolean {
  return payload.messageType === 'CONTROL_MESSAGE';
}
