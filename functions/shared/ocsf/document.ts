import { isIP } from 'node:net';
import type { CwlLogEvent, CwlPayload } from '../cwl-payload';

export const OCSF_VERSION = '1.1.0';

/** Where a log event came from: the payload it arrived in plus what logwarden knows of it. */
export interface EventOrigin {
  readonly payload: CwlPayload;
  readonly event: CwlLogEvent;
  /** Region of the subscription the payload came through, when it can be known. */
  readonly region?: string;
}

/**
 * OCSF profiles a document declares in `metadata.profiles`. An attribute a profile brings
 * (`cloud`, the `*_dt` times, `action_id`/`disposition_id`) is valid only when it is declared.
 */
export type OcsfProfile = 'cloud' | 'datetime' | 'security_control';

export interface OcsfProduct {
  readonly name: string;
  readonly vendor_name: 'AWS';
  readonly version?: string;
  readonly feature?: { readonly name: string };
}

export interface OcsfDocument {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activity_id: number;
  activity_name?: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity?: string;
  time: number;
  /** The `datetime` profile's RFC 3339 form of `time`. */
  time_dt: string;
  message?: string;
  status?: string;
  status_id?: number;
  cloud: { provider: 'AWS'; region: string; account: { uid: string }; zone?: string };
  metadata: {
    version: string;
    profiles: OcsfProfile[];
    uid: string;
    log_name: string;
    log_provider: string;
    product: OcsfProduct;
    logged_time: number;
    original_time?: string;
    event_code?: string;
    log_version?: string;
    /** Flags logwarden sets on a document (see `labels` in normalize.ts). */
    labels?: string[];
  };
  raw_data: string;
  /** Free-form data OCSF has no place for. Mapped as one flat_object, so it adds no mappings. */
  unmapped?: Record<string, unknown>;
  [attribute: string]: unknown;
}

export const severityNames = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical', 'Fatal'];

/**
 * The id of an event that has none of its own: the id CloudWatch Logs gave the log event, "a
 * unique identifier for every log event" (CloudWatch Logs User Guide, "Subscription filters",
 * the payload's `logEvents[].id`). It is in the payload, so a re-delivery carries the same id;
 * `documentId` namespaces it by owner and log group. Taken as it is: hashing it (with the group
 * and stream, as logwarden did before) was about a fifth of a flow-log line's normalization.
 */
export const logEventUid = (origin: EventOrigin): string => origin.event.id;

export interface OcsfClass {
  readonly class_uid: number;
  readonly class_name: string;
  readonly category_uid: number;
  readonly category_name: string;
}

/** Products by name, version and feature ('' for none): lookups of the strings as they are, no key built. */
const products = new Map<string, Map<string, Map<string, OcsfProduct>>>();
let productCount = 0;

/**
 * The `metadata.product` of a source, its version and feature: one shared, frozen object per
 * combination, so a document does not allocate its own (the transform makes millions).
 */
export function productOf(name: string, version?: string, feature?: string): OcsfProduct {
  let byVersion = products.get(name);
  let byFeature = byVersion?.get(version ?? '');
  let product = byFeature?.get(feature ?? '');
  if (!product) {
    product = Object.freeze({
      name,
      vendor_name: 'AWS' as const,
      ...(feature !== undefined ? { feature: Object.freeze({ name: feature }) } : {}),
      ...(version !== undefined ? { version } : {}),
    });
    // Bounded: versions and features are few; a flood of new ones is not cached.
    if (productCount < 1000) {
      productCount++;
      if (!byVersion) products.set(name, (byVersion = new Map()));
      if (!byFeature) byVersion.set(version ?? '', (byFeature = new Map()));
      byFeature.set(feature ?? '', product);
    }
  }
  return product;
}

const typeNames = new Map<number, string>();

/** Profiles of documents that use neither `action` nor `disposition`. */
export const baseProfiles: OcsfProfile[] = ['cloud', 'datetime'];

const FIRST_MS = -62167219200000; // 0000-01-01T00:00:00.000Z
const LAST_MS = 253402300799999; // 9999-12-31T23:59:59.999Z
const DAY_MS = 86_400_000;
const DIGITS2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `YYYY-MM-DDT` of a day since 1970-01-01, by the days-to-civil-date conversion (eras of 400 years, years from March). */
function dayText(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${DIGITS2[month]}-${DIGITS2[day]}T`;
}
/** `YYYY-MM-DDT` of the days seen (a batch spans few), made once each; bounded. */
const dayTexts = new Map<number, string>();

/**
 * RFC 3339 (the `datetime_t` form) of an epoch-ms time, exactly as `Date.prototype.toISOString`
 * writes it; `undefined` when it is not a real time or falls outside years 0000–9999, which RFC
 * 3339 cannot write (JavaScript writes `+010000-…`). Integer arithmetic with each day's text kept
 * for the next calls: through a `Date`, this was the most expensive step of a flow-log line.
 */
export function isoTime(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < FIRST_MS || ms > LAST_MS) return undefined;
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let day = dayTexts.get(days);
  if (day === undefined) {
    if (dayTexts.size >= 4096) dayTexts.clear();
    day = dayText(days);
    dayTexts.set(days, day);
  }
  let rest = ms - days * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${day}${DIGITS2[hour]}:${DIGITS2[minute]}:${DIGITS2[second]}.${DIGITS3[milli]}Z`;
}

/**
 * A new document with the fields every class carries. Normalizers then set their own fields on
 * it. Built property by property: object spread is far slower in V8 on this hot path.
 *
 * `activityName` is the caption of `activityId` (the OCSF server checks the sibling), except for
 * 99 (Other), where it is the source's own name for the activity; `type_name` is then the
 * caption of `type_uid`, which for 99 ends in "Other".
 */
export function newDocument(
  origin: EventOrigin,
  cls: OcsfClass,
  activityId: number,
  activityName: string,
  product: OcsfProduct,
  /** The event's own id, when it has one; otherwise the log event's (`logEventUid`). */
  uid?: string,
  /** When the event happened, epoch ms, if the event says; otherwise (or if it is no time) when it was logged. */
  eventTime?: number,
): OcsfDocument {
  const logged = origin.event.timestamp;
  const eventIso = isoTime(eventTime);
  const time = eventIso === undefined ? logged : (eventTime as number);
  return {
    class_uid: cls.class_uid,
    class_name: cls.class_name,
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: cls.class_uid * 100 + activityId,
    type_name: typeNameOf(cls, activityId, activityName),
    severity_id: 1,
    severity: 'Informational',
    time,
    time_dt: eventIso ?? isoTime(logged) ?? new Date(0).toISOString(),
    cloud: { provider: 'AWS', region: origin.region ?? 'unknown', account: { uid: origin.payload.owner } },
    metadata: {
      version: OCSF_VERSION,
      profiles: baseProfiles,
      uid: uid ?? logEventUid(origin),
      log_name: origin.payload.logGroup,
      log_provider: 'CloudWatch Logs',
      product,
      logged_time: logged,
    },
    raw_data: origin.event.message,
  };
}

/** The caption of `type_uid`: "<class>: <activity caption>", "Other" for 99. */
function typeNameOf(cls: OcsfClass, activityId: number, activityName: string): string {
  const typeUid = cls.class_uid * 100 + activityId;
  let name = typeNames.get(typeUid);
  if (name === undefined) {
    name = `${cls.class_name}: ${activityId === 99 ? 'Other' : activityName}`;
    typeNames.set(typeUid, name);
  }
  return name;
}

/** Epoch ms of an ISO-8601 time, as `Date.parse` reads it, or undefined when it is not one. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = utcMs(value) ?? Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The value of two (or three) ASCII digits at `i`, or NaN when one is not a digit. */
function digits(s: string, i: number, count: 2 | 3): number {
  let n = 0;
  for (let k = i; k < i + count; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/** Days from 1970-01-01 to the first of a month (the days-from-civil conversion, years from March). */
function daysToMonth(year: number, month: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS.sssZ`, the forms CloudTrail and GuardDuty
 * write, read digit by digit: the same number `Date.parse` gives (a day past the month's end
 * rolls over, as V8 does; property-tested against it), about ten times faster. Undefined for
 * any other form, which `Date.parse` then reads.
 */
function utcMs(s: string): number | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 0x5a /* Z */) return undefined;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return undefined;
  const year = digits(s, 0, 2) * 100 + digits(s, 2, 2);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  let milli = 0;
  if (n === 24) {
    if (s[19] !== '.') return undefined;
    milli = digits(s, 20, 3);
  }
  // NaN (a non-digit) fails every comparison below.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return undefined;
  if (!(hour <= 23 && minute <= 59 && second <= 59 && milli >= 0)) return undefined;
  return (daysToMonth(year, month) + day - 1) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + milli;
}

/** A string that says something: empty strings are left out rather than mapped. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** An object with at least one defined value, or undefined: OCSF consumers reject `{}` noise. */
export function nonEmpty<T extends object>(o: T): T | undefined {
  for (const k in o) if ((o as Record<string, unknown>)[k] !== undefined) return o;
  return undefined;
}

/** An address OCSF's ip_t takes: a valid IPv4 or IPv6 address of at most 40 characters. */
export const isOcsfIp = (v: string): boolean => v.length <= 40 && isIP(v) !== 0;
