import { hash } from 'node:crypto';
import type { CwlLogEvent, CwlPayload } from '../cwl-payload';

export const OCSF_VERSION = '1.1.0';

/** Where a log event came from: the payload it arrived in plus what logwarden knows of it. */
export interface EventOrigin {
  readonly payload: CwlPayload;
  readonly event: CwlLogEvent;
  /** Region of the subscription the payload came through, when it can be known. */
  readonly region?: string;
}

export interface OcsfDocument {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activity_id: number;
  activity_name?: string;
  type_uid: number;
  severity_id: number;
  severity?: string;
  time: number;
  message?: string;
  status?: string;
  status_id?: number;
  cloud: { provider: 'AWS'; region: string; account: { uid: string }; zone?: string };
  metadata: {
    version: string;
    uid: string;
    log_name: string;
    log_provider: string;
    product: { name: string; vendor_name: 'AWS'; version?: string };
    logged_time: number;
    original_time?: string;
    /** Flags logwarden sets on a document (see `labels` in normalize.ts). */
    labels?: string[];
  };
  raw_data: string;
  parse_error?: string;
  /** Free-form nested objects, kept whole. Mapped as one flat_object, so they add no mappings. */
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

/**
 * A new document with the fields every class carries. Normalizers then set their own fields on
 * it. Built property by property: object spread is far slower in V8 on this hot path.
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
    severity_id: 1,
    severity: 'Informational',
    time,
    cloud: { provider: 'AWS', region: origin.region ?? 'unknown', account: { uid: origin.payload.owner } },
    metadata: {
      version: OCSF_VERSION,
      uid: uid ?? hashUid(origin),
      log_name: origin.payload.logGroup,
      log_provider: 'CloudWatch Logs',
      product: { name: product, vendor_name: 'AWS' },
      logged_time: time,
    },
    raw_data: origin.event.message,
  };
}

/** Epoch ms of an ISO-8601 time, or undefined when it is not one. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
