import { isIP } from 'node:net';
import { epochMs, EventOrigin, newDocument, OcsfDocument } from './document';

const API_ACTIVITY = {
  class_uid: 6003,
  class_name: 'API Activity',
  category_uid: 6,
  category_name: 'Application Activity',
};

export function isCloudTrailEvent(json: Record<string, unknown>): boolean {
  return typeof json.eventVersion === 'string' && typeof json.eventSource === 'string';
}

const activities: [RegExp, number, string][] = [
  [/^(Create|Put|Add|Register|Run|Start|Import|Allocate|Attach|Associate|Enable|Invite)/, 1, 'Create'],
  [/^(Get|Describe|List|Lookup|Search|Head|Select|Scan|Query|BatchGet|Batch.*Get|Retrieve)/, 2, 'Read'],
  [
    /^(Update|Modify|Set|Change|Replace|Reset|Stop|Reboot|Disable|Tag|Untag|Accept|Reject|Apply)/,
    3,
    'Update',
  ],
  [/^(Delete|Remove|Terminate|Deregister|Detach|Disassociate|Revoke|Release|Purge|Cancel)/, 4, 'Delete'],
];

function activityOf(eventName: string): [number, string] {
  for (const [re, id, name] of activities) if (re.test(eventName)) return [id, name];
  return [99, 'Other'];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const freeForm = [
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
] as const;

/** CloudTrail event → OCSF API Activity (6003). */
export function toApiActivity(origin: EventOrigin, ct: Record<string, unknown>): OcsfDocument {
  const eventName = str(ct.eventName) ?? 'Unknown';
  const [activityId, activityName] = activityOf(eventName);
  const identity = (ct.userIdentity ?? {}) as Record<string, unknown>;
  const sessionContext = identity.sessionContext as
    { sessionIssuer?: { userName?: string }; attributes?: { mfaAuthenticated?: string } } | undefined;
  const errorCode = str(ct.errorCode);
  const sourceIp = str(ct.sourceIPAddress);
  const doc = newDocument(origin, API_ACTIVITY, activityId, activityName, 'CloudTrail', str(ct.eventID));

  doc.time = epochMs(ct.eventTime) ?? doc.time;
  doc.status = errorCode ? 'Failure' : 'Success';
  doc.status_id = errorCode ? 2 : 1;
  doc.cloud.region = str(ct.awsRegion) ?? doc.cloud.region;
  doc.cloud.account.uid = str(ct.recipientAccountId) ?? str(identity.accountId) ?? doc.cloud.account.uid;
  doc.metadata.product.version = str(ct.eventVersion);
  doc.metadata.original_time = str(ct.eventTime);
  doc.api = {
    operation: eventName,
    service: { name: str(ct.eventSource) },
    request: { uid: str(ct.requestID) },
    response: errorCode ? { error: errorCode, error_message: str(ct.errorMessage) } : undefined,
  };
  const mfa = sessionContext?.attributes?.mfaAuthenticated;
  doc.actor = {
    user: {
      type: str(identity.type),
      uid: str(identity.principalId),
      name: str(identity.userName) ?? str(sessionContext?.sessionIssuer?.userName),
      account: { uid: str(identity.accountId) },
      credential_uid: str(identity.accessKeyId),
      uid_alt: str(identity.arn),
    },
    invoked_by: str(identity.invokedBy),
    session: mfa ? { is_mfa: mfa === 'true' } : undefined,
  };
  doc.src_endpoint = sourceIp ? (isIP(sourceIp) ? { ip: sourceIp } : { domain: sourceIp }) : undefined;
  doc.http_request = { user_agent: str(ct.userAgent) };
  doc.resources = Array.isArray(ct.resources)
    ? (ct.resources as Record<string, unknown>[]).map((r) => ({ uid: str(r?.ARN), type: str(r?.type) }))
    : undefined;
  doc.event_category = str(ct.eventCategory);
  doc.event_type = str(ct.eventType);
  doc.read_only = typeof ct.readOnly === 'boolean' ? ct.readOnly : undefined;
  doc.management_event = typeof ct.managementEvent === 'boolean' ? ct.managementEvent : undefined;

  let unmapped: Record<string, unknown> | undefined;
  for (const key of freeForm) {
    if (ct[key] !== undefined && ct[key] !== null) (unmapped ??= {})[key] = ct[key];
  }
  if (unmapped) doc.unmapped = unmapped;
  return doc;
}
