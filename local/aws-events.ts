/**
 * Events the way AWS emits them, in the account and region where it emits them. API calls and
 * Region opt-in events come from the stand-in itself (local/standins/events.py, put on the buses
 * by `Organization.deliverEmitted`); what is built here is `CreateAccountResult` (accounts are
 * added by a stand-in fixture, not by CreateAccount) and the events of the unit tests of the
 * patterns and the local EventBridge (`local/event-bus.ts`).
 *
 * - API calls: the CloudTrail record (CloudTrail record contents, User Guide) in its
 *   EventBridge envelope "AWS API Call via CloudTrail", delivered in the account that made the
 *   call and the region it was made in. A failed call carries `errorCode` and `errorMessage`
 *   and no `responseElements`.
 * - Organizations: `CreateAccountResult` is a service event ("AWS Service Event via
 *   CloudTrail") recorded in the management account, us-east-1 (Organizations is a global
 *   service whose events CloudTrail records in us-east-1).
 * - Account Management: "Region Opt-In Status Change" goes to the calling account, us-east-1
 *   ("an EventBridge event will be sent to the calling account", Account Management reference,
 *   Monitoring with EventBridge), with the target account in `detail.accountId`.
 */
import { randomUUID } from 'node:crypto';

/** An EventBridge event as a rule receives it. */
export interface AwsEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Who made a call: an IAM user or an assumed role of the account. */
export interface Caller {
  account: string;
  /** `user/<name>` or `assumed-role/<role>/<session>`. */
  identity?: string;
}

export interface ApiCall {
  caller: Caller;
  region: string;
  /** The service's endpoint prefix: `ec2`, `cloudtrail`, `logs`, `guardduty`. */
  service: string;
  eventName: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  /** A failed call: the error AWS answered with. */
  error?: { code: string; message: string };
  /** The account the call acted in, when it is not the caller's (cross-account calls). */
  recipientAccount?: string;
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

function userIdentity(caller: Caller): Record<string, unknown> {
  const identity = caller.identity ?? 'user/mallory';
  const arnOf = (p: string) =>
    `arn:aws:${p.startsWith('assumed-role/') ? 'sts' : 'iam'}::${caller.account}:${p}`;
  if (identity.startsWith('assumed-role/')) {
    const [, role, session] = identity.split('/');
    return {
      type: 'AssumedRole',
      principalId: `AROALOCAL:${session}`,
      arn: arnOf(identity),
      accountId: caller.account,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROALOCAL',
          arn: `arn:aws:iam::${caller.account}:role/${role}`,
          accountId: caller.account,
          userName: role,
        },
      },
    };
  }
  return {
    type: 'IAMUser',
    principalId: 'AIDALOCAL',
    arn: arnOf(identity),
    accountId: caller.account,
    userName: identity.split('/').pop(),
  };
}

/** The CloudTrail record of one management API call. */
export function cloudTrailRecord(call: ApiCall, at = new Date()): Record<string, unknown> {
  const recipient = call.recipientAccount ?? call.caller.account;
  return {
    eventVersion: '1.09',
    userIdentity: userIdentity(call.caller),
    eventTime: isoSeconds(at),
    eventSource: `${call.service}.amazonaws.com`,
    eventName: call.eventName,
    awsRegion: call.region,
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.17 logwarden-local',
    ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
    requestParameters: call.requestParameters ?? null,
    responseElements: call.error ? null : (call.responseElements ?? null),
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: recipient,
    eventCategory: 'Management',
  };
}

/** A CloudTrail record in the envelope EventBridge delivers it in, in the recipient account and region. */
export function apiCallEvent(record: Record<string, unknown>): AwsEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${String(record.eventSource).split('.')[0]}`,
    account: String(record.recipientAccountId),
    time: String(record.eventTime),
    region: String(record.awsRegion),
    resources: [],
    detail: record,
  };
}

/** Organizations' `CreateAccountResult`, in the management account, us-east-1. */
export function createAccountResultEvent(
  managementAccount: string,
  account: string,
  state: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED',
  at = new Date(),
): AwsEvent {
  const requestId = `car-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const record = {
    eventVersion: '1.08',
    userIdentity: { accountId: managementAccount, invokedBy: 'AWS Internal' },
    eventTime: isoSeconds(at),
    eventSource: 'organizations.amazonaws.com',
    eventName: 'CreateAccountResult',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: managementAccount,
    serviceEventDetails: {
      createAccountStatus: {
        id: requestId,
        state,
        accountName: `member-${account}`,
        ...(state === 'SUCCEEDED' ? { accountId: account } : { failureReason: 'INTERNAL_FAILURE' }),
        requestedTimestamp: isoSeconds(at),
        completedTimestamp: isoSeconds(at),
      },
    },
    eventCategory: 'Management',
  };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.organizations',
    account: managementAccount,
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

/** "Region Opt-In Status Change": sent to the calling account, in us-east-1. */
export function regionOptInEvent(
  callingAccount: string,
  account: string,
  regionName: string,
  status: 'ENABLING' | 'ENABLED' | 'DISABLING' | 'DISABLED' = 'ENABLED',
  at = new Date(),
): AwsEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Region Opt-In Status Change',
    source: 'aws.account',
    account: callingAccount,
    time: isoSeconds(at),
    region: 'us-east-1',
    resources: [`arn:aws:account::${callingAccount}:account`],
    detail: { accountId: account, regionName, status },
  };
}
