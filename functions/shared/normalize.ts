import { regionOfSubscription } from '../../contracts/names';
import type { CwlLogEvent, CwlPayload } from './cwl-payload';
import { FlowLogFormatRegistry, defaultV2Format, looksLikeDefaultV2 } from './flow-log-formats';
import { parseErrorOf, toBaseEvent, toParseError } from './ocsf/base-event';
import { CLOUDTRAIL_PRODUCT, isCloudTrailEvent, toApiActivity } from './ocsf/cloudtrail';
import type { EventOrigin, OcsfDocument } from './ocsf/document';
import { FLOW_LOG_PRODUCT, splitFlowLogLine, toNetworkActivity } from './ocsf/flow-log';
import { GUARDDUTY_PRODUCT, isGuardDutyEvent, toDetectionFinding } from './ocsf/guardduty';

export { parseErrorOf };

export type SourceKind = 'cloudtrail' | 'vpcflow' | 'guardduty' | 'application' | 'parse_error';

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
 * One log event → exactly one OCSF document. Never throws and never returns nothing: a line
 * that cannot be read becomes a parse-error document (`unmapped.parse_error`) carrying the raw line.
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
        return toParseError(origin, reason, FLOW_LOG_PRODUCT);
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
