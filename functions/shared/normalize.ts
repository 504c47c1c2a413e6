import { regionOfSubscription } from '../../contracts/names';
import type { CwlLogEvent, CwlPayload } from './cwl-payload';
import { FlowLogFormatRegistry, defaultV2Format, looksLikeDefaultV2 } from './flow-log-formats';
import { toBaseEvent, toParseError } from './ocsf/base-event';
import { isCloudTrailEvent, toApiActivity } from './ocsf/cloudtrail';
import type { EventOrigin, OcsfDocument } from './ocsf/document';
import { splitFlowLogLine, toNetworkActivity } from './ocsf/flow-log';
import { isGuardDutyEvent, toDetectionFinding } from './ocsf/guardduty';

export type SourceKind = 'cloudtrail' | 'vpcflow' | 'guardduty' | 'application' | 'parse_error';

export function sourceKindOf(doc: OcsfDocument): SourceKind {
  if (doc.parse_error !== undefined) return 'parse_error';
  switch (doc.class_uid) {
    case 6003:
      return 'cloudtrail';
    case 4001:
      return 'vpcflow';
    case 2004:
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
 * One log event → exactly one OCSF document. Never throws and never returns nothing: a line
 * that cannot be read becomes a `parse_error` document carrying the raw line.
 */
export function normalizeLogEvent(
  payload: CwlPayload,
  event: CwlLogEvent,
  formats: FlowLogFormatRegistry,
  region = regionOf(payload),
): OcsfDocument {
  const origin: EventOrigin = { payload, event, region };
  const message = event.message;
  try {
    const format = formats.formatOf(payload.logGroup);
    if (format) {
      const values = splitFlowLogLine(message);
      if (values.length !== format.fields.length) {
        const reason = `flow-log line has ${values.length} fields, format ${format.id} of ${payload.logGroup} has ${format.fields.length}`;
        return toParseError(origin, reason, 'VPC Flow Logs');
      }
      return toNetworkActivity(origin, format, values);
    }

    const trimmed = message.trimStart();
    if (trimmed.startsWith('{')) {
      let json: unknown;
      try {
        json = JSON.parse(message);
      } catch (err) {
        return toParseError(origin, `invalid JSON: ${(err as Error).message}`);
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        return toParseError(origin, 'JSON is not an object');
      }
      const obj = json as Record<string, unknown>;
      if (isCloudTrailEvent(obj)) return toApiActivity(origin, obj);
      if (isGuardDutyEvent(obj)) return toDetectionFinding(origin, obj);
      return toBaseEvent(origin, obj);
    }
    const fields = splitFlowLogLine(message);
    if (looksLikeDefaultV2(fields)) return toNetworkActivity(origin, defaultV2Format, fields);
    return toBaseEvent(origin);
  } catch (err) {
    return toParseError(origin, (err as Error).message);
  }
}

/** Every log event of a DATA_MESSAGE, in order, one document each. */
export function normalizePayload(payload: CwlPayload, formats: FlowLogFormatRegistry): OcsfDocument[] {
  const region = regionOf(payload);
  return payload.logEvents.map((event) => normalizeLogEvent(payload, event, formats, region));
}
