/**
 * CloudTrail → OCSF 1.1.0, after AWS's reference mapping (ocsf/examples,
 * mappings/markdown/AWS/v1.1.0/CloudTrail: API Activity, Account Change, Authentication, and the
 * class selector of mappings/bloblang/AWS/CloudTrail/v1.1.0/cloudtrail.yml). Field meanings:
 * CloudTrail User Guide, "CloudTrail record contents" and "CloudTrail userIdentity element".
 */
import { toParseError } from './base-event';
import {
  epochMs,
  EventOrigin,
  newDocument,
  nonEmpty,
  OcsfClass,
  OcsfDocument,
  productOf,
  str,
  isOcsfIp,
} from './document';

const API_ACTIVITY: OcsfClass = {
  class_uid: 6003,
  class_name: 'API Activity',
  category_uid: 6,
  category_name: 'Application Activity',
};
const ACCOUNT_CHANGE: OcsfClass = {
  class_uid: 3001,
  class_name: 'Account Change',
  category_uid: 3,
  category_name: 'Identity & Access Management',
};
const AUTHENTICATION: OcsfClass = {
  class_uid: 3002,
  class_name: 'Authentication',
  category_uid: 3,
  category_name: 'Identity & Access Management',
};

export const CLOUDTRAIL_PRODUCT = 'CloudTrail';

export function isCloudTrailEvent(json: Record<string, unknown>): boolean {
  return typeof json.eventVersion === 'string' && typeof json.eventSource === 'string';
}

/** Sign-in and credential events the reference routes to Authentication (3002). */
const authenticationEvents = new Set([
  'ConsoleLogin',
  'ExternalIdPDirectoryLogin',
  'CheckMfa',
  'CredentialChallenge',
  'CredentialVerification',
  'UserAuthentication',
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
]);
/** Of those, the ones that are a logon (activity 1); the rest are Other (99). */
const logonEvents = new Set([
  'ConsoleLogin',
  'ExternalIdPDirectoryLogin',
  'UserAuthentication',
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
]);

/**
 * IAM user, role, group, policy and account changes the reference routes to Account Change
 * (3001). The reference matches the name alone; logwarden also requires an IAM, sign-in or
 * account event source, so `CreateUser` of another service (Amazon MQ, Transfer Family) stays
 * API Activity.
 */
const accountChangeEvents = new Set([
  'UpdateRole',
  'AttachUserPolicy',
  'PutRolePermissionsBoundary',
  'DeletePolicy',
  'RemoveUserFromGroup',
  'ChangePassword',
  'CreateAccessKey',
  'AttachGroupPolicy',
  'ResyncMFADevice',
  'DeleteRolePolicy',
  'PutUserPermissionsBoundary',
  'CreateUser',
  'CreateServiceLinkedRole',
  'PutRolePolicy',
  'DetachGroupPolicy',
  'UpdateAccessKey',
  'CreateInstanceProfile',
  'CreateRole',
  'DeleteUserPermissionsBoundary',
  'DeleteAccountAlias',
  'PutGroupPolicy',
  'CreateLoginProfile',
  'DeleteGroupPolicy',
  'DeleteLoginProfile',
  'DeleteUserPolicy',
  'DeactivateMFADevice',
  'RemoveRoleFromInstanceProfile',
  'UpdateUser',
  'EnableMFADevice',
  'DeleteUser',
  'AddRoleToInstanceProfile',
  'UpdateAccountEmailAddress',
  'UpdateRoleDescription',
  'DetachUserPolicy',
  'UpdateAssumeRolePolicy',
  'DeleteGroup',
  'DeleteServiceLinkedRole',
  'DeleteAccessKey',
  'AddUserToGroup',
  'DeleteVirtualMFADevice',
  'FinalizeSmsMfaRegistration',
  'DeleteRolePermissionsBoundary',
  'DetachRolePolicy',
  'DeleteInstanceProfile',
  'UpdateGroup',
  'UpdateLoginProfile',
  'RequestSmsMfaRegistration',
  'DeleteRole',
  'PutUserPolicy',
  'CreateVirtualMFADevice',
  'AttachRolePolicy',
  'EmailUpdated',
  'AccountNameUpdated',
  'PasswordUpdated',
  'DeleteAccountPasswordPolicy',
  'UpdateAccountPasswordPolicy',
  'UpdateAccountName',
  'TagInstanceProfile',
  'TagRole',
  'TagUser',
  'UntagInstanceProfile',
  'UntagRole',
  'UntagUser',
  'CreateAccountAlias',
]);
const accountChangeSources = new Set(['iam.amazonaws.com', 'signin.amazonaws.com', 'account.amazonaws.com']);

/** Account Change activity, as the reference's selector orders its rules. */
function accountChangeActivity(name: string): [number, string] {
  if (name.includes('Attach') || name.includes('Put') || name === 'AddUserToGroup')
    return [7, 'Attach Policy'];
  if (name.includes('Create') || name === 'ResyncMFADevice' || name === 'EnableMFADevice')
    return [1, 'Create'];
  if (name === 'ChangePassword' || name === 'PasswordUpdated') return [3, 'Password Change'];
  if (name.includes('Detach') || name.includes('Remove')) return [8, 'Detach Policy'];
  if (/Delete(SSH|Server|Sign|Account|CloudFront|Service)/.test(name)) return [99, name];
  if (name.includes('Delete')) return [6, 'Delete'];
  return [99, name];
}

const apiActivities: [RegExp, number, string][] = [
  [/^(Create|Put|Add|Register|Run|Start|Import|Allocate|Attach|Associate|Enable|Invite)/, 1, 'Create'],
  [/^(Get|Describe|List|Lookup|Search|Head|Select|Scan|Query|BatchGet|Batch.*Get|Retrieve)/, 2, 'Read'],
  [
    /^(Update|Modify|Set|Change|Replace|Reset|Stop|Reboot|Disable|Tag|Untag|Accept|Reject|Apply)/,
    3,
    'Update',
  ],
  [/^(Delete|Remove|Terminate|Deregister|Detach|Disassociate|Revoke|Release|Purge|Cancel)/, 4, 'Delete'],
];

function apiActivity(eventName: string): [number, string] {
  for (const [re, id, name] of apiActivities) if (re.test(eventName)) return [id, name];
  return [99, eventName];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** Top-level record fields that have an OCSF place; every other field goes to `unmapped`. */
const mappedFields = new Set([
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'requestID',
  'eventID',
  'eventType',
  'apiVersion',
  'recipientAccountId',
  'resources',
  'eventCategory',
  'vpcEndpointId',
]);

/** The user an Account Change is about: the created or changed user or role. */
function changedUser(ct: Json): Json | undefined {
  const request = obj(ct.requestParameters);
  const response = obj(ct.responseElements);
  const user = obj(response?.user);
  const role = obj(response?.role);
  const account = str(ct.recipientAccountId) ?? str(obj(ct.userIdentity)?.accountId);
  return nonEmpty({
    name: str(request?.userName) ?? str(request?.roleName) ?? str(user?.userName) ?? str(role?.roleName),
    uid: str(user?.arn) ?? str(role?.arn),
    uid_alt: str(user?.userId) ?? str(role?.roleId),
    account: account ? { uid: account } : undefined,
  });
}

/** The user an Authentication is about: the role assumed, or the caller signing in. */
function authenticatedUser(ct: Json, identity: Json | undefined): Json | undefined {
  const request = obj(ct.requestParameters);
  const account = str(ct.recipientAccountId) ?? str(identity?.accountId);
  return nonEmpty({
    name: str(request?.roleSessionName) ?? str(identity?.userName),
    uid: str(request?.roleArn) ?? str(identity?.arn),
    uid_alt: str(request?.roleArn) ? undefined : str(identity?.principalId),
    account: account ? { uid: account } : undefined,
  });
}

/**
 * `sourceIPAddress` is the caller's address, or the name of the AWS service that called ("AWS
 * Internal" for the console's own calls). A service name becomes `svc_name` (and `domain`, as the
 * reference maps it; `domain` alone would not satisfy OCSF's network_endpoint constraint).
 * Anything else, e.g. an anonymised address that is no address ("253.252.51.07"), is kept as
 * the endpoint's `name`: never in the `ip`-typed field, never dropped.
 */
function sourceEndpoint(ct: Json): Json | undefined {
  const source = str(ct.sourceIPAddress);
  const vpce = str(ct.vpcEndpointId);
  if (source === undefined) return vpce ? { uid: vpce } : undefined;
  if (isOcsfIp(source)) return { ip: source, uid: vpce };
  if (source.endsWith('.amazonaws.com')) return { svc_name: source, domain: source, uid: vpce };
  if (source === 'AWS Internal') return { svc_name: source, uid: vpce };
  return { name: source, uid: vpce };
}

/**
 * A CloudTrail record → Authentication (3002) for sign-in and role assumption, Account Change
 * (3001) for IAM user and role changes, API Activity (6003) for the rest.
 */
export function toApiActivity(origin: EventOrigin, ct: Record<string, unknown>): OcsfDocument {
  const eventName = str(ct.eventName) ?? 'Unknown';
  const eventSource = str(ct.eventSource);
  const identity = obj(ct.userIdentity);
  const response = obj(ct.responseElements);
  const errorCode = str(ct.errorCode);
  // A sign-in says how it went in responseElements under its own name ({"ConsoleLogin":
  // "Failure"}, {"ExternalIdPDirectoryLogin": "Failure"}), with no errorCode.
  const failed = errorCode !== undefined || response?.[eventName] === 'Failure';

  let cls = API_ACTIVITY;
  let activity = apiActivity(eventName);
  let user: Json | undefined;
  if (authenticationEvents.has(eventName)) {
    user = authenticatedUser(ct, identity);
    if (user) {
      cls = AUTHENTICATION;
      activity = logonEvents.has(eventName) ? [1, 'Logon'] : [99, eventName];
    }
  } else if (accountChangeEvents.has(eventName) && eventSource && accountChangeSources.has(eventSource)) {
    user = changedUser(ct);
    if (user) {
      cls = ACCOUNT_CHANGE;
      activity = accountChangeActivity(eventName);
    }
  }
  const doc = newDocument(
    origin,
    cls,
    activity[0],
    activity[1],
    productOf(CLOUDTRAIL_PRODUCT, str(ct.eventVersion), str(ct.eventCategory)),
    str(ct.eventID),
    epochMs(ct.eventTime),
  );

  doc.status = failed ? 'Failure' : 'Success';
  doc.status_id = failed ? 2 : 1;
  doc.cloud.region = str(ct.awsRegion) ?? doc.cloud.region;
  doc.cloud.account.uid = str(ct.recipientAccountId) ?? str(identity?.accountId) ?? doc.cloud.account.uid;
  doc.metadata.event_code = str(ct.eventType);

  const request = obj(ct.requestParameters);
  const requestId = str(ct.requestID);
  doc.api = {
    operation: eventName,
    service: eventSource ? { name: eventSource } : undefined,
    version: str(ct.apiVersion),
    // `request.uid` is required in OCSF's request object: without a request id, the parameters
    // stay in `unmapped.requestParameters` (requestDataOf reads either place).
    request: requestId ? { uid: requestId, data: request } : undefined,
    response: nonEmpty({
      error: errorCode,
      message: str(ct.errorMessage),
      data: response,
    }),
  };
  doc.actor = actorOf(identity);
  doc.src_endpoint = sourceEndpoint(ct);
  const userAgent = str(ct.userAgent);
  if (userAgent) doc.http_request = { user_agent: userAgent };
  const resources = resourcesOf(ct);
  // Authentication and Account Change have no `resources` attribute: there they stay in
  // `unmapped.resources`.
  if (resources && cls === API_ACTIVITY) doc.resources = resources;
  if (cls === AUTHENTICATION) {
    const extra = obj(ct.additionalEventData);
    const loginTo = str(extra?.LoginTo);
    doc.user = user;
    // Authentication needs `service` or `dst_endpoint`: the service signed in to is the event source.
    doc.service = eventSource ? { name: eventSource } : undefined;
    if (loginTo) doc.dst_endpoint = { svc_name: loginTo };
    if (extra?.MFAUsed === 'Yes' || extra?.MFAUsed === 'No') doc.is_mfa = extra.MFAUsed === 'Yes';
  } else if (cls === ACCOUNT_CHANGE) {
    doc.user = user;
  }

  let unmapped: Json | undefined;
  for (const key in ct) {
    if (!mappedFields.has(key) && ct[key] !== undefined && ct[key] !== null) (unmapped ??= {})[key] = ct[key];
  }
  if (cls !== API_ACTIVITY && ct.resources !== undefined && ct.resources !== null)
    (unmapped ??= {}).resources = ct.resources;
  if (!requestId && request) (unmapped ??= {}).requestParameters = request;
  if (unmapped) doc.unmapped = unmapped;
  if (cls === API_ACTIVITY && (!doc.actor || !doc.src_endpoint)) {
    // API Activity requires both. CloudTrail records both in every record (userIdentity and
    // sourceIPAddress are not optional in "CloudTrail record contents"), so a record without
    // them is not as CloudTrail writes it: kept whole as a parse error, counted, not guessed at.
    const missing = [
      doc.actor ? undefined : 'userIdentity',
      doc.src_endpoint ? undefined : 'sourceIPAddress',
    ];
    return toParseError(
      origin,
      `CloudTrail record without ${missing.filter(Boolean).join(' and ')}`,
      CLOUDTRAIL_PRODUCT,
    );
  }
  return doc;
}

function resourcesOf(ct: Json): Json[] | undefined {
  if (!Array.isArray(ct.resources)) return undefined;
  const resources = (ct.resources as unknown[]).flatMap((r) => {
    const resource = obj(r);
    const uid = str(resource?.ARN);
    if (!uid) return [];
    const owner = str(resource?.accountId);
    return [{ uid, type: str(resource?.type), owner: owner ? { account: { uid: owner } } : undefined }];
  });
  return resources.length ? resources : undefined;
}

function actorOf(identity: Json | undefined): Json | undefined {
  if (!identity) return undefined;
  const sessionContext = obj(identity.sessionContext);
  const attributes = obj(sessionContext?.attributes);
  const issuer = str(obj(sessionContext?.sessionIssuer)?.arn);
  const mfa = attributes?.mfaAuthenticated;
  const created = epochMs(attributes?.creationDate);
  const federation = obj(sessionContext?.webIdFederationData);
  const idp = str(federation?.federatedProvider) ?? str(identity.identityProvider);
  const account = str(identity.accountId);
  const onBehalfOf = obj(identity.onBehalfOf);
  const uid = str(identity.arn);
  const name = str(identity.userName);
  // OCSF's user needs an account, a name or a uid; a bare type (an AWS service) is no user.
  const user =
    uid || name || account
      ? {
          type: str(identity.type),
          uid,
          uid_alt: str(identity.principalId) ?? str(onBehalfOf?.userId),
          name,
          account: account ? { uid: account } : undefined,
          credential_uid: str(identity.accessKeyId) ?? str(identity.credentialId),
        }
      : undefined;
  return nonEmpty({
    user,
    invoked_by: str(identity.invokedBy),
    session: nonEmpty({
      issuer,
      is_mfa: mfa === 'true' ? true : mfa === 'false' ? false : undefined,
      created_time: created,
    }),
    idp: idp ? { name: idp } : undefined,
  });
}

/** The request parameters of a CloudTrail document: `api.request.data`, or where they wait without a request id. */
export function requestDataOf(doc: OcsfDocument): Record<string, unknown> | undefined {
  const api = doc.api as { request?: { data?: unknown } } | undefined;
  return obj(api?.request?.data) ?? obj(doc.unmapped?.requestParameters);
}
