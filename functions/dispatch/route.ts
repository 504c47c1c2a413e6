import { scheduledSweepTrigger, triggers, type Trigger, type TriggerId } from '../../events/patterns';
import type { WorkflowId } from '../../contracts/names';
import { executionName } from '../shared/start-execution';

export interface EventBridgeEvent {
  id: string;
  account: string;
  region: string;
  source?: string;
  'detail-type'?: string;
  detail?: Record<string, unknown>;
}

export type Route =
  | { start: true; workflow: WorkflowId; name: string; input: Record<string, unknown> }
  | { start: false; reason: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function targetOf(
  trigger: Trigger,
  event: EventBridgeEvent,
): { account?: string; region?: string; vpcId?: string } {
  const d = event.detail ?? {};
  switch (trigger.id as TriggerId) {
    case 'account-created': {
      const status = (d.serviceEventDetails as { createAccountStatus?: { accountId?: string } } | undefined)
        ?.createAccountStatus;
      return { account: str(status?.accountId) };
    }
    case 'account-joined':
      return {
        account: str((d.userIdentity as { accountId?: string } | undefined)?.accountId) ?? event.account,
      };
    case 'region-opted-in':
      return { account: str(d.accountId) ?? event.account, region: str(d.regionName) };
    case 'vpc-created': {
      const vpc = (d.responseElements as { vpc?: { vpcId?: string } } | undefined)?.vpc;
      return {
        account: str(d.recipientAccountId) ?? event.account,
        region: str(d.awsRegion) ?? event.region,
        vpcId: str(vpc?.vpcId),
      };
    }
    default:
      return {
        account: str(d.recipientAccountId) ?? event.account,
        region: str(d.awsRegion) ?? event.region,
      };
  }
}

/**
 * Which workflow an event starts, with what input and under what name. The name comes from
 * the event id, so a duplicate delivery of the same event starts nothing new.
 */
export function routeEvent(
  triggerId: string,
  event: EventBridgeEvent,
  governedRegions: readonly string[],
): Route {
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
  const target = targetOf(trigger, event);
  if (!target.account || !/^\d{12}$/.test(target.account))
    return { start: false, reason: `${trigger.id}: no account id in event ${event.id}` };
  const name = executionName(trigger.id, event.id);
  if (trigger.workflow === 'cover-account') {
    return {
      start: true,
      workflow: 'cover-account',
      name,
      input: { account: target.account, trigger: trigger.id, eventId: event.id },
    };
  }
  if (!target.region) return { start: false, reason: `${trigger.id}: no region in event ${event.id}` };
  if (!governedRegions.includes(target.region))
    return { start: false, reason: `${target.region} is not a governed region` };
  if (trigger.workflow === 'cover-vpc') {
    if (!target.vpcId)
      return { start: false, reason: `${trigger.id}: no VPC id in event ${event.id} (failed call?)` };
    return {
      start: true,
      workflow: 'cover-vpc',
      name,
      input: {
        account: target.account,
        region: target.region,
        vpcIds: [target.vpcId],
        trigger: trigger.id,
        eventId: event.id,
      },
    };
  }
  return {
    start: true,
    workflow: 'cover-account-region',
    name,
    input: { account: target.account, region: target.region, trigger: trigger.id, eventId: event.id },
  };
}
