import { hash } from 'node:crypto';
import { regionOfSubscription } from '../../contracts/names';
import type { ArchiveSourceKind } from '../../contracts/lake';
import type { SourceTrust, TrustTable } from '../../contracts/trusted-sources';
import type { CwlLogEvent, CwlPayload } from './cwl-payload';
import {
  FlowLogFormatRegistry,
  defaultV2Format,
  looksLikeDefaultV2,
  parseFormatString,
  type FlowLogFormat,
} from './flow-log-formats';
import {
  baseEventWriter,
  type BaseEventWriter,
  parseErrorOf,
  toBaseEvent,
  toParseError,
} from './ocsf/base-event';
import { CLOUDTRAIL_PRODUCT, isCloudTrailEvent, toApiActivity } from './ocsf/cloudtrail';
import type { EventOrigin, OcsfDocument } from './ocsf/document';
import { flatObjectPaths } from './opensearch/index-model';
import {
  firstFieldIsTwo,
  FLOW_LOG_PRODUCT,
  splitFlowLogLine,
  toNetworkActivity,
  writeNetworkActivity,
} from './ocsf/flow-log';
import { GUARDDUTY_PRODUCT, isGuardDutyEvent, toDetectionFinding } from './ocsf/guardduty';

export { parseErrorOf };

/** What the transform files an event under: the archive's `source=` partitions (contracts/lake.ts). */
export type SourceKind = ArchiveSourceKind;

/**
 * The classes of every document of a payload trusted for neither CloudTrail nor GuardDuty: a
 * flow record is Network Activity (4001) or a Base Event, anything else a Base Event (0).
 */
export const PLAIN_DOCUMENT_CLASSES: readonly number[] = [0, 4001];
/**
 * The top-level fields such a document can have: `newDocument`'s, a Base Event's (`message`,
 * `unmapped`) and a flow record's (toNetworkActivity, writeNetworkActivity). Everything an
 * application's own JSON says is under `unmapped.log`. test/functions/shared/normalize-plain.test.ts
 * checks the corpus's documents against it.
 */
export const PLAIN_DOCUMENT_FIELDS: ReadonlySet<string> = new Set([
  'class_uid',
  'class_name',
  'category_uid',
  'category_name',
  'activity_id',
  'activity_name',
  'type_uid',
  'type_name',
  'severity_id',
  'severity',
  'time',
  'time_dt',
  'cloud',
  'metadata',
  'raw_data',
  'message',
  'unmapped',
  'start_time',
  'end_time',
  'action',
  'action_id',
  'disposition',
  'disposition_id',
  'status_code',
  'status_detail',
  'src_endpoint',
  'dst_endpoint',
  'connection_info',
  'traffic',
]);

/** The source of a document, by its product: CloudTrail spans three OCSF classes, flow logs two. */
export function sourceKindOf(doc: OcsfDocument): SourceKind {
  if (parseErrorOf(doc) !== undefined) return 'parse_error';
  switch (doc.metadata.product.name) {
    case CLOUDTRAIL_PRODUCT:
      return 'cloudtrail';
    case FLOW_LOG_PRODUCT:
      return 'vpcflow';
    case GUARDDUTY_PRODUCT:
      return 'guardduty';
    default:
      return 'application';
  }
}

function regionOf(payload: CwlPayload): string | undefined {
  for (const name of payload.subscriptionFilters ?? []) {
    const region = regionOfSubscription(name);
    if (region) return region;
  }
  return undefined;
}

/**
 * Deepest JSON nesting a line may have. Real CloudTrail, GuardDuty and application events stay
 * far below it; past it (`JSON.stringify` itself throws near 4,000 levels) the line is kept as a
 * parse error with its raw text, so no input can make a consumer throw.
 */
export const MAX_JSON_DEPTH = 32;
/**
 * Longest string kept in a free-form field (`unmapped`, `api.request.data`, `api.response.data`:
 * the template's `flat_object` fields). OpenSearch indexes each `flat_object` leaf as a keyword
 * term (`path=value`) and refuses terms over 32,766 bytes, which would reject the whole
 * document; 8,192 UTF-16 units are at most 24,576 UTF-8 bytes. `raw_data` keeps the whole line.
 */
export const MAX_UNMAPPED_STRING = 8192;

/** `metadata.labels` logwarden sets; each says why a document is not what its line claimed. */
export const labels = {
  /** A free-form value was cut to MAX_UNMAPPED_STRING; `raw_data` has it whole. */
  truncated: 'logwarden:truncated',
  /** The line was not valid UTF-8: `raw_data` holds its original bytes in base64. */
  invalidUtf8: 'logwarden:invalid_utf8',
  /** The line has the shape of CloudTrail/GuardDuty but came from a log group not trusted for it. */
  untrustedCloudTrail: 'logwarden:untrusted_cloudtrail',
  untrustedGuardDuty: 'logwarden:untrusted_guardduty',
  /** The line has the shape of a VPC flow record but its group or account is not trusted for it. */
  untrustedVpcFlow: 'logwarden:untrusted_vpcflow',
} as const;

/**
 * Whether a parsed JSON value nests more than `limit` levels (the value itself is level 1). It
 * recurses, but never past `limit` + 1 levels, whatever the input's depth.
 */
function nestedDeeperThan(value: object, limit: number, level = 1): boolean {
  if (level > limit) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && nestedDeeperThan(v, limit, level + 1)) return true;
    }
  } else {
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'object' && v !== null && nestedDeeperThan(v, limit, level + 1)) return true;
    }
  }
  return false;
}

/**
 * Most UTF-8 bytes of the key path of a free-form leaf. OpenSearch indexes each `flat_object`
 * leaf also as the keyword `<field>.<path>=<value>`, and a keyword past 32,766 bytes rejects the
 * whole document ("immense term"): a path of at most 6,000 bytes (past it, each of at most 32
 * levels adds a marker of about 36), a value of at most
 * MAX_UNMAPPED_STRING units (24,576 bytes) and the field's own name stay under it together.
 */
export const MAX_KEY_PATH_BYTES = 6000;

/** A key cut so that it fits `room` UTF-8 bytes, marker included (a UTF-16 unit is at most 3 bytes). */
const cutKey = (key: string, room: number) => {
  const marker = `…[truncated: ${key.length} characters]`;
  return `${key.slice(0, Math.max(0, Math.floor((room - Buffer.byteLength(marker)) / 3)))}${marker}`;
};

/**
 * Cuts long strings, keys and key paths in one free-form object, in place (its objects are this
 * line's own parse): each value to MAX_UNMAPPED_STRING, each key path to MAX_KEY_PATH_BYTES.
 */
function truncateFreeForm(root: Record<string, unknown>): boolean {
  let truncated = false;
  const cut = (s: string) => {
    truncated = true;
    return `${s.slice(0, MAX_UNMAPPED_STRING)}…[truncated: ${s.length} characters]`;
  };
  // Each object with the UTF-8 bytes of the path that leads to it.
  const stack: [Record<string, unknown> | unknown[], number][] = [[root, 0]];
  while (stack.length) {
    const [node, pathBytes] = stack.pop() as [Record<string, unknown> | unknown[], number];
    if (Array.isArray(node)) {
      // Array elements share their parent's path.
      node.forEach((v, i) => {
        if (typeof v === 'string' && v.length > MAX_UNMAPPED_STRING) node[i] = cut(v);
        else if (typeof v === 'object' && v !== null) stack.push([v as Record<string, unknown>, pathBytes]);
      });
      continue;
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      let name = key;
      const room = MAX_KEY_PATH_BYTES - pathBytes - (pathBytes ? 1 : 0);
      if (key.length > MAX_UNMAPPED_STRING) name = cut(key);
      if (Buffer.byteLength(name) > room) {
        truncated = true;
        name = cutKey(key, room);
      }
      if (name !== key) {
        delete node[key];
        node[name] = v;
      }
      if (typeof v === 'string' && v.length > MAX_UNMAPPED_STRING) node[name] = cut(v);
      else if (typeof v === 'object' && v !== null)
        stack.push([v as Record<string, unknown>, MAX_KEY_PATH_BYTES - room + Buffer.byteLength(name)]);
    }
  }
  return truncated;
}

/** Cuts long values in every free-form (`flat_object`) field of a document. */
function truncateFreeFormFields(doc: OcsfDocument): boolean {
  let truncated = false;
  for (const path of flatObjectPaths) {
    let node: unknown = doc;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    if (typeof node === 'object' && node !== null && truncateFreeForm(node as Record<string, unknown>))
      truncated = true;
  }
  return truncated;
}

function addLabel(doc: OcsfDocument, label: string): void {
  const list = (doc.metadata.labels ??= []) as string[];
  if (!list.includes(label)) list.push(label);
}

/** The account a CloudTrail record or GuardDuty finding is about, by its own content. */
function accountClaimed(json: Record<string, unknown>): unknown {
  if (isGuardDutyEvent(json)) return (json.detail as Record<string, unknown>).accountId ?? json.account;
  return json.recipientAccountId ?? (json.userIdentity as Record<string, unknown> | undefined)?.accountId;
}

/**
 * The trust decision, before any normalizer runs: a line is CloudTrail or GuardDuty only when its
 * (owner, log group) is trusted for that kind, and for account-mode trails only about the owner.
 */
function trustedKind(
  json: Record<string, unknown>,
  trust: SourceTrust,
  owner: string,
): 'cloudtrail' | 'guardduty' | 'untrusted-cloudtrail' | 'untrusted-guardduty' | undefined {
  const kind = isCloudTrailEvent(json) ? 'cloudtrail' : isGuardDutyEvent(json) ? 'guardduty' : undefined;
  if (!kind) return undefined;
  const accepted = trust.kinds.has(kind) && (!trust.ownAccountOnly || accountClaimed(json) === owner);
  return accepted ? kind : `untrusted-${kind}`;
}

/**
 * A JSON line, parsed with every integer outside JavaScript's exact range (±2^53 − 1) kept as the
 * string of its digits: JSON.parse would silently round 12345678901234567890 to
 * 12345678901234567000, and the searchable copy would then hold a number the line never had.
 * JSON.parse reads the line first; only when what it read holds a number past the exact range
 * (every integer token past it parses to one: rounding never brings a magnitude of 2^53 or more
 * below it) is the line scanned and those integers quoted. Before, a regular expression looked for
 * 16 digits in every line (half of JSON.parse's own time) and every line with such digits, inside
 * strings too (8 of the benchmark's 11 GuardDuty findings, 56 of its 312 CloudTrail records),
 * was scanned and parsed twice.
 */
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

const pastExactRange = (v: unknown) =>
  typeof v === 'number' && (v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER);

/** Whether a parsed value holds a number past the exact range, or nests past the depth limit (maybe). */
function mayHoldInexactNumber(value: object, level = 1): boolean {
  if (level > MAX_JSON_DEPTH + 1) return true;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (pastExactRange(v) || (typeof v === 'object' && v !== null && mayHoldInexactNumber(v, level + 1)))
      return true;
  }
  return false;
}

export function parseJsonLine(line: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
    if (
      typeof parsed === 'object' && parsed !== null ? !mayHoldInexactNumber(parsed) : !pastExactRange(parsed)
    )
      return parsed;
  } catch (err) {
    // Invalid JSON: with 16 digits in a row, the error quotes the scanned text, as it always did.
    if (!/\d{16}/.test(line)) throw err;
  }
  let out = '';
  let from = 0;
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string, escapes included.
      for (i++; i < line.length && line.charCodeAt(i) !== 0x22; i++) if (line.charCodeAt(i) === 0x5c) i++;
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(line);
      const token = m?.[0] ?? line[i];
      if (m && m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(Number(token))) {
        out += `${line.slice(from, i)}"${token}"`;
        from = i + token.length;
      }
      i += token.length;
    } else i++;
  }
  return JSON.parse(out + line.slice(from));
}

/** What every event of a payload shares, looked up once per payload. */
interface PayloadContext {
  region: string | undefined;
  /** The group's flow-log format, when the group is trusted for flow records. */
  format: FlowLogFormat | undefined;
  /** With a format: only records whose `account-id` is the owner's (or says no account). */
  flowOwnAccountOnly: boolean;
  /** With a format: where `account-id` sits in a line, -1 when the format has none. */
  flowAccountAt: number;
  trust: SourceTrust;
  /** Writes the payload's application events as text (forEachDocumentText), made on first use. */
  baseEvents?: BaseEventWriter;
}

/** Configured flow-log formats, parsed once each. */
const configuredFormats = new Map<string, FlowLogFormat>();
function configuredFormat(text: string): FlowLogFormat {
  let format = configuredFormats.get(text);
  if (!format) configuredFormats.set(text, (format = parseFormatString('configured', text)));
  return format;
}

/**
 * The trust decision for flow records, once per payload (issue 21 §16): a line is a VPC flow
 * record only from a flow-log group logwarden created (its registry's groups, in any account,
 * each for its own account: "self") or one the config names as a flow-log group, in the account
 * the config names (contracts/trusted-sources.ts), exactly as CloudTrail and GuardDuty.
 */
function contextOf(
  payload: CwlPayload,
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
  region: string | undefined,
): PayloadContext {
  const source = trust.of(payload.owner, payload.logGroup);
  const configured = source.kinds.has('vpcflow');
  const format = configured
    ? source.flowFormat !== undefined
      ? configuredFormat(source.flowFormat)
      : (formats.formatOf(payload.logGroup) ?? defaultV2Format)
    : formats.formatOf(payload.logGroup);
  return {
    region,
    format,
    flowOwnAccountOnly: configured ? source.ownAccountOnly : true,
    flowAccountAt: format ? format.fields.indexOf('account-id') : -1,
    trust: source,
  };
}

/**
 * A flow record's `account-id` is its owner's, or says no account: "-", or "unknown" for an
 * interface an AWS service created (Amazon VPC User Guide, "Flow log records", account-id).
 */
const ownFlowAccount = (value: string | undefined, owner: string) =>
  value === undefined || value === owner || value === '-' || value === 'unknown';

/**
 * The document of a line. With `asText`, an application event that needs no label and no cut (the
 * lines of nearly every application log) is returned as its JSON text instead (`baseEventWriter`).
 */
function normalizeContent(
  origin: EventOrigin,
  message: string,
  context: PayloadContext,
  asText = false,
): OcsfDocument | string {
  const { payload } = origin;
  const format = context.format;
  if (format) {
    const values = splitFlowLogLine(message);
    if (values.length !== format.fields.length) {
      const reason = `flow-log line has ${values.length} fields, format ${format.id} of ${payload.logGroup} has ${format.fields.length}`;
      return toParseError(origin, reason, FLOW_LOG_PRODUCT);
    }
    if (!context.flowOwnAccountOnly || ownFlowAccount(values[context.flowAccountAt], payload.owner))
      return toNetworkActivity(origin, format, values);
    // A record about another account, in a group trusted only for its owner's own.
    const doc = toBaseEvent(origin);
    addLabel(doc, labels.untrustedVpcFlow);
    return doc;
  }

  const trimmed = message.trimStart();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = parseJsonLine(message);
    } catch (err) {
      return toParseError(origin, `invalid JSON: ${(err as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return toParseError(origin, 'JSON is not an object');
    }
    if (nestedDeeperThan(json, MAX_JSON_DEPTH)) {
      return toParseError(origin, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const obj = json as Record<string, unknown>;
    const kind = trustedKind(obj, context.trust, payload.owner);
    let doc: OcsfDocument;
    if (kind === 'cloudtrail') doc = toApiActivity(origin, obj);
    else if (kind === 'guardduty') doc = toDetectionFinding(origin, obj);
    else {
      // Anything else, a forged CloudTrail line included, is an application event of its owner.
      if (asText && kind === undefined && message.length <= MAX_UNMAPPED_STRING)
        return baseEventsOf(context, origin)(origin.event, obj);
      doc = toBaseEvent(origin, obj);
      if (kind === 'untrusted-cloudtrail') addLabel(doc, labels.untrustedCloudTrail);
      if (kind === 'untrusted-guardduty') addLabel(doc, labels.untrustedGuardDuty);
    }
    // A string or key longer than the limit needs a line longer than it (JSON escapes only
    // lengthen text): shorter lines, nearly all, are not walked for long strings at all.
    if (message.length > MAX_UNMAPPED_STRING && truncateFreeFormFields(doc)) addLabel(doc, labels.truncated);
    return doc;
  }
  // Shaped like a default-format flow record, from a group not trusted for them: the owner's
  // application event, flagged (before, it became a flow record of whatever account it named).
  const flowShaped = firstFieldIsTwo(trimmed) && looksLikeDefaultV2(splitFlowLogLine(message));
  if (asText && !flowShaped) return baseEventsOf(context, origin)(origin.event);
  const doc = toBaseEvent(origin);
  if (flowShaped) addLabel(doc, labels.untrustedVpcFlow);
  return doc;
}

const baseEventsOf = (context: PayloadContext, origin: EventOrigin): BaseEventWriter =>
  (context.baseEvents ??= baseEventWriter(origin.payload, context.region));

/**
 * One log event → exactly one OCSF document. Never throws and never returns nothing: a line
 * that cannot be read becomes a parse-error document (`unmapped.parse_error`) carrying the raw line.
 */
export function normalizeLogEvent(
  payload: CwlPayload,
  event: CwlLogEvent,
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
  region = regionOf(payload),
): OcsfDocument {
  return normalizeInContext(payload, event, contextOf(payload, formats, trust, region));
}

function normalizeInContext(payload: CwlPayload, event: CwlLogEvent, context: PayloadContext): OcsfDocument {
  return contentInContext(payload, event, context, false) as OcsfDocument;
}

/** `normalizeInContext`, or with `asText` (see normalizeContent) the JSON text of an application event. */
function contentInContext(
  payload: CwlPayload,
  event: CwlLogEvent,
  context: PayloadContext,
  asText: boolean,
): OcsfDocument | string {
  const origin: EventOrigin = { payload, event, region: context.region };
  let doc: OcsfDocument | string;
  try {
    // A line that was not valid UTF-8 gets its bytes and a label below: never written as text.
    doc = normalizeContent(origin, event.message, context, asText && event.invalidUtf8Base64 === undefined);
  } catch (err) {
    doc = toParseError(origin, (err as Error).message);
  }
  if (typeof doc === 'string') return doc;
  if (event.invalidUtf8Base64 !== undefined) {
    // The text was decoded with replacement characters; the record of truth is the bytes.
    doc.raw_data = event.invalidUtf8Base64;
    addLabel(doc, labels.invalidUtf8);
  }
  return doc;
}

/** Every log event of a DATA_MESSAGE, in order, one document each. */
export function normalizePayload(
  payload: CwlPayload,
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
): OcsfDocument[] {
  return normalizeEvents(payload, formats, trust);
}

/**
 * The documents of log events `start` to `end` (exclusive) of a payload, in order: a consumer
 * that writes a large payload out in parts holds one part's documents at a time.
 */
export function normalizeEvents(
  payload: CwlPayload,
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
  start = 0,
  end = payload.logEvents.length,
): OcsfDocument[] {
  const context = contextOf(payload, formats, trust, regionOf(payload));
  const docs: OcsfDocument[] = [];
  for (let i = start; i < end; i++) docs.push(normalizeInContext(payload, payload.logEvents[i], context));
  return docs;
}

/**
 * The same documents one at a time, each handed over as soon as it is built: a consumer that
 * writes a document out and lets it go keeps one document alive instead of the payload's
 * thousands (young-generation garbage collection costs what is alive, not what was allocated).
 */
export function forEachDocument(
  payload: CwlPayload,
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
  visit: (doc: OcsfDocument, event: CwlLogEvent, index: number) => void,
  /** Only the events this is true of are normalized (a consumer's cheap look at each line). */
  only?: (event: CwlLogEvent) => boolean,
): void {
  const context = contextOf(payload, formats, trust, regionOf(payload));
  const events = payload.logEvents;
  for (let i = 0; i < events.length; i++)
    if (!only || only(events[i])) visit(normalizeInContext(payload, events[i], context), events[i], i);
}

/** What a consumer that writes documents out as text learns of each, besides its text. */
export interface WrittenDocument {
  /** The document as one JSON line (`serializeDocument`'s text). */
  text: string;
  kind: SourceKind;
  /** The document's `time`. */
  time: number;
  /** For a parse error: `metadata.product.name` of the product it came from. */
  parseErrorProduct?: string;
}

/**
 * Every document of a payload as JSON text, in order, each handed over as soon as it is written:
 * the same text as `serializeDocument(normalizeLogEvent(…))`. A flow record of a trusted group is
 * written straight from its fields (`writeNetworkActivity`), without building an object to
 * stringify; every other line is normalized and serialized. The `WrittenDocument` is reused.
 */
export function forEachDocumentText(
  payload: CwlPayload,
  formats: FlowLogFormatRegistry,
  trust: TrustTable,
  visit: (written: WrittenDocument, event: CwlLogEvent, index: number) => void,
): void {
  const context = contextOf(payload, formats, trust, regionOf(payload));
  const events = payload.logEvents;
  const written: WrittenDocument = { text: '', kind: 'vpcflow', time: 0 };
  const format = context.format;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (format && event.invalidUtf8Base64 === undefined) {
      let text: string | undefined;
      try {
        const values = splitFlowLogLine(event.message);
        if (
          values.length === format.fields.length &&
          (!context.flowOwnAccountOnly || ownFlowAccount(values[context.flowAccountAt], payload.owner))
        )
          text = writeNetworkActivity({ payload, event, region: context.region }, format, values, written);
      } catch {
        // The object path below turns whatever went wrong into a document.
        text = undefined;
      }
      if (text !== undefined) {
        written.text = text;
        written.kind = 'vpcflow';
        written.parseErrorProduct = undefined;
        visit(written, event, i);
        continue;
      }
    }
    const doc = contentInContext(payload, event, context, true);
    if (typeof doc === 'string') {
      // An application event, written as text (baseEventWriter): its time is when it was logged.
      written.text = doc;
      written.kind = 'application';
      written.time = event.timestamp;
      written.parseErrorProduct = undefined;
      visit(written, event, i);
      continue;
    }
    written.text = serializeDocument(payload, event, doc);
    written.kind = sourceKindOf(doc);
    written.time = doc.time;
    written.parseErrorProduct = written.kind === 'parse_error' ? doc.metadata.product.name : undefined;
    visit(written, event, i);
  }
}

/**
 * The document's id in OpenSearch and the alert-dedupe key: the event's own id (`metadata.uid`)
 * namespaced by the payload's owner and log group, so a writer elsewhere that reuses a genuine
 * event id can neither overwrite the genuine document nor suppress its alert.
 */
export function documentId(payload: Pick<CwlPayload, 'owner' | 'logGroup'>, doc: OcsfDocument): string {
  return hash('sha256', `${payload.owner}\n${payload.logGroup}\n${doc.metadata.uid}`, 'hex').slice(0, 40);
}

/**
 * A document as one JSON line. Serialization cannot fail on what normalization builds (depth is
 * capped), but if it ever did, the line becomes a parse error that keeps the raw text.
 */
export function serializeDocument(payload: CwlPayload, event: CwlLogEvent, doc: OcsfDocument): string {
  try {
    return JSON.stringify(doc);
  } catch (err) {
    const origin: EventOrigin = { payload, event, region: doc.cloud.region };
    const fallback = toParseError(origin, `document cannot be serialized: ${(err as Error).message}`);
    fallback.raw_data = doc.raw_data;
    return JSON.stringify(fallback);
  }
}
