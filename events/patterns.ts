/**
 * EventBridge patterns: the one source of truth for what starts a workflow. The management
 * forwarder and the member baseline forward these events, the control-plane rules route them,
 * and the local runner and the tests match against the very same objects.
 */

export type PatternLeaf =
  | string
  | number
  | boolean
  | { prefix: string }
  | { 'anything-but': readonly (string | number | boolean)[] }
  | { exists: boolean };

export interface EventPattern {
  readonly account?: readonly PatternLeaf[];
  readonly source?: readonly string[];
  readonly 'detail-type'?: readonly string[];
  readonly detail?: Record<string, unknown>;
}

import { names, subscriptionPolicyName, type WorkflowId } from '../contracts/names';

/** The workflows an event can start (the sweep starts on its schedule). */
export type TriggeredWorkflow = Exclude<WorkflowId, 'sweep'>;

/**
 * Where AWS records the event, and so which account forwards it to the control bus:
 * `management` — the management account, in us-east-1 (the management forwarder stack);
 * `members` — the member accounts themselves (the member baseline).
 */
export type TriggerOrigin = 'management' | 'members';

export interface Trigger {
  /** Stable id, used in rule names and execution input. */
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly workflow: TriggeredWorkflow;
  readonly origins: readonly TriggerOrigin[];
  /**
   * Where a member sees the event: in each governed region (CloudTrail API calls are recorded
   * in the region called), or in us-east-1 only (the Account Management service sends "Region
   * Opt-In Status Change" there, whether or not us-east-1 is governed).
   */
  readonly memberRegions: 'governed' | 'us-east-1';
  /**
   * Where the management account sees a management-origin event: us-east-1 (Organizations and
   * Account Management send their events there), or the home Region (a call on the organization
   * trail is recorded where it is made, and a trail is changed in its home Region).
   */
  readonly managementRegion?: 'us-east-1' | 'home';
}

const cloudTrailApiCall = 'AWS API Call via CloudTrail';
const cloudTrailServiceEvent = 'AWS Service Event via CloudTrail';
/**
 * A CloudTrail record with an `errorCode` is a call that failed and changed nothing: it must
 * start nothing, so no Lambda runs for it (a loop of `stop-logging --name nope` is not a flood).
 */
const succeeded = { errorCode: [{ exists: false }] } as const;
/** The filter and policy names logwarden writes (contracts/names.ts `subscriptionPolicyName`). */
const logwardenFilterPrefix = 'logwarden-central-';

export const triggers = [
  {
    id: 'account-created',
    description: 'An account created in the organization finished creating',
    workflow: 'cover-account',
    origins: ['management'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.organizations'],
      'detail-type': [cloudTrailServiceEvent],
      detail: {
        eventName: ['CreateAccountResult'],
        serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
      },
    },
  },
  {
    // AcceptHandshake is recorded in the joining account, which has no baseline yet, and also
    // matches an ENABLE_ALL_FEATURES handshake. Organizations records the join itself in the
    // management account: "When a handshake is accepted, Organizations logs membership events
    // in CloudTrail, available only in the management account's event history … an
    // AccountJoinedOrganization event is logged" (Organizations API Reference, AcceptHandshake).
    id: 'account-joined',
    description: 'An account joined the organization (recorded in the management account)',
    workflow: 'cover-account',
    origins: ['management'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.organizations'],
      'detail-type': [cloudTrailServiceEvent, cloudTrailApiCall],
      detail: { eventName: ['AccountJoinedOrganization'], ...succeeded },
    },
  },
  {
    // MoveAccount is a management-account call ("This operation can be called only from the
    // organization's management account", Organizations API Reference, MoveAccount), recorded
    // there; cover-account re-evaluates the scope (config `scope`) and covers the account or
    // records it `excluded`.
    id: 'account-moved',
    description: 'An account was moved to another OU (scope re-evaluated)',
    workflow: 'cover-account',
    origins: ['management'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.organizations'],
      'detail-type': [cloudTrailApiCall],
      detail: { eventName: ['MoveAccount'], ...succeeded },
    },
  },
  {
    // "Region Opt-In Status Change" goes to the calling account in us-east-1 (EventBridge
    // events reference, AWS Account Management events): the management account or the Account
    // Management delegated administrator (the control account, a member) when it enables a
    // region for a member, the member when it enables one for itself.
    id: 'region-opted-in',
    description: 'An opt-in region was enabled for an account',
    workflow: 'cover-account-region',
    origins: ['management', 'members'],
    memberRegions: 'us-east-1',
    pattern: {
      source: ['aws.account'],
      'detail-type': ['Region Opt-In Status Change'],
      detail: { status: ['ENABLED'] },
    },
  },
  {
    // The organization trail lives in the management account, and a call on it from there is
    // recorded there only. A StopLogging of it silences every member's CloudTrail-based trigger:
    // "a CloudTrail trail with logging enabled is required" for EventBridge to receive API calls
    // (EventBridge User Guide, events from AWS services via CloudTrail). The heal runs in the
    // control-plane account's cell of that Region, whose trail control checks the organization
    // trail (the alerter heals the same cell, functions/alerter/alerter.ts healTargetOf).
    id: 'org-trail-changed',
    description: 'A trail of the management account (the organization trail) was stopped, deleted or changed',
    workflow: 'cover-account-region',
    origins: ['management'],
    memberRegions: 'governed',
    managementRegion: 'home',
    pattern: {
      source: ['aws.cloudtrail'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['cloudtrail.amazonaws.com'],
        eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
        ...succeeded,
      },
    },
  },
  {
    id: 'vpc-created',
    description: 'A VPC or default VPC was created in a member account',
    workflow: 'cover-vpc',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: ['CreateVpc', 'CreateDefaultVpc'],
        ...succeeded,
      },
    },
  },
  {
    id: 'flow-logs-deleted',
    description: 'Flow logs were deleted',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': [cloudTrailApiCall],
      detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['DeleteFlowLogs'], ...succeeded },
    },
  },
  {
    id: 'trail-changed',
    description: 'A trail was stopped, deleted or changed',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.cloudtrail'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['cloudtrail.amazonaws.com'],
        eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
        ...succeeded,
      },
    },
  },
  {
    id: 'guardduty-disabled',
    description: 'A GuardDuty detector was deleted, or the account left its administrator',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['guardduty.amazonaws.com'],
        eventName: [
          'DeleteDetector',
          'DisassociateFromAdministratorAccount',
          'DisassociateFromMasterAccount',
        ],
        ...succeeded,
      },
    },
  },
  {
    // The administrator's calls name the members they affect: "accountIds: A list of account IDs
    // of the GuardDuty member accounts that you want to disassociate from the administrator
    // account" (GuardDuty API Reference, DisassociateMembers; DeleteMembers and
    // StopMonitoringMembers the same). The dispatcher heals each named member, and only for an
    // event of the administrator (the security-tooling account), never the caller's own cell.
    id: 'guardduty-members-changed',
    description: 'The GuardDuty administrator removed, disassociated or stopped monitoring members',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['guardduty.amazonaws.com'],
        eventName: ['DisassociateMembers', 'DeleteMembers', 'StopMonitoringMembers'],
        ...succeeded,
      },
    },
  },
  {
    // Auto-enable is repaired in the administrator's own cell (ensure-guardduty); any change to
    // the organization configuration re-checks it there (a heal that finds it right writes nothing).
    id: 'guardduty-organization-changed',
    description: 'The GuardDuty organization configuration (auto-enable) was changed',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['guardduty.amazonaws.com'],
        eventName: ['UpdateOrganizationConfiguration'],
        ...succeeded,
      },
    },
  },
  {
    // The flow-log group in each member and the GuardDuty findings group in the administrator.
    id: 'log-group-deleted',
    description: 'A log group logwarden created was deleted',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.logs'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['logs.amazonaws.com'],
        eventName: ['DeleteLogGroup'],
        requestParameters: { logGroupName: [{ prefix: names.ownLogGroupPrefix }] },
        ...succeeded,
      },
    },
  },
  {
    id: 'findings-policy-deleted',
    description: 'The resource policy that lets EventBridge write GuardDuty findings was deleted',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.logs'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['logs.amazonaws.com'],
        eventName: ['DeleteResourcePolicy'],
        requestParameters: { policyName: [names.guardDutyFindingsRule] },
        ...succeeded,
      },
    },
  },
  {
    id: 'findings-rule-deleted',
    description: 'The rule that routes GuardDuty findings to CloudWatch Logs was deleted',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.events'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['events.amazonaws.com'],
        eventName: ['DeleteRule'],
        requestParameters: { name: [names.guardDutyFindingsRule] },
        ...succeeded,
      },
    },
  },
  {
    // "A disabled rule won't match any events" (EventBridge API Reference, DisableRule).
    id: 'findings-rule-disabled',
    description: 'The rule that routes GuardDuty findings to CloudWatch Logs was disabled',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.events'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['events.amazonaws.com'],
        eventName: ['DisableRule'],
        requestParameters: { name: [names.guardDutyFindingsRule] },
        ...succeeded,
      },
    },
  },
  {
    // "If you are updating an existing rule, the rule is replaced with what you specify in this
    // PutRule command" (EventBridge API Reference, PutRule): a PutRule of the findings rule may
    // disable it or give it a pattern no finding matches. logwarden's own repair is a PutRule
    // too: it starts one more heal of the administrator's cell (coalesced while the repair runs,
    // functions/dispatch/route.ts), which finds the rule right and writes nothing, ending there.
    id: 'findings-rule-replaced',
    description: 'The rule that routes GuardDuty findings to CloudWatch Logs was replaced (PutRule)',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.events'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['events.amazonaws.com'],
        eventName: ['PutRule'],
        requestParameters: { name: [names.guardDutyFindingsRule] },
        ...succeeded,
      },
    },
  },
  {
    id: 'findings-rule-targets-removed',
    description: 'The target of the GuardDuty findings rule was removed',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.events'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['events.amazonaws.com'],
        eventName: ['RemoveTargets'],
        requestParameters: { rule: [names.guardDutyFindingsRule] },
        ...succeeded,
      },
    },
  },
  {
    // Only a call that turns the detector off is drift; UpdateDetector also changes features
    // and the publishing frequency (GuardDuty API Reference, UpdateDetector: `enable`).
    id: 'guardduty-detector-disabled',
    description: 'A GuardDuty detector was disabled (UpdateDetector with enable=false)',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['guardduty.amazonaws.com'],
        eventName: ['UpdateDetector'],
        requestParameters: { enable: [false] },
        ...succeeded,
      },
    },
  },
  {
    id: 'subscription-policy-changed',
    description: 'An account-level subscription filter policy was put or deleted',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.logs'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['logs.amazonaws.com'],
        eventName: ['PutAccountPolicy', 'DeleteAccountPolicy'],
        requestParameters: { policyType: ['SUBSCRIPTION_FILTER_POLICY'] },
        ...succeeded,
      },
    },
  },
  {
    // Where the control falls back to per-log-group filters, they carry logwarden's name.
    id: 'subscription-filter-changed',
    description: 'A logwarden subscription filter of a log group was put or deleted',
    workflow: 'cover-account-region',
    origins: ['members'],
    memberRegions: 'governed',
    pattern: {
      source: ['aws.logs'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['logs.amazonaws.com'],
        eventName: ['PutSubscriptionFilter', 'DeleteSubscriptionFilter'],
        requestParameters: { filterName: [{ prefix: logwardenFilterPrefix }] },
        ...succeeded,
      },
    },
  },
] as const satisfies readonly Trigger[];

export type TriggerId = (typeof triggers)[number]['id'];

/** The triggers the management account forwards (management forwarder stack, us-east-1). */
export const managementForwardedTriggers: readonly Trigger[] = triggers.filter((t) =>
  (t.origins as readonly TriggerOrigin[]).includes('management'),
);

/** The management triggers forwarded from us-east-1, or from the home Region. */
export function managementForwardedTriggersIn(where: 'us-east-1' | 'home'): readonly Trigger[] {
  return managementForwardedTriggers.filter((t) => (t.managementRegion ?? 'us-east-1') === where);
}

/** The triggers member accounts forward (member baseline). */
export const memberForwardedTriggers: readonly Trigger[] = triggers.filter((t) =>
  (t.origins as readonly TriggerOrigin[]).includes('members'),
);

/**
 * The pattern of a trigger's rule on the control bus. Forwarded events keep the `account` of
 * the account that recorded them, so the rule checks it: a management-only trigger matches
 * only events of the management account, and a member-only trigger never an event that claims
 * to come from it. (That a member trigger targets only its own account is the dispatcher's
 * check, since a pattern cannot compare two fields.)
 */
export function busPattern(trigger: Trigger, managementAccount: string): EventPattern {
  const origins = trigger.origins;
  if (origins.length === 1 && origins[0] === 'management')
    return { account: [managementAccount], ...trigger.pattern };
  if (origins.length === 1 && origins[0] === 'members')
    return { account: [{ 'anything-but': [managementAccount] }], ...trigger.pattern };
  return trigger.pattern;
}

/** The same pattern in the shape the CDK's events.Rule takes. */
export function asRulePattern(pattern: EventPattern): {
  account?: string[];
  source?: string[];
  detailType?: string[];
  detail?: Record<string, unknown>;
} {
  return {
    // events.EventPattern types `account` as string[]; EventBridge takes content filters there too.
    account: pattern.account ? ([...pattern.account] as unknown as string[]) : undefined,
    source: pattern.source ? [...pattern.source] : undefined,
    detailType: pattern['detail-type'] ? [...pattern['detail-type']] : undefined,
    detail: pattern.detail,
  };
}

/** The daily schedule is not an EventBridge event; it reaches the dispatcher under this id. */
export const scheduledSweepTrigger = 'scheduled-sweep';

/** A CloudTrail call that undoes what a control wrote, with the request parameters that name it. */
export interface UndoingCall {
  readonly eventSource: string;
  readonly eventName: string;
  readonly requestParameters?: Record<string, unknown>;
}

/**
 * Deleting a log group a control created undoes both its creation and its retention setting:
 * the flow-log group of logwarden's own format (`lw-vpc-v8`, functions/shared/flow-log-formats.ts)
 * and the GuardDuty findings group.
 */
const flowLogGroupDeleted: UndoingCall = {
  eventSource: 'logs.amazonaws.com',
  eventName: 'DeleteLogGroup',
  requestParameters: { logGroupName: `${names.flowLogGroupPrefix}lw-vpc-v8` },
};
const findingsGroupDeleted: UndoingCall = {
  eventSource: 'logs.amazonaws.com',
  eventName: 'DeleteLogGroup',
  requestParameters: { logGroupName: names.guardDutyFindingsLogGroup },
};

/**
 * Every write a control makes (by the SDK command's operation name), and the calls that undo it.
 * Each undoing call must start a heal: test/events/repairs.test.ts reads the controls' sources for
 * their write commands, finds each here, and matches each undoing call against the triggers.
 */
export const repairsUndoneBy: Record<string, Record<string, readonly UndoingCall[]>> = {
  'ensure-flow-logs': {
    CreateFlowLogs: [{ eventSource: 'ec2.amazonaws.com', eventName: 'DeleteFlowLogs' }],
    CreateLogGroup: [flowLogGroupDeleted],
    PutRetentionPolicy: [flowLogGroupDeleted],
  },
  'ensure-trail': {
    CreateTrail: [{ eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail' }],
    StartLogging: [{ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }],
    UpdateTrail: [{ eventSource: 'cloudtrail.amazonaws.com', eventName: 'UpdateTrail' }],
    PutEventSelectors: [{ eventSource: 'cloudtrail.amazonaws.com', eventName: 'PutEventSelectors' }],
  },
  'ensure-subscription': {
    PutAccountPolicy: [
      {
        eventSource: 'logs.amazonaws.com',
        eventName: 'DeleteAccountPolicy',
        requestParameters: { policyType: 'SUBSCRIPTION_FILTER_POLICY' },
      },
      {
        eventSource: 'logs.amazonaws.com',
        eventName: 'PutAccountPolicy',
        requestParameters: { policyType: 'SUBSCRIPTION_FILTER_POLICY' },
      },
    ],
    PutSubscriptionFilter: [
      {
        eventSource: 'logs.amazonaws.com',
        eventName: 'DeleteSubscriptionFilter',
        requestParameters: { filterName: subscriptionPolicyName('eu-west-1') },
      },
    ],
    // The removal of logwarden's own per-group filter once its account policy covers: putting it
    // back would deliver each event twice, and starts a heal that removes it again.
    DeleteSubscriptionFilter: [
      {
        eventSource: 'logs.amazonaws.com',
        eventName: 'PutSubscriptionFilter',
        requestParameters: { filterName: subscriptionPolicyName('eu-west-1') },
      },
    ],
  },
  'ensure-guardduty': {
    CreateMembers: [
      { eventSource: 'guardduty.amazonaws.com', eventName: 'DisassociateMembers' },
      { eventSource: 'guardduty.amazonaws.com', eventName: 'DeleteMembers' },
      { eventSource: 'guardduty.amazonaws.com', eventName: 'DisassociateFromAdministratorAccount' },
      { eventSource: 'guardduty.amazonaws.com', eventName: 'DeleteDetector' },
    ],
    StartMonitoringMembers: [{ eventSource: 'guardduty.amazonaws.com', eventName: 'StopMonitoringMembers' }],
    UpdateOrganizationConfiguration: [
      { eventSource: 'guardduty.amazonaws.com', eventName: 'UpdateOrganizationConfiguration' },
    ],
    UpdateDetector: [
      {
        eventSource: 'guardduty.amazonaws.com',
        eventName: 'UpdateDetector',
        requestParameters: { enable: false },
      },
    ],
    CreateLogGroup: [findingsGroupDeleted],
    PutRetentionPolicy: [findingsGroupDeleted],
    PutResourcePolicy: [
      {
        eventSource: 'logs.amazonaws.com',
        eventName: 'DeleteResourcePolicy',
        requestParameters: { policyName: names.guardDutyFindingsRule },
      },
    ],
    PutRule: [
      {
        eventSource: 'events.amazonaws.com',
        eventName: 'DeleteRule',
        requestParameters: { name: names.guardDutyFindingsRule },
      },
      {
        eventSource: 'events.amazonaws.com',
        eventName: 'DisableRule',
        requestParameters: { name: names.guardDutyFindingsRule },
      },
      {
        eventSource: 'events.amazonaws.com',
        eventName: 'PutRule',
        requestParameters: { name: names.guardDutyFindingsRule },
      },
    ],
    PutTargets: [
      {
        eventSource: 'events.amazonaws.com',
        eventName: 'RemoveTargets',
        requestParameters: { rule: names.guardDutyFindingsRule },
      },
    ],
  },
};
