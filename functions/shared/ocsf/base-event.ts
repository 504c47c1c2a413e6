import type { CwlLogEvent, CwlPayload } from '../cwl-payload';
import {
  baseProfiles,
  EventOrigin,
  isoTime,
  newDocument,
  OCSF_VERSION,
  OcsfDocument,
  productOf,
} from './document';

const BASE = { class_uid: 0, class_name: 'Base Event', category_uid: 0, category_name: 'Uncategorized' };

export const APPLICATION_PRODUCT = 'Application logs';
const applicationProduct = productOf(APPLICATION_PRODUCT);

/**
 * An application log line: a JSON object is kept under `unmapped.log` (the one structured,
 * searchable copy: `raw_data` is stored but not indexed), plain text in `message`.
 */
export function toBaseEvent(origin: EventOrigin, json?: Record<string, unknown>): OcsfDocument {
  const doc = newDocument(origin, BASE, 0, 'Unknown', applicationProduct);
  if (json) doc.unmapped = { log: json };
  else doc.message = summary(origin.event.message);
  return doc;
}

/** Writes one log event of a payload as a Base Event's JSON text (`baseEventWriter`). */
export type BaseEventWriter = (event: CwlLogEvent, json?: Record<string, unknown>) => string;

const q = JSON.stringify;

/**
 * The application events of one payload written as JSON text: for every event, exactly
 * `JSON.stringify(toBaseEvent({ payload, event, region }, json))` (property-tested in
 * test/functions/shared/application-writer.test.ts), without building the document first. What
 * every document of the payload shares is written once; the line's escaped text is written
 * once and used for both `raw_data` and `message` when the summary is the whole line. Building
 * and serializing the object was half of a text line's time in the transform.
 */
export function baseEventWriter(payload: CwlPayload, region: string | undefined): BaseEventWriter {
  const head = `{"class_uid":${BASE.class_uid},"class_name":${q(BASE.class_name)},"category_uid":${BASE.category_uid},"category_name":${q(BASE.category_name)},"activity_id":0,"activity_name":"Unknown","type_uid":${BASE.class_uid * 100},"type_name":${q(`${BASE.class_name}: Unknown`)},"severity_id":1,"severity":"Informational","time":`;
  const cloud = `,"cloud":{"provider":"AWS","region":${q(region ?? 'unknown')},"account":{"uid":${q(payload.owner)}}},"metadata":{"version":${q(OCSF_VERSION)},"profiles":${q(baseProfiles)},"uid":`;
  const metadata = `,"log_name":${q(payload.logGroup)},"log_provider":"CloudWatch Logs","product":${q(applicationProduct)},"logged_time":`;
  return (event, json) => {
    const logged = event.timestamp;
    // A number JSON cannot write (the payload's shape check refuses it) takes the object's way.
    if (!Number.isFinite(logged)) return q(toBaseEvent({ payload, event, region }, json));
    const raw = q(event.message);
    const out = `${head}${logged},"time_dt":"${isoTime(logged) ?? new Date(0).toISOString()}"${cloud}${q(event.id)}${metadata}${logged}},"raw_data":${raw}`;
    if (json) return `${out},"unmapped":{"log":${q(json)}}}`;
    const message = summary(event.message);
    return `${out},"message":${message === event.message ? raw : q(message)}}`;
  };
}

/**
 * A line that looked structured but could not be parsed: a Base Event that keeps the line in
 * `raw_data` and says why in `unmapped.parse_error` (OCSF has no attribute for a reader's error).
 */
export function toParseError(
  origin: EventOrigin,
  reason: string,
  product = APPLICATION_PRODUCT,
): OcsfDocument {
  const doc = newDocument(origin, BASE, 0, 'Unknown', productOf(product));
  doc.message = summary(origin.event.message);
  doc.unmapped = { parse_error: reason };
  return doc;
}

/** Why a document is a parse error, or undefined when it is not one. */
export function parseErrorOf(doc: OcsfDocument): string | undefined {
  if (doc.class_uid !== 0) return undefined;
  const reason = doc.unmapped?.parse_error;
  return typeof reason === 'string' && doc.unmapped?.log === undefined ? reason : undefined;
}

const SUMMARY_CHARS = 1024;

/** `message` is a summary; the whole line always stays in `raw_data`. */
function summary(text: string): string {
  return text.length <= SUMMARY_CHARS ? text : `${text.slice(0, SUMMARY_CHARS)}…`;
}
