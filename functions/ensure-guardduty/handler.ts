import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { controlDepsFromEnv, controlHandler, type ControlDeps } from '../shared/control-handler';
import { ensureGuardDutyEnv } from './env';
import { ensureGuardDuty } from './ensure-guardduty';

export interface EnsureGuardDutyDeps extends ControlDeps {
  securityToolingAccount: string;
  findingsRetentionDays: number;
  /** config guardDuty.mode (default manage). */
  guardDutyMode?: 'manage' | 'verify-only';
  /** config guardDuty.autoEnable (default ALL). */
  guardDutyAutoEnable?: 'ALL' | 'NEW' | 'NONE';
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): EnsureGuardDutyDeps {
  return { ...controlDepsFromEnv(env), ...ensureGuardDutyEnv.parse(env) };
}

/**
 * Step Functions task: GuardDuty membership and findings forwarding for one account and region,
 * all done by the delegated administrator (this account): nothing is called in the member.
 */
export function makeHandler(deps: EnsureGuardDutyDeps) {
  const { securityToolingAccount: adminAccount } = deps;
  return controlHandler(
    deps,
    ({ account, region }, clients) =>
      ensureGuardDuty(
        {
          admin: clients.own(GuardDutyClient, region),
          adminEvents: clients.own(EventBridgeClient, region),
          adminLogs: clients.own(CloudWatchLogsClient, region),
          organizations: clients.own(OrganizationsClient, 'us-east-1'),
        },
        { account, region },
        { adminAccount, retentionDays: deps.findingsRetentionDays, autoEnable: deps.guardDutyAutoEnable },
      ),
    deps.guardDutyMode === 'verify-only'
      ? 'guardDuty.mode is verify-only (another team owns GuardDuty)'
      : undefined,
  );
}
