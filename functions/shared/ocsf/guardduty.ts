import { epochMs, EventOrigin, newDocument, OcsfDocument, severityNames } from './document';

const DETECTION_FINDING = {
  class_uid: 2004,
  class_name: 'Detection Finding',
  category_uid: 2,
  category_name: 'Findings',
};

export function isGuardDutyEvent(json: Record<string, unknown>): boolean {
  return json.source === 'aws.guardduty' && typeof json.detail === 'object' && json.detail !== null;
}

/**
 * GuardDuty severity (0.1–10.0) → OCSF severity_id. Bands from the GuardDuty user guide:
 * Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0.
 */
export function guardDutySeverityId(severity: unknown): number {
  if (typeof severity !== 'number' || !Number.isFinite(severity)) return 0;
  if (severity >= 9) return 5;
  if (severity >= 7) return 4;
  if (severity >= 4) return 3;
  if (severity >= 1) return 2;
  return 1;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function resourceOf(
  resource: Record<string, unknown> | undefined,
): { type?: string; uid?: string } | undefined {
  if (!resource) return undefined;
  const type = str(resource.resourceType);
  const instance = resource.instanceDetails as Record<string, unknown> | undefined;
  const key = resource.accessKeyDetails as Record<string, unknown> | undefined;
  const buckets = resource.s3BucketDetails as Record<string, unknown>[] | undefined;
  const uid =
    str(instance?.instanceId) ?? str(key?.accessKeyId) ?? str(buckets?.[0]?.name) ?? str(buckets?.[0]?.arn);
  return { type, uid };
}

/** EventBridge "GuardDuty Finding" event → OCSF Detection Finding (2004). */
export function toDetectionFinding(origin: EventOrigin, event: Record<string, unknown>): OcsfDocument {
  const finding = event.detail as Record<string, unknown>;
  const service = (finding.service ?? {}) as Record<string, unknown>;
  const count = typeof service.count === 'number' ? service.count : 1;
  const activityId = count > 1 ? 2 : 1;
  const severityId = guardDutySeverityId(finding.severity);
  const updatedAt = str(finding.updatedAt);
  const id = str(finding.id);
  const doc = newDocument(
    origin,
    DETECTION_FINDING,
    activityId,
    activityId === 1 ? 'Create' : 'Update',
    'GuardDuty',
    id ? `${id}:${updatedAt ?? ''}` : undefined,
  );
  const resource = resourceOf(finding.resource as Record<string, unknown> | undefined);
  doc.time = epochMs(updatedAt) ?? epochMs(event.time) ?? doc.time;
  doc.severity_id = severityId;
  doc.severity = severityNames[severityId];
  doc.cloud.region = str(finding.region) ?? str(event.region) ?? doc.cloud.region;
  doc.cloud.account.uid = str(finding.accountId) ?? str(event.account) ?? doc.cloud.account.uid;
  doc.metadata.product.version = str(finding.schemaVersion);
  doc.metadata.original_time = updatedAt;
  doc.finding_info = {
    uid: id,
    uid_alt: str(finding.arn),
    title: str(finding.title),
    desc: str(finding.description),
    types: str(finding.type) ? [finding.type as string] : undefined,
    created_time: epochMs(finding.createdAt),
    modified_time: epochMs(updatedAt),
    first_seen_time: epochMs(service.eventFirstSeen),
    last_seen_time: epochMs(service.eventLastSeen),
    count,
  };
  doc.resources = resource ? [resource] : undefined;
  doc.risk_score = typeof finding.severity === 'number' ? finding.severity : undefined;
  const unmapped: Record<string, unknown> = {};
  if (finding.service !== undefined) unmapped.service = finding.service;
  if (finding.resource !== undefined) unmapped.resource = finding.resource;
  doc.unmapped = unmapped;
  return doc;
}
