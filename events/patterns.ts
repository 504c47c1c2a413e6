/**
 * EventBridge patterns: the one source of truth for what starts a workflow. The member baseline
 * forwards these events, the control-plane rules route them, and the local runner and the tests
 * match against the very same objects.
 */

export type PatternLeaf = string | number | boolean | { prefix: string } | { 'anything-but': string[] };

export interface EventPattern {
  readonly source?: readonly string[];
  readonly 'detail-type'?: readonly string[];
  readonly detail?: Record<string, unknown>;
}

import type { WorkflowId } from '../contracts/names';

/** The workflows an event can start (the sweep starts on its schedule). */
export type TriggeredWorkflow = Exclude<WorkflowId, 'sweep'>;

export interface Trigger {
  /** Stable id, used in rule names and execution names. */
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly workflow: TriggeredWorkflow;
}

const cloudTrailApiCall = 'AWS API Call via CloudTrail';

export const triggers = [
  {
    id: 'account-created',
    description: 'An account created in the organization finished creating',
    workflow: 'cover-account',
    pattern: {
      source: ['aws.organizations'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: {
        eventName: ['CreateAccountResult'],
        serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
      },
    },
  },
  {
    id: 'account-joined',
    description: 'An account accepted the handshake and joined the organization',
    workflow: 'cover-account',
    pattern: {
      source: ['aws.organizations'],
      'detail-type': [cloudTrailApiCall],
      detail: { eventName: ['AcceptHandshake'] },
    },
  },
  {
    id: 'region-opted-in',
    description: 'An opt-in region was enabled for an account',
    workflow: 'cover-account-region',
    pattern: {
      source: ['aws.account'],
      'detail-type': ['Region Opt-In Status Change'],
      detail: { status: ['ENABLED'] },
    },
  },
  {
    id: 'vpc-created',
    description: 'A VPC or default VPC was created in a member account',
    workflow: 'cover-vpc',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': [cloudTrailApiCall],
      detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['CreateVpc', 'CreateDefaultVpc'] },
    },
  },
  {
    id: 'flow-logs-deleted',
    description: 'Flow logs were deleted',
    workflow: 'cover-account-region',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': [cloudTrailApiCall],
      detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['DeleteFlowLogs'] },
    },
  },
  {
    id: 'trail-changed',
    description: 'A trail was stopped, deleted or changed',
    workflow: 'cover-account-region',
    pattern: {
      source: ['aws.cloudtrail'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['cloudtrail.amazonaws.com'],
        eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
      },
    },
  },
  {
    id: 'guardduty-disabled',
    description: 'A GuardDuty detector was deleted, disabled or disassociated',
    workflow: 'cover-account-region',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': [cloudTrailApiCall],
      detail: {
        eventSource: ['guardduty.amazonaws.com'],
        eventName: [
          'DeleteDetector',
          'UpdateDetector',
          'DisassociateFromAdministratorAccount',
          'DisassociateFromMasterAccount',
          'DisassociateMembers',
          'DeleteMembers',
        ],
      },
    },
  },
  {
    id: 'subscription-policy-deleted',
    description: 'The account-level subscription filter policy was deleted',
    workflow: 'cover-account-region',
    pattern: {
      source: ['aws.logs'],
      'detail-type': [cloudTrailApiCall],
      detail: { eventSource: ['logs.amazonaws.com'], eventName: ['DeleteAccountPolicy'] },
    },
  },
] as const satisfies readonly Trigger[];

export type TriggerId = (typeof triggers)[number]['id'];

/** The triggers that originate in member accounts and must be forwarded to the control bus. */
export const memberForwardedTriggers: readonly Trigger[] = triggers.filter(
  (t) => t.pattern.source[0] !== 'aws.organizations',
);

/** The same pattern in the shape the CDK's events.Rule takes. */
export function asRulePattern(pattern: EventPattern): {
  source?: string[];
  detailType?: string[];
  detail?: Record<string, unknown>;
} {
  return {
    source: pattern.source ? [...pattern.source] : undefined,
    detailType: pattern['detail-type'] ? [...pattern['detail-type']] : undefined,
    detail: pattern.detail,
  };
}

/** The daily schedule is not an EventBridge event; it reaches the dispatcher under this id. */
export const scheduledSweepTrigger = 'scheduled-sweep';
