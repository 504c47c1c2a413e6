import {
  CreateMembersCommand,
  DescribeOrganizationConfigurationCommand,
  GetDetectorCommand,
  GetMembersCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  type Member,
  StartMonitoringMembersCommand,
  UpdateDetectorCommand,
  UpdateOrganizationConfigurationCommand,
} from '@aws-sdk/client-guardduty';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeResourcePoliciesCommand,
  PutResourcePolicyCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  EventBridgeClient,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { names } from '../../contracts/names';
import { isDeepStrictEqual } from 'node:util';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { controlResult } from '../shared/coverage';
import { logGroupExists } from '../shared/log-groups';

export const findingsLogGroup = names.guardDutyFindingsLogGroup;
export const findingsRule = names.guardDutyFindingsRule;
/** What the findings rule matches: every GuardDuty finding of the administrator's default bus. */
export const findingsRulePattern = { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] };

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
  /** The organization's auto-enable setting to keep (config guardDuty.autoEnable); default ALL. */
  autoEnable?: 'ALL' | 'NEW' | 'NONE';
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
  const isAdmin = target.account === settings.adminAccount;
  const member = isAdmin ? undefined : await memberOf(clients, target, adminDetector);
  if (member) {
    evidence.membership = member.RelationshipStatus ?? 'not a member';
    if (member.DetectorId) evidence.detector = member.DetectorId;
  }
  if (member?.RelationshipStatus === 'Enabled') {
    // Covered with two reads. What is the organization's, not this member's (the delegation,
    // auto-enable, the findings rule, group and policy), is checked once per region in the
    // security-tooling account's own cell, which every sweep covers, and whenever a member
    // needs repair: checking it again in each of thousands of member cells would re-read the
    // same administrator settings against the administrator's per-region GuardDuty, Logs and
    // EventBridge quotas.
    evidence.organization = `checked in the cell of ${settings.adminAccount} ${target.region}`;
    return result();
  }

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
  const autoEnable = settings.autoEnable ?? 'ALL';
  if (orgConfig.AutoEnableOrganizationMembers !== autoEnable) {
    await clients.admin.send(
      new UpdateOrganizationConfigurationCommand({
        DetectorId: adminDetector,
        AutoEnableOrganizationMembers: autoEnable,
      }),
    );
    actions.push(
      `set GuardDuty auto-enable to ${autoEnable} (config guardDuty.autoEnable; was ${orgConfig.AutoEnableOrganizationMembers ?? 'unset'})`,
    );
  }

  if (isAdmin) {
    // The administrator's own detector: it must be enabled before it can have members.
    const d = await clients.admin.send(new GetDetectorCommand({ DetectorId: adminDetector }));
    if (d.Status !== 'ENABLED') {
      await clients.admin.send(new UpdateDetectorCommand({ DetectorId: adminDetector, Enable: true }));
      actions.push(`re-enabled the administrator's GuardDuty detector ${adminDetector} (was ${d.Status})`);
    }
    evidence.detector = adminDetector;
  } else {
    await repairMembership(
      clients,
      target,
      adminDetector,
      member,
      orgConfig.Features ?? [],
      actions,
      failures,
    );
  }

  await ensureFindingsForwarding(clients, target, settings, actions, failures);
  evidence.findings = findingsLogGroup;
  return result();
}

/** The account as the administrator's member list has it, or undefined if it is not a member. */
async function memberOf(
  clients: GuardDutyClients,
  target: ControlTarget,
  adminDetector: string,
): Promise<Member | undefined> {
  // One account id a call (GetMembers takes 1 to 50): nothing to page.
  const members = await clients.admin.send(
    new GetMembersCommand({ DetectorId: adminDetector, AccountIds: [target.account] }),
  );
  return members.Members?.find((m) => m.AccountId === target.account);
}

async function repairMembership(
  clients: GuardDutyClients,
  target: ControlTarget,
  adminDetector: string,
  member: Member | undefined,
  features: readonly { Name?: string; AutoEnable?: string }[],
  actions: string[],
  failures: string[],
) {
  const status = member?.RelationshipStatus;
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
  else {
    // "When you use CreateMembers as an Organizations delegated administrator, GuardDuty applies
    // your organization's auto-enable settings to the member accounts in this request,
    // irrespective of the accounts being new or existing members" (GuardDuty API Reference,
    // CreateMembers): an account that ran GuardDuty alone gets the organization's protection
    // plans, which may be billed, so the action names them.
    const plans = features.filter((f) => f.AutoEnable && f.AutoEnable !== 'NONE');
    actions.push(
      `made ${target.account} a GuardDuty member again, which enables GuardDuty there (was ${status ?? 'not a member'})` +
        (plans.length
          ? ` and applies the organization's auto-enabled protection plans: ${plans.map((f) => `${f.Name} (${f.AutoEnable})`).join(', ')}`
          : ''),
    );
  }
}

/** The resource policy of that name, if any (DescribeResourcePolicies: at most 50 a page, then nextToken). */
async function resourcePolicy(logs: CloudWatchLogsClient, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeResourcePoliciesCommand({ nextToken }));
    const found = (page.resourcePolicies ?? []).find((p) => p.policyName === name);
    if (found) return found.policyDocument ?? '';
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** Two JSON documents (policies, event patterns) that say the same: the text compared as parsed values. */
function sameJson(text: string | undefined, wanted: object): boolean {
  if (text === undefined) return false;
  try {
    return isDeepStrictEqual(JSON.parse(text), wanted);
  } catch {
    return false;
  }
}

/**
 * What lets EventBridge write the findings into the group: logs:CreateLogStream for the group's
 * streams, and logs:PutLogEvents only from the findings rule. The rule's ARN goes on
 * PutLogEvents alone, as the PutResourcePolicy example of the CloudWatch Logs API Reference
 * does and aws-samples/serverless-patterns#618 fixed ("The conditional ARN for the Rule only
 * applies to logs:PutLogEvents"): with it on CreateLogStream too, findings may never arrive.
 */
export function findingsResourcePolicy(region: string, adminAccount: string): object {
  const groupArn = `arn:aws:logs:${region}:${adminAccount}:log-group:${findingsLogGroup}`;
  const principal = { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] };
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: principal, Action: 'logs:CreateLogStream', Resource: `${groupArn}:*` },
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 'logs:PutLogEvents',
        Resource: `${groupArn}:*`,
        Condition: {
          ArnEquals: { 'aws:SourceArn': `arn:aws:events:${region}:${adminAccount}:rule/${findingsRule}` },
        },
      },
    ],
  };
}

/** The rule exists and targets `arn` (ListTargetsByRule: `Limit` at most 100 a page, then NextToken). */
async function ruleTargets(events: EventBridgeClient, rule: string, arn: string): Promise<boolean> {
  let NextToken: string | undefined;
  do {
    const page = await events
      .send(new ListTargetsByRuleCommand({ Rule: rule, NextToken }))
      .catch((err: Error) => {
        if (err.name === 'ResourceNotFoundException') return { Targets: [], NextToken: undefined };
        throw err;
      });
    if ((page.Targets ?? []).some((t) => t.Arn === arn)) return true;
    NextToken = page.NextToken;
  } while (NextToken);
  return false;
}

/** The admin account's findings go to a log group that the account subscription policy feeds. */
async function ensureFindingsForwarding(
  clients: GuardDutyClients,
  target: ControlTarget,
  settings: GuardDutySettings,
  actions: string[],
  failures: string[],
) {
  if (!(await logGroupExists(clients.adminLogs, findingsLogGroup))) {
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
  const wantedPolicy = findingsResourcePolicy(target.region, settings.adminAccount);
  const policy = await resourcePolicy(clients.adminLogs, findingsRule);
  if (policy === undefined || !sameJson(policy, wantedPolicy)) {
    try {
      await clients.adminLogs.send(
        new PutResourcePolicyCommand({
          policyName: findingsRule,
          policyDocument: JSON.stringify(wantedPolicy),
        }),
      );
    } catch (err) {
      // "An account can have up to 10 resource policies per AWS Region" (CloudWatch Logs API
      // Reference, PutResourcePolicy; LimitExceededException): the account's own policies fill
      // them. Said as such; none of them is logwarden's to remove.
      if ((err as Error).name !== 'LimitExceededException') throw err;
      failures.push(
        `${settings.adminAccount} ${target.region} already has the 10 CloudWatch Logs resource policies an account may have in a Region; GuardDuty findings cannot be written into ${findingsLogGroup} until one is removed`,
      );
      return;
    }
    actions.push(
      policy === undefined
        ? `let EventBridge write GuardDuty findings into ${findingsLogGroup}`
        : `corrected resource policy ${findingsRule}, which differed from what lets EventBridge write GuardDuty findings into ${findingsLogGroup}`,
    );
  }
  // "If you are updating an existing rule, the rule is replaced with what you specify in this
  // PutRule command" (EventBridge API Reference, PutRule): anyone's PutRule of this name may leave
  // it disabled ("A disabled rule won't match any events", DisableRule) or with a pattern no
  // finding matches, its target still there. So the rule is described first, and put again only
  // when it is missing or its State or EventPattern (compared as parsed JSON) is not the wanted one.
  const rule = await clients.adminEvents
    .send(new DescribeRuleCommand({ Name: findingsRule }))
    .catch((err: Error) => {
      if (err.name === 'ResourceNotFoundException') return undefined;
      throw err;
    });
  const ruleRight = rule?.State === 'ENABLED' && sameJson(rule.EventPattern, findingsRulePattern);
  if (!ruleRight) {
    await clients.adminEvents.send(
      new PutRuleCommand({
        Name: findingsRule,
        Description:
          'logwarden: GuardDuty findings of the organization to CloudWatch Logs (then the central pipeline)',
        EventPattern: JSON.stringify(findingsRulePattern),
        State: 'ENABLED',
      }),
    );
    if (rule && rule.State !== 'ENABLED')
      actions.push(`enabled rule ${findingsRule} again, which was ${rule.State ?? 'in no state'}`);
    if (rule && !sameJson(rule.EventPattern, findingsRulePattern))
      actions.push(
        `put back the pattern of rule ${findingsRule}, which was ${rule.EventPattern ?? 'none'} (wanted ${JSON.stringify(findingsRulePattern)})`,
      );
  }
  // A rule just created has no target; an existing one may have lost it (RemoveTargets).
  if (!rule || !(await ruleTargets(clients.adminEvents, findingsRule, groupArn))) {
    const put = await clients.adminEvents.send(
      new PutTargetsCommand({ Rule: findingsRule, Targets: [{ Id: 'findings-log-group', Arn: groupArn }] }),
    );
    // PutTargets answers a refused target in the response, not with an error
    // (PutTargetsResponse.FailedEntryCount, "The number of failed entries.", and FailedEntries).
    if (put.FailedEntryCount) {
      for (const e of put.FailedEntries ?? [])
        failures.push(`PutTargets ${findingsRule} → ${groupArn}: ${e.ErrorCode} ${e.ErrorMessage}`);
      return;
    }
    actions.push(`routed GuardDuty findings to ${findingsLogGroup} with rule ${findingsRule}`);
  }
}
