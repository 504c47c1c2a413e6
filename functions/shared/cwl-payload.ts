import { gunzipSync } from 'node:zlib';

/** One log event of a CloudWatch Logs subscription payload. */
export interface CwlLogEvent {
  id: string;
  timestamp: number;
  message: string;
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
  let text: string;
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    try {
      text = gunzipSync(bytes).toString('utf8');
    } catch (err) {
      return { ok: false, error: `corrupt gzip: ${(err as Error).message}` };
    }
  } else {
    text = bytes.toString('utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const shapeError = cwlShapeError(parsed);
  if (shapeError) return { ok: false, error: `not a CloudWatch Logs payload: ${shapeError}` };
  return { ok: true, payload: parsed as CwlPayload };
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
  }
  return undefined;
}

export function isControlMessage(payload: CwlPayload): boolean {
  return payload.messageType === 'CONTROL_MESSAGE';
}
