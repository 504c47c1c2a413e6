import { scheduledSweepTrigger, triggers, type Trigger, type TriggerId } from '../../events/patterns';
import type { WorkflowId } from '../../contracts/names';
import { eventNamePart, executionName } from '../shared/start-execution';

export interface EventBridgeEvent {
  id: string;
  /** The account that recorded the event: set by EventBridge, kept when the event is forwarded. */
  account: string;
  region: string;
  /** When the event happened (ISO 8601); EventBridge sets it on every event. */
  time?: string;
  source?: string;
  'detail-type'?: string;
  detail?: Record<string, unknown>;
}

export interface RouteContext {
  governedRegions: readonly string[];
  /** The account whose events may name another account (Organizations and opt-in events). */
  managementAccount: string;
  /**
   * The GuardDuty delegated administrator (the security-tooling account, where the control plane
   * runs): the only account whose membership calls may name other accounts.
   */
  guardDutyAdminAccount?: string;
  /**
   * Where the workflows run (the security-tooling account): CloudTrail's delegated administrator,
   * whose cell's trail control checks the organization trail, and Account Management's, whose
   * opt-in events may name a member.
   */
  controlAccount?: string;
  /** The length of a coalescing window: one execution per workflow, target and window. */
  coalesceMinutes?: number;
}

export type Route =
  | {
      start: true;
      workflow: WorkflowId;
      /** Shared by every event about the target within the window, while its execution runs. */
      name: string;
      /** This event's own name, used once the window's execution has closed. */
      rerunName?: string;
      input: Record<string, unknown>;
    }
  | { start: false; reason: string };

/** Events about one account and region within this many minutes start one execution. */
export const COALESCE_MINUTES = 5;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const accountId = /^\d{12}$/;

interface Target {
  account?: string;
  /** Several accounts named by the event (the GuardDuty administrator's membership calls). */
  accounts?: string[];
  region?: string;
  vpcId?: string;
  refused?: string;
}

/**
 * The account an Organizations membership event is about. The management account's
 * AccountJoinedOrganization record carries the member's id in its service event details; the
 * Organizations docs name the event and its `joinedMethod`/`joinedTime` fields but show no
 * example record, so every 12-digit `accountId` in the details other than the management
 * account's own is taken, and more than one is refused rather than guessed.
 */
function joinedAccount(detail: Record<string, unknown>, management: string): string | undefined {
  const found = new Set<string>();
  const visit = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || depth > 3) return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (/^accountid$/i.test(k) && typeof v === 'string' && accountId.test(v) && v !== management)
        found.add(v);
      else visit(v, depth + 1);
    }
  };
  visit(detail.serviceEventDetails, 0);
  visit(detail.requestParameters, 0);
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * Which account and region the event asks to heal. EventBridge's `account` is the account that
 * recorded the event, which a member cannot forge (sources starting with `aws.` are refused by
 * PutEvents), while `detail` is whatever that account's caller sent. So a member's event only
 * ever targets that member; only the management account's events may name another account.
 */
function targetOf(trigger: Trigger, event: EventBridgeEvent, context: RouteContext): Target {
  const management = context.managementAccount;
  const d = event.detail ?? {};
  const fromManagement = event.account === management;
  switch (trigger.id as TriggerId) {
    case 'org-trail-changed':
      // The management account is outside the member baseline: its organization trail is healed
      // from the control-plane account's cell of the same Region.
      if (!fromManagement) return { refused: `only the management account's trail calls are forwarded here` };
      if (!context.controlAccount)
        return { refused: 'no control-plane account to heal the organization trail in' };
      return { account: context.controlAccount, region: str(d.awsRegion) ?? event.region };
    case 'guardduty-members-changed': {
      // DisassociateMembers, DeleteMembers and StopMonitoringMembers name the members they
      // affect in `accountIds` (1 to 50 account ids, GuardDuty API Reference); the caller is
      // the administrator, whose own cell lost nothing. Only the administrator's event may name
      // other accounts: a member calling these about itself heals itself.
      const named = (d.requestParameters as { accountIds?: unknown } | undefined)?.accountIds;
      const ids = Array.isArray(named) ? [...new Set(named.filter((a) => typeof a === 'string'))] : [];
      const region = str(d.awsRegion) ?? event.region;
      if (event.account !== context.guardDutyAdminAccount) return { account: event.account, region };
      if (!ids.length || ids.length > 50 || !ids.every((a) => accountId.test(a)))
        return { refused: `the administrator's ${String(d.eventName)} names no valid accountIds` };
      return { accounts: ids, region };
    }
    case 'account-created': {
      if (!fromManagement) return { refused: `only the management account creates accounts` };
      const status = (d.serviceEventDetails as { createAccountStatus?: { accountId?: string } } | undefined)
        ?.createAccountStatus;
      return { account: str(status?.accountId) };
    }
    case 'account-joined':
      if (!fromManagement) return { refused: `only the management account records joins` };
      return { account: joinedAccount(d, management) };
    case 'account-moved': {
      if (!fromManagement) return { refused: `only the management account moves accounts` };
      const params = d.requestParameters as { accountId?: unknown } | undefined;
      return { account: str(params?.accountId) };
    }
    case 'region-opted-in': {
      // EnableRegion with an AccountId is open to the management account and to the Account
      // Management delegated administrator, the control-plane account (contracts/prerequisites.ts);
      // the Region Opt-In Status Change event "will be sent to the calling account" (Account
      // Management Reference, "Monitoring account management events with EventBridge"), so an
      // opt-in made from either names the member in its detail.
      const named = str(d.accountId) ?? event.account;
      const mayName = fromManagement || event.account === context.controlAccount;
      if (!mayName && named !== event.account)
        return { refused: `${event.account} sent an opt-in event naming ${named}` };
      return { account: named, region: str(d.regionName) };
    }
    case 'vpc-created': {
      const vpc = (d.responseElements as { vpc?: { vpcId?: string } } | undefined)?.vpc;
      return { account: event.account, region: str(d.awsRegion) ?? event.region, vpcId: str(vpc?.vpcId) };
    }
    default:
      return { account: event.account, region: str(d.awsRegion) ?? event.region };
  }
}

/** The start of the coalescing window the event falls in, as yyyymmddhhmm (UTC). */
export function coalescingWindow(time: string | undefined, minutes: number, now = new Date()): string {
  const at = time && !Number.isNaN(Date.parse(time)) ? new Date(time) : now;
  const ms = minutes * 60_000;
  return new Date(Math.floor(at.getTime() / ms) * ms).toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/**
 * Which workflow an event starts, with what input and under what names. Names are
 * deterministic: all the events about one account and region (one VPC for cover-vpc) within a
 * coalescing window share `name`, so events that arrive while that execution runs start nothing
 * more. Once it has closed, StartExecution still answers ExecutionAlreadyExists for that name
 * ("If the execution is closed or if the input is different, it returns a 400
 * ExecutionAlreadyExists error", Step Functions API Reference), so a later event of the window
 * starts under its own `rerunName` (shared/start-execution.ts): a second drift after a heal is
 * healed again, and a re-delivered event still maps to the name it already used. What ends a
 * loop of events is that controls write only what is missing: a heal that finds nothing to
 * repair makes no call that any trigger matches.
 */
export function routeEvent(triggerId: string, event: EventBridgeEvent, context: RouteContext): Route {
  const minutes = context.coalesceMinutes ?? COALESCE_MINUTES;
  if (triggerId === scheduledSweepTrigger) {
    return {
      start: true,
      workflow: 'sweep',
      name: executionName('sweep', event.id),
      input: { trigger: triggerId, scheduledTime: event.id },
    };
  }
  const trigger = triggers.find((t) => t.id === triggerId);
  if (!trigger) return { start: false, reason: `unknown trigger ${triggerId}` };
  if (!accountId.test(String(event.account)))
    return { start: false, reason: `${trigger.id}: event ${event.id} has no account` };
  const target = targetOf(trigger, event, context);
  if (target.refused) return { start: false, reason: `${trigger.id}: ${target.refused} (event ${event.id})` };
  if (target.accounts)
    return {
      start: false,
      reason: `${trigger.id}: event ${event.id} names ${target.accounts.length} accounts (routeEvents)`,
    };
  if (!target.account || !accountId.test(target.account))
    return { start: false, reason: `${trigger.id}: no account id in event ${event.id}` };
  const window = coalescingWindow(event.time, minutes);
  const input = { trigger: trigger.id, eventId: event.id, eventAccount: event.account };
  if (trigger.workflow === 'cover-account') {
    return {
      start: true,
      workflow: 'cover-account',
      name: executionName('account', target.account, window),
      rerunName: executionName('account', target.account, window, eventNamePart(event.id)),
      input: { account: target.account, ...input },
    };
  }
  if (!target.region) return { start: false, reason: `${trigger.id}: no region in event ${event.id}` };
  if (!context.governedRegions.includes(target.region))
    return { start: false, reason: `${target.region} is not a governed region` };
  if (trigger.workflow === 'cover-vpc') {
    if (!target.vpcId)
      return { start: false, reason: `${trigger.id}: no VPC id in event ${event.id} (failed call?)` };
    return {
      start: true,
      workflow: 'cover-vpc',
      name: executionName('vpc', target.account, target.region, target.vpcId),
      rerunName: executionName('vpc', target.account, target.region, target.vpcId, eventNamePart(event.id)),
      input: { account: target.account, region: target.region, vpcIds: [target.vpcId], ...input },
    };
  }
  return {
    start: true,
    workflow: 'cover-account-region',
    name: executionName('region', target.account, target.region, window),
    rerunName: executionName('region', target.account, target.region, window, eventNamePart(event.id)),
    input: { account: target.account, region: target.region, ...input },
  };
}

/**
 * Every start an event asks for: one, except for the GuardDuty administrator's membership calls,
 * which heal each member they name (each in its own coalescing window and name).
 */
export function routeEvents(triggerId: string, event: EventBridgeEvent, context: RouteContext): Route[] {
  const trigger = triggers.find((t) => t.id === triggerId);
  const target = trigger && accountId.test(String(event.account)) ? targetOf(trigger, event, context) : {};
  if (!target.accounts) return [routeEvent(triggerId, event, context)];
  return target.accounts.map((account) => {
    const route = routeEvent(
      triggerId,
      // The member as if it had recorded the event itself: routeEvent then names it.
      { ...event, account, detail: { ...event.detail, requestParameters: undefined } },
      { ...context, guardDutyAdminAccount: undefined },
    );
    return route.start ? { ...route, input: { ...route.input, eventAccount: event.account } } : route;
  });
}
