import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeResourcePoliciesCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateDetectorCommand,
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
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import {
  ensureGuardDuty,
  findingsLogGroup,
  findingsResourcePolicy,
  findingsRule,
  findingsRulePattern,
} from '../../../functions/ensure-guardduty/ensure-guardduty';

// Every GuardDuty call goes to the administrator: the control is given no member client at all.
const admin = new GuardDutyClient({ region: 'eu-west-1' });
const adminGd = mockClient(admin);
const events = mockClient(EventBridgeClient);
const logs = mockClient(CloudWatchLogsClient);
const orgs = mockClient(OrganizationsClient);
const clients = {
  admin,
  adminEvents: new EventBridgeClient({}),
  adminLogs: new CloudWatchLogsClient({}),
  organizations: new OrganizationsClient({}),
};
const target = { account: '444444444444', region: 'eu-west-1' };
const settings = { adminAccount: '333333333333', retentionDays: 365 };
const groupArn = `arn:aws:logs:eu-west-1:333333333333:log-group:${findingsLogGroup}`;
const ourPolicy = {
  policyName: findingsRule,
  policyDocument: JSON.stringify(findingsResourcePolicy('eu-west-1', '333333333333')),
};

function noWrites(stub: AwsStub<never, never, never>, commands: unknown[]) {
  for (const c of commands) expect(stub).not.toHaveReceivedCommand(c as never);
}

beforeEach(() => {
  for (const m of [adminGd, events, logs, orgs]) m.reset();
  adminGd.on(ListDetectorsCommand).resolves({ DetectorIds: ['admin-det'] });
  adminGd.on(DescribeOrganizationConfigurationCommand).resolves({ AutoEnableOrganizationMembers: 'ALL' });
  adminGd.on(GetMembersCommand).resolves({
    Members: [
      {
        AccountId: target.account,
        RelationshipStatus: 'Enabled',
        DetectorId: 'member-det',
        Email: 'x',
        MasterId: 'a',
        UpdatedAt: 'now',
      },
    ],
  });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: findingsLogGroup }] });
  logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [ourPolicy] });
  events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
  events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'findings-log-group', Arn: groupArn }] });
  events
    .on(DescribeRuleCommand)
    .resolves({ Name: findingsRule, State: 'ENABLED', EventPattern: JSON.stringify(findingsRulePattern) });
  orgs.on(DescribeAccountCommand).resolves({ Account: { Id: target.account, Email: 'member@example.com' } });
});

describe('ensureGuardDuty', () => {
  it('already covered: no write call anywhere', async () => {
    const r = await ensureGuardDuty(clients, target, settings);
    expect(r).toMatchObject({
      status: 'covered',
      actions: [],
      evidence: {
        adminDetector: 'admin-det',
        detector: 'member-det',
        membership: 'Enabled',
        organization: 'checked in the cell of 333333333333 eu-west-1',
      },
    });
    noWrites(adminGd as never, [UpdateOrganizationConfigurationCommand, CreateMembersCommand]);
    noWrites(events as never, [PutRuleCommand, PutTargetsCommand]);
    noWrites(logs as never, [CreateLogGroupCommand, PutResourcePolicyCommand]);
  });

  it('an Enabled member costs two reads: the organization settings are left to the administrator cell', async () => {
    await ensureGuardDuty(clients, target, settings);
    expect(adminGd.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'ListDetectorsCommand',
      'GetMembersCommand',
    ]);
    expect(logs.calls()).toHaveLength(0);
    expect(events.calls()).toHaveLength(0);
    expect(orgs.calls()).toHaveLength(0);
  });

  it("the administrator's own cell checks the delegation, auto-enable and findings forwarding, and writes nothing when right", async () => {
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(r).toMatchObject({ status: 'covered', actions: [], evidence: { findings: findingsLogGroup } });
    expect(adminGd).toHaveReceivedCommand(DescribeOrganizationConfigurationCommand);
    expect(logs).toHaveReceivedCommand(DescribeLogGroupsCommand);
    expect(logs).toHaveReceivedCommand(DescribeResourcePoliciesCommand);
    expect(events).toHaveReceivedCommand(ListTargetsByRuleCommand);
    noWrites(adminGd as never, [UpdateOrganizationConfigurationCommand, UpdateDetectorCommand]);
    noWrites(events as never, [PutRuleCommand, PutTargetsCommand]);
    noWrites(logs as never, [CreateLogGroupCommand, PutResourcePolicyCommand]);
  });

  it('findings forwarding: every page is read (nextToken) before anything is created', async () => {
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    logs
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: `${findingsLogGroup}-other` }], nextToken: 'p2' })
      .resolves({ logGroups: [{ logGroupName: findingsLogGroup }] });
    logs
      .on(DescribeResourcePoliciesCommand)
      .resolvesOnce({ resourcePolicies: [{ policyName: 'someone-else' }], nextToken: 'p2' })
      .resolves({ resourcePolicies: [ourPolicy] });
    events
      .on(ListTargetsByRuleCommand)
      .resolvesOnce({
        Targets: [{ Id: 'other', Arn: 'arn:aws:sns:eu-west-1:333333333333:t' }],
        NextToken: 'p2',
      })
      .resolves({ Targets: [{ Id: 'findings-log-group', Arn: groupArn }] });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(r.status).toBe('covered');
    expect(logs).toHaveReceivedCommandWith(DescribeLogGroupsCommand, { nextToken: 'p2' });
    expect(logs).toHaveReceivedCommandWith(DescribeResourcePoliciesCommand, { nextToken: 'p2' });
    expect(events).toHaveReceivedCommandWith(ListTargetsByRuleCommand, { NextToken: 'p2' });
    noWrites(events as never, [PutRuleCommand, PutTargetsCommand]);
    noWrites(logs as never, [CreateLogGroupCommand, PutResourcePolicyCommand]);
  });

  it('the admin not yet delegated: a failure that says what to run, and nothing written', async () => {
    // An account that is not the delegated administrator has no organization members.
    adminGd.on(GetMembersCommand).resolves({
      Members: [],
      UnprocessedAccounts: [{ AccountId: target.account, Result: 'not a member' }],
    });
    adminGd
      .on(DescribeOrganizationConfigurationCommand)
      .rejects(Object.assign(new Error('not the delegated admin'), { name: 'BadRequestException' }));
    const r = await ensureGuardDuty(clients, target, settings);
    expect(r.status).toBe('failed');
    expect(r.reason).toContain(
      'aws guardduty enable-organization-admin-account --admin-account-id 333333333333 --region eu-west-1',
    );
    noWrites(adminGd as never, [UpdateOrganizationConfigurationCommand, CreateMembersCommand]);
  });

  it('a missing member is created by the administrator (which enables GuardDuty there), auto-enable set to ALL, nothing called in the member', async () => {
    adminGd.on(DescribeOrganizationConfigurationCommand).resolves({ AutoEnableOrganizationMembers: 'NEW' });
    adminGd.on(GetMembersCommand).resolves({
      Members: [],
      UnprocessedAccounts: [{ AccountId: target.account, Result: 'not a member' }],
    });
    adminGd.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [] });
    const r = await ensureGuardDuty(clients, target, settings);
    expect(r.status).toBe('healed');
    expect(adminGd).toHaveReceivedCommandWith(UpdateOrganizationConfigurationCommand, {
      DetectorId: 'admin-det',
      AutoEnableOrganizationMembers: 'ALL',
    });
    expect(adminGd).toHaveReceivedCommandWith(CreateMembersCommand, {
      DetectorId: 'admin-det',
      AccountDetails: [{ AccountId: target.account, Email: 'member@example.com' }],
    });
    // No CreateDetector racing CreateMembers: GuardDuty enables the member itself.
    expect(adminGd).not.toHaveReceivedCommand(CreateDetectorCommand);
    expect(r.actions).toHaveLength(2);
  });

  it('a removed account made a member again: the action names the protection plans the organization auto-enables, which CreateMembers applies to it', async () => {
    // "When you use CreateMembers as an Organizations delegated administrator, GuardDuty applies
    // your organization's auto-enable settings to the member accounts in this request,
    // irrespective of the accounts being new or existing members" (GuardDuty API Reference).
    adminGd.on(DescribeOrganizationConfigurationCommand).resolves({
      AutoEnableOrganizationMembers: 'ALL',
      Features: [
        { Name: 'RUNTIME_MONITORING', AutoEnable: 'ALL' },
        { Name: 'S3_DATA_EVENTS', AutoEnable: 'NEW' },
        { Name: 'RDS_LOGIN_EVENTS', AutoEnable: 'NONE' },
      ],
    });
    adminGd.on(GetMembersCommand).resolves({
      Members: [
        {
          AccountId: target.account,
          MasterId: '333333333333',
          Email: 'member@example.com',
          RelationshipStatus: 'Removed',
          UpdatedAt: '2026-11-29T00:00:00Z',
        },
      ],
    });
    adminGd.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [] });
    const r = await ensureGuardDuty(clients, target, settings);
    expect(r.status).toBe('healed');
    expect(r.actions).toEqual([
      `made ${target.account} a GuardDuty member again, which enables GuardDuty there (was Removed) and applies the organization's auto-enabled protection plans: RUNTIME_MONITORING (ALL), S3_DATA_EVENTS (NEW)`,
    ]);
  });

  it.each(['Disabled', 'Paused'])(
    'a suspended member (%s) is restarted with StartMonitoringMembers, keeping its membership',
    async (status) => {
      adminGd.on(GetMembersCommand).resolves({
        Members: [
          {
            AccountId: target.account,
            RelationshipStatus: status,
            Email: 'x',
            MasterId: 'a',
            UpdatedAt: 'now',
          },
        ],
      });
      adminGd.on(StartMonitoringMembersCommand).resolves({ UnprocessedAccounts: [] });
      const r = await ensureGuardDuty(clients, target, settings);
      expect(r).toMatchObject({
        status: 'healed',
        actions: [`restarted GuardDuty monitoring of ${target.account} (was ${status})`],
      });
      expect(adminGd).toHaveReceivedCommandWith(StartMonitoringMembersCommand, {
        DetectorId: 'admin-det',
        AccountIds: [target.account],
      });
      expect(adminGd).not.toHaveReceivedCommand(CreateMembersCommand);
    },
  );

  it.each(['Removed', 'Resigned', 'Created'])(
    'a disassociated member (%s) is re-created by the administrator with CreateMembers',
    async (status) => {
      adminGd.on(GetMembersCommand).resolves({
        Members: [
          {
            AccountId: target.account,
            RelationshipStatus: status,
            Email: 'x',
            MasterId: 'a',
            UpdatedAt: 'now',
          },
        ],
      });
      adminGd.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [] });
      const r = await ensureGuardDuty(clients, target, settings);
      expect(r.status).toBe('healed');
      expect(adminGd).toHaveReceivedCommandTimes(CreateMembersCommand, 1);
      expect(adminGd).not.toHaveReceivedCommand(StartMonitoringMembersCommand);
    },
  );

  it('a restart GuardDuty refuses is a failure with its reason', async () => {
    adminGd.on(GetMembersCommand).resolves({
      Members: [
        {
          AccountId: target.account,
          RelationshipStatus: 'Disabled',
          Email: 'x',
          MasterId: 'a',
          UpdatedAt: 'now',
        },
      ],
    });
    adminGd
      .on(StartMonitoringMembersCommand)
      .resolves({ UnprocessedAccounts: [{ AccountId: target.account, Result: 'account is closed' }] });
    const r = await ensureGuardDuty(clients, target, settings);
    expect(r).toMatchObject({ status: 'failed', reason: 'StartMonitoringMembers: account is closed' });
  });

  it('the administrator itself: its own detector is re-enabled, no membership calls', async () => {
    adminGd.on(GetDetectorCommand).resolves({ Status: 'DISABLED', ServiceRole: 'r' });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(r.status).toBe('healed');
    expect(adminGd).toHaveReceivedCommandWith(UpdateDetectorCommand, {
      DetectorId: 'admin-det',
      Enable: true,
    });
    expect(adminGd).not.toHaveReceivedCommand(GetMembersCommand);
  });

  it('findings forwarding is set up when missing (the administrator cell)', async () => {
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [] });
    const noRule = Object.assign(new Error('no rule'), { name: 'ResourceNotFoundException' });
    events.on(DescribeRuleCommand).rejects(noRule);
    events.on(ListTargetsByRuleCommand).rejects(noRule);
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, { logGroupName: findingsLogGroup });
    expect(events).toHaveReceivedCommandWith(PutRuleCommand, { Name: findingsRule, State: 'ENABLED' });
    expect(events).toHaveReceivedCommandWith(PutTargetsCommand, {
      Rule: findingsRule,
      Targets: [{ Id: 'findings-log-group', Arn: groupArn }],
    });
    expect(r.status).toBe('healed');
  });

  it('a findings resource policy with the rule condition on CreateLogStream too is corrected (two statements, the condition on PutLogEvents only)', async () => {
    // aws-samples/serverless-patterns#618: "The conditional ARN for the Rule only applies to
    // logs:PutLogEvents"; the CloudWatch Logs API Reference's PutResourcePolicy example likewise.
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    const wanted = findingsResourcePolicy('eu-west-1', '333333333333') as {
      Statement: { Action: string; Condition?: object }[];
    };
    expect(wanted.Statement.map((st) => [st.Action, st.Condition !== undefined])).toEqual([
      ['logs:CreateLogStream', false],
      ['logs:PutLogEvents', true],
    ]);
    const old = {
      Version: '2012-10-17',
      Statement: [{ ...wanted.Statement[1], Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }],
    };
    logs
      .on(DescribeResourcePoliciesCommand)
      .resolves({ resourcePolicies: [{ policyName: findingsRule, policyDocument: JSON.stringify(old) }] });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(logs).toHaveReceivedCommandWith(PutResourcePolicyCommand, {
      policyName: findingsRule,
      policyDocument: JSON.stringify(wanted),
    });
    expect(r.status).toBe('healed');
  });

  it('an account at its 10 resource policies, and a target PutTargets refuses, are failures said as such', async () => {
    // PutResourcePolicy: "An account can have up to 10 resource policies per AWS Region"
    // (LimitExceededException); PutTargetsResponse.FailedEntryCount: "The number of failed entries."
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [] });
    logs
      .on(PutResourcePolicyCommand)
      .rejects(Object.assign(new Error('limit'), { name: 'LimitExceededException' }));
    const full = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(full).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('10 CloudWatch Logs resource policies'),
    });
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [ourPolicy] });
    events
      .on(ListTargetsByRuleCommand)
      .rejects(Object.assign(new Error('no rule'), { name: 'ResourceNotFoundException' }));
    events.on(PutTargetsCommand).resolves({
      FailedEntryCount: 1,
      FailedEntries: [
        {
          TargetId: 'findings-log-group',
          ErrorCode: 'ConcurrentModificationException',
          ErrorMessage: 'try again',
        },
      ],
    });
    const refused = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(refused).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('ConcurrentModificationException'),
    });
    expect(refused.actions.some((a) => a.startsWith('routed GuardDuty findings'))).toBe(false);
  });

  it('a findings rule someone disabled (DisableRule) is enabled again, its target kept', async () => {
    // EventBridge API Reference, DisableRule: "A disabled rule won't match any events"; it still
    // exists and keeps its target, so only DescribeRule's State tells.
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    events.on(DescribeRuleCommand).resolves({ Name: findingsRule, State: 'DISABLED' });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(events).toHaveReceivedCommandWith(PutRuleCommand, { Name: findingsRule, State: 'ENABLED' });
    expect(events).not.toHaveReceivedCommand(PutTargetsCommand);
    expect(r.status).toBe('healed');
    expect(r.actions).toContain(`enabled rule ${findingsRule} again, which was DISABLED`);
  });

  it('a findings rule replaced with another pattern (PutRule) is put back with the wanted pattern, its target kept', async () => {
    // EventBridge API Reference, PutRule: "If you are updating an existing rule, the rule is
    // replaced with what you specify in this PutRule command." Name and State unchanged, a pattern
    // no GuardDuty finding matches: only DescribeRule's EventPattern tells.
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    const other = { source: ['aws.guardduty'], 'detail-type': ['No Such Event'] };
    events
      .on(DescribeRuleCommand)
      .resolves({ Name: findingsRule, State: 'ENABLED', EventPattern: JSON.stringify(other) });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(events).toHaveReceivedCommandWith(PutRuleCommand, {
      Name: findingsRule,
      State: 'ENABLED',
      EventPattern: JSON.stringify(findingsRulePattern),
    });
    expect(events).not.toHaveReceivedCommand(PutTargetsCommand);
    expect(r.status).toBe('healed');
    expect(r.actions.join('\n')).toContain('No Such Event');
  });

  it('the same pattern written another way (key order, spacing) is the same: nothing is put', async () => {
    adminGd.on(GetDetectorCommand).resolves({ Status: 'ENABLED', ServiceRole: 'r' });
    const reordered = Object.fromEntries(Object.entries(findingsRulePattern).reverse());
    events
      .on(DescribeRuleCommand)
      .resolves({ Name: findingsRule, State: 'ENABLED', EventPattern: JSON.stringify(reordered, null, 2) });
    const r = await ensureGuardDuty(clients, { ...target, account: settings.adminAccount }, settings);
    expect(events).toHaveReceivedCommandWith(DescribeRuleCommand, { Name: findingsRule });
    noWrites(events as never, [PutRuleCommand, PutTargetsCommand]);
    expect(r).toMatchObject({ status: 'covered', actions: [] });
  });

  it('an error other than the delegated-admin refusal is thrown, never reported as covered', async () => {
    adminGd.on(GetMembersCommand).resolves({ Members: [] });
    adminGd
      .on(DescribeOrganizationConfigurationCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(ensureGuardDuty(clients, target, settings)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('throttling surfaces as a retryable error name', async () => {
    adminGd
      .on(ListDetectorsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(ensureGuardDuty(clients, target, settings)).rejects.toMatchObject({
      name: 'TooManyRequestsException',
    });
  });
});
