import {
  CloudWatchLogsClient,
  DeleteAccountPolicyCommand,
  DeleteLogGroupCommand,
  DescribeAccountPoliciesCommand,
  DescribeResourcePoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CloudTrailClient,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli, type CliDeps } from '../../cli/main';
import {
  renderUninstallPlan,
  runUninstall,
  scanForUninstall,
  scanMemberCell,
  type WhoAmI,
} from '../../cli/uninstall';
import { exampleConfig, exampleConfigPath } from '../stacks/example-app';

const ec2 = mockClient(EC2Client);
const logs = mockClient(CloudWatchLogsClient);
const cloudtrail = mockClient(CloudTrailClient);
const events = mockClient(EventBridgeClient);
const sts = mockClient(STSClient);
const ddb = mockClient(DynamoDBClient);
const credentials = async () => ({ accessKeyId: 'a', secretAccessKey: 'b' });
const account = '444444444444';
const group = '/logwarden/vpc-flow-logs/logwarden-v5';

beforeEach(() => {
  for (const m of [ec2, logs, cloudtrail, events, sts, ddb]) m.reset();
  ec2.on(DescribeFlowLogsCommand).resolves({
    FlowLogs: [
      {
        FlowLogId: 'fl-ours',
        ResourceId: 'vpc-1',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: group,
        Tags: [{ Key: 'managed-by', Value: 'logwarden' }],
      },
      // The platform team's flow log, there before logwarden: no mark, never touched.
      { FlowLogId: 'fl-platform', ResourceId: 'vpc-2', Tags: [{ Key: 'owner', Value: 'platform-team' }] },
    ],
  });
  logs.on(DescribeAccountPoliciesCommand).resolves({
    accountPolicies: [
      { policyName: 'logwarden-central-eu-west-1', policyType: 'SUBSCRIPTION_FILTER_POLICY' },
    ],
  });
  logs.on(DescribeLogGroupsCommand).resolves({
    logGroups: [{ logGroupName: group }, { logGroupName: '/app/orders' }],
  });
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  // Every flow log deleted: no Unsuccessful item.
  ec2.on(DeleteFlowLogsCommand).resolves({ Unsuccessful: [] });
});

describe('logwarden uninstall', () => {
  it('lists only what carries logwarden’s mark, with the call that removes it; pre-existing resources stay', async () => {
    const scan = await scanMemberCell(account, 'eu-west-1', credentials);
    expect(renderUninstallPlan({ ...scan, refused: [] })).toEqual([
      `${account} eu-west-1: remove flow log fl-ours of vpc-1`,
      '    EC2 DeleteFlowLogs {"FlowLogIds":["fl-ours"]}',
      `${account} eu-west-1: remove account subscription policy logwarden-central-eu-west-1`,
      '    CloudWatch Logs DeleteAccountPolicy {"policyName":"logwarden-central-eu-west-1","policyType":"SUBSCRIPTION_FILTER_POLICY"}',
      `${account} eu-west-1: remove log group /logwarden/vpc-flow-logs/logwarden-v5`,
      '    CloudWatch Logs DeleteLogGroup {"logGroupName":"/logwarden/vpc-flow-logs/logwarden-v5"}',
      'uninstall: 3 removal(s), 0 kept',
    ]);
    expect(ec2).not.toHaveReceivedCommand(DeleteFlowLogsCommand);
  });

  it('removes them, records each step, and never touches the foreign flow log or the application group', async () => {
    const scan = await scanMemberCell(account, 'eu-west-1', credentials);
    const recorded: string[] = [];
    const result = await runUninstall(scan, {
      waveSize: 4,
      say: () => undefined,
      record: async (r, outcome) =>
        void recorded.push(`${r.control}: ${r.what}${outcome?.error ? ` (${outcome.error})` : ''}`),
    });
    expect(result).toEqual({ removed: 3, failed: 0, kept: 0 });
    expect(ec2).toHaveReceivedCommandWith(DeleteFlowLogsCommand, { FlowLogIds: ['fl-ours'] });
    expect(ec2.commandCalls(DeleteFlowLogsCommand)).toHaveLength(1);
    expect(logs).toHaveReceivedCommandWith(DeleteAccountPolicyCommand, {
      policyName: 'logwarden-central-eu-west-1',
    });
    expect(logs.commandCalls(DeleteLogGroupCommand).map((c) => c.args[0].input.logGroupName)).toEqual([
      '/logwarden/vpc-flow-logs/logwarden-v5',
    ]);
    expect(recorded).toEqual([
      'flow-logs: flow log fl-ours of vpc-1',
      'subscription: account subscription policy logwarden-central-eu-west-1',
      'flow-logs: log group /logwarden/vpc-flow-logs/logwarden-v5',
    ]);
  });

  it('a failed removal stops the run after its wave; the group its flow log still delivers to stays', async () => {
    ec2
      .on(DeleteFlowLogsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
    const scan = await scanMemberCell(account, 'eu-west-1', credentials);
    const second = await scanMemberCell('555555555555', 'eu-west-1', credentials);
    const lines: string[] = [];
    const outcomes: string[] = [];
    const result = await runUninstall(
      { removals: [...scan.removals, ...second.removals] },
      {
        waveSize: 1,
        say: (l) => lines.push(l),
        record: async (r, outcome) => {
          outcomes.push(
            `${r.what}: ${outcome?.error ? 'failed' : outcome?.kept ? `kept (${outcome.kept})` : 'removed'}`,
          );
        },
      },
    );
    // The kept group is counted and recorded as kept, not dropped from the outcome.
    expect(result).toEqual({ removed: 1, failed: 1, kept: 1 });
    expect(outcomes).toContain(`log group ${group}: kept (flow log fl-ours still delivers to it)`);
    expect(lines).toContain(
      `${account} eu-west-1: kept log group ${group}: flow log fl-ours still delivers to it`,
    );
    expect(logs).not.toHaveReceivedCommand(DeleteLogGroupCommand);
    expect(lines.at(-1)).toBe('uninstall stopped after wave 1: 1 removal(s) failed');
    expect(lines.join('\n')).not.toContain('555555555555');
  });

  it('a DeleteFlowLogs answered with Unsuccessful is a failure, not a removal, and the flow log’s group stays', async () => {
    // EC2 API Reference, DeleteFlowLogs, response element `unsuccessful`: "Information about the
    // flow logs that could not be deleted successfully" (botocore ec2 DeleteFlowLogsResult): a
    // 200 answer whose items name the flow logs that are still there.
    ec2.on(DeleteFlowLogsCommand).resolves({
      Unsuccessful: [
        {
          ResourceId: 'fl-ours',
          Error: {
            Code: 'UnauthorizedOperation',
            Message: 'You are not authorized to perform this operation.',
          },
        },
      ],
    });
    logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [] });
    const scan = await scanMemberCell(account, 'eu-west-1', credentials);
    const recorded: string[] = [];
    const result = await runUninstall(scan, {
      waveSize: 4,
      say: () => undefined,
      record: async (r, outcome) =>
        void recorded.push(
          `${r.what}${outcome?.error ? ` (${outcome.error})` : outcome?.kept ? ` kept: ${outcome.kept}` : ''}`,
        ),
    });
    expect(result).toEqual({ removed: 0, failed: 1, kept: 1 });
    expect(recorded).toEqual([
      'flow log fl-ours of vpc-1 (UnauthorizedOperation: You are not authorized to perform this operation.)',
      `log group ${group} kept: flow log fl-ours still delivers to it`,
    ]);
    expect(logs).not.toHaveReceivedCommand(DeleteLogGroupCommand);
  });
});

/** Credentials that say which account they are, and the STS answer for them. */
const credentialsOf = (acct: string) => async (): Promise<AwsCredentialIdentity> => ({
  accessKeyId: acct,
  secretAccessKey: 'secret',
});
const whoAmI: WhoAmI = async (c) => (typeof c === 'function' ? await c() : c).accessKeyId;

describe('logwarden uninstall reaches each account only with that account’s credentials', () => {
  it('credentials that GetCallerIdentity says are 333333333333, given for 444444444444: refused, naming both; nothing scanned or deleted there', async () => {
    // STS API Reference, GetCallerIdentity: "Returns details about the IAM user or role whose
    // credentials are used to call the operation", its Account "The Amazon Web Services account
    // ID number of the account that owns or contains the calling entity".
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333' });
    const out: string[] = [];
    const deps: CliDeps = {
      io: { out: (l) => out.push(l), err: (l) => out.push(`ERR ${l}`) },
      clients: () => ({
        ddb: new DynamoDBClient({}),
        sfn: new SFNClient({}),
        orgs: new OrganizationsClient({}),
        sts: new STSClient({}),
      }),
      sleep: async () => undefined,
      now: () => new Date('2026-12-08T01:00:00Z'),
      pollMs: 0,
      env: {},
      // The security-tooling account's own credentials, given for every account (no --assume-role).
      uninstallAccess: () => async () => credentialsOf('333333333333'),
    };
    const planned = await runCli(
      ['uninstall', '--plan', '--account', account, '--config', exampleConfigPath],
      deps,
    );
    expect(planned).toBe(1);
    expect(out.splice(0)).toEqual([
      `${account}: refused: the credentials given for account ${account} are account 333333333333's (STS GetCallerIdentity): refused, nothing scanned or removed in ${account}`,
      'uninstall: 0 removal(s), 0 kept, 1 account(s) refused',
    ]);
    const code = await runCli(['uninstall', '--account', account, '--config', exampleConfigPath], deps);
    expect(code).toBe(1);
    expect(out).toContain(
      `ERR error: ${account}: the credentials given for account ${account} are account 333333333333's (STS GetCallerIdentity): refused, nothing scanned or removed in ${account}`,
    );
    expect(out.at(-1)).toBe(
      'uninstall: 0 removed, 0 kept (still in use), 0 failed, 1 account(s) refused (not scanned); next: cdk destroy (docs/operating.md)',
    );
    expect(ec2).not.toHaveReceivedCommand(DescribeFlowLogsCommand);
    expect(ec2).not.toHaveReceivedCommand(DeleteFlowLogsCommand);
    expect(logs).not.toHaveReceivedCommand(DeleteLogGroupCommand);
    expect(logs).not.toHaveReceivedCommand(DeleteAccountPolicyCommand);
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('organization mode: the management account refusing (AccessDenied) stops nothing else; the organization trail is scanned and deleted with the security-tooling account’s credentials', async () => {
    // Organizations API Reference, CreateAccount RoleName: OrganizationAccountAccessRole "trusts
    // the management account" and exists only in accounts Organizations created, so a role
    // assumed "in every account" is not there in the management account. The organization trail
    // is the CloudTrail delegated administrator's to manage (it "can perform the same
    // administrative tasks (except as noted) in CloudTrail as the management account", CloudTrail
    // User Guide, "Organization delegated administrator"), as functions/ensure-trail manages it.
    const config = exampleConfig({ scope: { coverManagementAccount: true } });
    const trailArn = 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/logwarden-org-trail';
    cloudtrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ TrailARN: trailArn, IsOrganizationTrail: true }] });
    cloudtrail.on(ListTagsCommand).resolves({
      ResourceTagList: [{ ResourceId: trailArn, TagsList: [{ Key: 'managed-by', Value: 'logwarden' }] }],
    });
    events
      .on(ListTargetsByRuleCommand)
      .rejects(Object.assign(new Error('no rule'), { name: 'ResourceNotFoundException' }));
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [] });
    const access = async (acct: string) => {
      if (acct === '111111111111')
        throw Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' });
      return credentialsOf(acct);
    };
    const scan = await scanForUninstall(
      config,
      ['111111111111', account, '333333333333'],
      ['eu-west-1'],
      access,
      whoAmI,
    );
    expect(scan.refused).toEqual([
      {
        account: '111111111111',
        why: 'no credentials for account 111111111111 (AccessDenied: not authorized to perform sts:AssumeRole)',
      },
    ]);
    const trail = scan.removals.find((r) => r.control === 'trail');
    expect(trail).toMatchObject({ account: '333333333333', what: `trail ${trailArn}` });
    const result = await runUninstall(scan, {
      waveSize: 4,
      say: () => undefined,
      record: async () => undefined,
    });
    expect(result.failed).toBe(0);
    expect(ec2).toHaveReceivedCommandWith(DeleteFlowLogsCommand, { FlowLogIds: ['fl-ours'] });
    const memberDeletes = await Promise.all(
      ec2.commandCalls(DeleteFlowLogsCommand).map(async (c) => {
        const client = c.thisValue as EC2Client;
        return (await client.config.credentials()).accessKeyId;
      }),
    );
    expect(memberDeletes).toContain(account);
    expect(memberDeletes).not.toContain('111111111111');
    const trailCalls = [
      ...cloudtrail.commandCalls(DescribeTrailsCommand),
      ...cloudtrail.commandCalls(ListTagsCommand),
      ...cloudtrail.commandCalls(DeleteTrailCommand),
    ];
    expect(trailCalls).toHaveLength(3);
    for (const c of trailCalls)
      expect((await (c.thisValue as CloudTrailClient).config.credentials()).accessKeyId).toBe('333333333333');
    expect(cloudtrail).toHaveReceivedCommandWith(DeleteTrailCommand, { Name: trailArn });
  });
});
