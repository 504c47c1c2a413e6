import {
  CreateMembersCommand,
  DescribeOrganizationConfigurationCommand,
  GetDetectorCommand,
  GetMembersCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  StartMonitoringMembersCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeResourcePoliciesCommand,
  PutResourcePolicyCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { names } from '../../contracts/names';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { controlResult } from '../shared/coverage';

export const findingsLogGroup = names.guardDutyFindingsLogGroup;
export const findingsRule = names.guardDutyFindingsRule;

export interface GuardDutyClients {
  /** GuardDuty in the security-tooling (delegated admin) account, this region. */
  admin: GuardDutyClient;
  /** EventBridge and CloudWatch Logs of the admin account, this region: findings forwarding. */
  adminEvents: EventBridgeClient;
  adminLogs: CloudWatchLogsClient;
  /** Organizations, as seen by the security-tooling account (a delegated administrator). */
  organizations: OrganizationsClient;
}

export interface GuardDutySettings {
  adminAccount: string;
  retentionDays: number;
}

async function onlyDetector(gd: GuardDutyClient): Promise<string | undefined> {
  const res = await gd.send(new ListDetectorsCommand({}));
  return res.DetectorIds?.[0];
}

/**
 * A member the administrator stopped monitoring (StopMonitoringMembers, "suspended" in the
 * console) keeps its membership and is turned back on with StartMonitoringMembers ("use this
 * operation to restart monitoring of accounts that you stopped monitoring", GuardDuty API
 * Reference). The API reports it as Disabled; Paused is accepted as the same state.
 */
const suspended = new Set(['disabled', 'paused']);

/**
 * In this region: the security-tooling account is the delegated admin and auto-enables ALL
 * members; the account is an enabled member; and findings reach a CloudWatch Logs group that
 * feeds the pipeline. Everything is done by the administrator, never in the member: "as a
 * delegated administrator, using CreateMembers will enable GuardDuty in the added member
 * accounts" (GuardDuty API Reference, CreateMembers), so a member-side CreateDetector would only
 * race it. A member that left or was removed is re-created with CreateMembers (the only way
 * back for organization members: they cannot be invited); a suspended one is restarted with
 * StartMonitoringMembers.
 */
export async function ensureGuardDuty(
  clients: GuardDutyClients,
  target: ControlTarget,
  settings: GuardDutySettings,
): Promise<ControlResult> {
  const actions: string[] = [];
  const failures: string[] = [];
  const evidence: Record<string, string> = {};
  const result = () => controlResult('guardduty', target, evidence, actions, failures);
  const adminDetector = await onlyDetector(clients.admin);
  if (!adminDetector) {
    failures.push(
      `the security-tooling account ${settings.adminAccount} has no GuardDuty detector in ${target.region}`,
    );
    return result();
  }
  evidence.adminDetector = adminDetector;
  let orgConfig;
  try {
    orgConfig = await clients.admin.send(
      new DescribeOrganizationConfigurationCommand({ DetectorId: adminDetector }),
    );
  } catch (err) {
    // GuardDuty answers BadRequestException when the caller is not the delegated admin.
    if ((err as Error).name !== 'BadRequestException') throw err;
    failures.push(
      `${settings.adminAccount} is not the GuardDuty delegated admin in ${target.region} (${(err as Error).name}); ` +
        `in the management account run: aws guardduty enable-organization-admin-account --admin-account-id ${settings.adminAccount} --region ${target.region}`,
    );
    return result();
  }
  if (orgConfig.AutoEnableOrganizationMembers !== 'ALL') {
    await clients.admin.send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: adminDetector,
        AutoEnableOrganizationMembers: 'ALL',
      }),
    );
    actions.push(
      `set GuardDuty auto-enable to ALL members (was ${orgConfig.AutoEnableOrganizationMembers ?? 'unset'})`,
    );
  }

  if (target.account === settings.adminAccount) {
    // The administrator's own detector: it must be enabled before it can have members.
    const d = await clients.admin.send(new GetDetectorCommand({ DetectorId: adminDetector }));
    if (d.Status !== 'ENABLED') {
      await clients.admin.send(new UpdateDetectorCommand({ DetectorId: adminDetector, Enable: true }));
      actions.push(`re-enabled the administrator's GuardDuty detector ${adminDetector} (was ${d.Status})`);
    }
    evidence.detector = adminDetector;
  } else {
    await ensureMembership(clients, target, adminDetector, evidence, actions, failures);
  }

  await ensureFindingsForwarding(clients, target, settings, actions);
  evidence.findings = findingsLogGroup;
  return result();
}

async function ensureMembership(
  clients: GuardDutyClients,
  target: ControlTarget,
  adminDetector: string,
  evidence: Record<string, string>,
  actions: string[],
  failures: string[],
) {
  const members = await clients.admin.send(
    new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [target.account] }),
  );
  const member = members.Members?.find((m) => m.AccountId === target.account);
  const status = member?.RelationshipStatus;
  evidence.membership = status ?? 'not a member';
  if (member?.DetectorId) evidence.detector = member.DetectorId;
  if (status === 'Enabled') return;

  if (status && suspended.has(status.toLowerCase())) {
    const res = await clients.admin.send(
      new StartMonitoringMembersCommand({ DetectorId: adminDetector, AccountIds: [target.account] }),
    );
    const unprocessed = res.UnprocessedAccounts?.find((u) => u.AccountId === target.account);
    if (unprocessed) failures.push(`StartMonitoringMembers: ${unprocessed.Result}`);
    else actions.push(`restarted GuardDuty monitoring of ${target.account} (was ${status})`);
    return;
  }

  // Not a member, removed, resigned (it disassociated itself), or never finished joining.
  const account = await clients.organizations.send(new DescribeAccountCommand({ AccountId: target.account }));
  const res = await clients.admin.send(
    new CreateMembersCommand({
      DetectorId: adminDetector,
      AccountDetails: [{ AccountId: target.account, Email: account.Account?.Email as string }],
    }),
  );
  const unprocessed = res.UnprocessedAccounts?.find((u) => u.AccountId === target.account);
  if (unprocessed) failures.push(`CreateMembers: ${unprocessed.Result}`);
  else
    actions.push(
      `made ${target.account} a GuardDuty member again, which enables GuardDuty there (was ${status ?? 'not a member'})`,
    );
}

/** The admin account's findings go to a log group that the account subscription policy feeds. */
async function ensureFindingsForwarding(
  clients: GuardDutyClients,
  target: ControlTarget,
  settings: GuardDutySettings,
  actions: string[],
) {
  const groups = await clients.adminLogs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: findingsLogGroup }),
  );
  if (!(groups.logGroups ?? []).some((g) => g.logGroupName === findingsLogGroup)) {
    await clients.adminLogs.send(
      new CreateLogGroupCommand({ logGroupName: findingsLogGroup, tags: { 'managed-by': 'logwarden' } }),
    );
    await clients.adminLogs.send(
      new PutRetentionPolicyCommand({
        logGroupName: findingsLogGroup,
        retentionInDays: settings.retentionDays,
      }),
    );
    actions.push(`created ${findingsLogGroup} in ${settings.adminAccount} for GuardDuty findings`);
  }
  const groupArn = `arn:aws:logs:${target.region}:${settings.adminAccount}:log-group:${findingsLogGroup}`;
  const policies = await clients.adminLogs.send(new DescribeResourcePoliciesCommand({}));
  if (!(policies.resourcePolicies ?? []).some((p) => p.policyName === findingsRule)) {
    await clients.adminLogs.send(
      new PutResourcePolicyCommand({
        policyName: findingsRule,
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `${groupArn}:*`,
              Condition: {
                ArnEquals: {
                  'aws:SourceArn': `arn:aws:events:${target.region}:${settings.adminAccount}:rule/${findingsRule}`,
                },
              },
            },
          ],
        }),
      }),
    );
    actions.push(`let EventBridge write GuardDuty findings into ${findingsLogGroup}`);
  }
  const targets = await clients.adminEvents
    .send(new ListTargetsByRuleCommand({ Rule: findingsRule }))
    .catch((err: Error) => {
      if (err.name === 'ResourceNotFoundException') return { Targets: [] };
      throw err;
    });
  if (!(targets.Targets ?? []).some((t) => t.Arn === groupArn)) {
    await clients.adminEvents.send(
      new PutRuleCommand({
        Name: findingsRule,
        Description:
          'logwarden: GuardDuty findings of the organization to CloudWatch Logs (then the central pipeline)',
        EventPattern: JSON.stringify({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] }),
        State: 'ENABLED',
      }),
    );
    await clients.adminEvents.send(
      new PutTargetsCommand({ Rule: findingsRule, Targets: [{ Id: 'findings-log-group', Arn: groupArn }] }),
    );
    actions.push(`routed GuardDuty findings to ${findingsLogGroup} with rule ${findingsRule}`);
  }
}
