import { hash } from 'node:crypto';
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
  name: string;
  vendor_name: 'AWS';
  version?: string;
  feature?: { name: string };
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

/** Deterministic id for events without one of their own: same group, stream and event id, same uid. */
export function hashUid(origin: EventOrigin): string {
  const key = `${origin.payload.logGroup}\n${origin.payload.logStream}\n${origin.event.id}`;
  return hash('sha256', key, 'hex').slice(0, 40);
}

export interface OcsfClass {
  readonly class_uid: number;
  readonly class_name: string;
  readonly category_uid: number;
  readonly category_name: string;
}

/** Profiles of documents that use neither `action` nor `disposition`. */
export const baseProfiles: OcsfProfile[] = ['cloud', 'datetime'];

const FIRST_MS = -62167219200000; // 0000-01-01T00:00:00.000Z
const LAST_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

/**
 * RFC 3339 (the `datetime_t` form) of an epoch-ms time; `undefined` when it is not a real time or
 * falls outside years 0000–9999, which RFC 3339 cannot write (JavaScript writes `+010000-…`).
 */
export function isoTime(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < FIRST_MS || ms > LAST_MS) return undefined;
  return new Date(ms).toISOString();
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
  product: string,
  /** The event's own id, when it has one; otherwise a hash of where it was delivered. */
  uid?: string,
): OcsfDocument {
  const time = origin.event.timestamp;
  return {
    class_uid: cls.class_uid,
    class_name: cls.class_name,
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: cls.class_uid * 100 + activityId,
    type_name: `${cls.class_name}: ${activityId === 99 ? 'Other' : activityName}`,
    severity_id: 1,
    severity: 'Informational',
    time,
    time_dt: isoTime(time) ?? new Date(0).toISOString(),
    cloud: { provider: 'AWS', region: origin.region ?? 'unknown', account: { uid: origin.payload.owner } },
    metadata: {
      version: OCSF_VERSION,
      profiles: baseProfiles,
      uid: uid ?? hashUid(origin),
      log_name: origin.payload.logGroup,
      log_provider: 'CloudWatch Logs',
      product: { name: product, vendor_name: 'AWS' },
      logged_time: time,
    },
    raw_data: origin.event.message,
  };
}

/** Sets `time` and its `time_dt` together; a time that is not one leaves both as they were. */
export function setTime(doc: OcsfDocument, ms: number | undefined): void {
  const iso = isoTime(ms);
  if (ms === undefined || iso === undefined) return;
  doc.time = ms;
  doc.time_dt = iso;
}

/** Epoch ms of an ISO-8601 time, or undefined when it is not one. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
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
