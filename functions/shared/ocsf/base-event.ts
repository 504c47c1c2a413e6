import { EventOrigin, newDocument, OcsfDocument, productOf } from './document';

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
