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

/** Decodes raw record bytes: gzip of JSON (what CloudWatch Logs sends) or plain JSON. */
export function decodeCwlBytes(bytes: Buffer): DecodeResult {
  let json: Buffer = bytes;
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    try {
      json = gunzipSync(bytes);
    } catch (err) {
      return { ok: false, error: `corrupt gzip: ${(err as Error).message}` };
    }
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

/** Decodes a base64 record (Firehose and Kinesis event records carry their data this way). */
export function decodeCwlBase64(data: string): DecodeResult {
  const bytes = Buffer.from(data, 'base64');
  // Buffer.from skips characters outside the alphabet; a shorter result means the input had some.
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding) {
    return { ok: false, error: 'corrupt base64' };
  }
  return decodeCwlBytes(bytes);
}

function cwlShapeError(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const v = value as Record<string, unknown>;
  if (v.messageType !== 'DATA_MESSAGE' && v.messageType !== 'CONTROL_MESSAGE') {
    return `messageType is ${JSON.stringify(v.messageType)}`;
  }
  if (!Array.isArray(v.logEvents)) return 'logEvents is not an array';
  for (const field of ['owner', 'logGroup', 'logStream'] as const) {
    if (typeof v[field] !== 'string') return `${field} is not a string`;
  }
  for (const [i, e] of (v.logEvents as unknown[]).entries()) {
    const ev = e as Record<string, unknown> | null;
    if (typeof ev !== 'object' || ev === null) return `logEvents[${i}] is not an object`;
    if (typeof ev.message !== 'string') return `logEvents[${i}].message is not a string`;
    if (typeof ev.timestamp !== 'number') return `logEvents[${i}].timestamp is not a number`;
    if (typeof ev.id !== 'string') return `logEvents[${i}].id is not a string`;
    if (ev.invalidUtf8Base64 !== undefined && typeof ev.invalidUtf8Base64 !== 'string')
      return `logEvents[${i}].invalidUtf8Base64 is not a string`;
  }
  return undefined;
}

export function isControlMessage(payload: CwlPayload): boolean {
  return payload.messageType === 'CONTROL_MESSAGE';
}
