import { EventOrigin, newDocument, OcsfDocument } from './document';

const BASE = { class_uid: 0, class_name: 'Base Event', category_uid: 0, category_name: 'Uncategorized' };

/** An application log line: a JSON object kept whole under `unmapped`, or plain text in `message`. */
export function toBaseEvent(origin: EventOrigin, json?: Record<string, unknown>): OcsfDocument {
  const doc = newDocument(origin, BASE, 0, 'Unknown', 'Application logs');
  if (json) doc.unmapped = { log: json };
  else doc.message = summary(origin.event.message);
  return doc;
}

/** A line that looked structured but could not be parsed: kept, with the reason. */
export function toParseError(
  origin: EventOrigin,
  reason: string,
  product = 'Application logs',
): OcsfDocument {
  const doc = newDocument(origin, BASE, 0, 'Unknown', product);
  doc.message = summary(origin.event.message);
  doc.parse_error = reason;
  return doc;
}

const SUMMARY_CHARS = 1024;

/** `message` is a summary; the whole line always stays in `raw_data`. */
function summary(text: string): string {
  return text.length <= SUMMARY_CHARS ? text : `${text.slice(0, SUMMARY_CHARS)}…`;
}
