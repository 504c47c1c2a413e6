import {
  CloudWatchLogsClient,
  DeleteAccountPolicyCommand,
  DeleteLogGroupCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DeleteFlowLogsCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { renderUninstallPlan, runUninstall, scanMemberCell } from '../../cli/uninstall';

const ec2 = mockClient(EC2Client);
const logs = mockClient(CloudWatchLogsClient);
const credentials = async () => ({ accessKeyId: 'a', secretAccessKey: 'b' });
const account = '444444444444';

beforeEach(() => {
  ec2.reset();
  logs.reset();
  ec2.on(DescribeFlowLogsCommand).resolves({
    FlowLogs: [
      { FlowLogId: 'fl-ours', ResourceId: 'vpc-1', Tags: [{ Key: 'managed-by', Value: 'logwarden' }] },
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
    logGroups: [{ logGroupName: '/logwarden/vpc-flow-logs/logwarden-v5' }, { logGroupName: '/app/orders' }],
  });
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
});

describe('logwarden uninstall', () => {
  it('lists only what carries logwarden’s mark, with the call that removes it; pre-existing resources stay', async () => {
    const scan = await scanMemberCell(account, 'eu-west-1', credentials);
    expect(renderUninstallPlan(scan)).toEqual([
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
      record: async (r, error) => void recorded.push(`${r.control}: ${r.what}${error ? ` (${error})` : ''}`),
    });
    expect(result).toEqual({ removed: 3, failed: 0 });
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

  it('a failed removal stops the run after its wave', async () => {
    ec2
      .on(DeleteFlowLogsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
    const scan = await scanMemberCell(account, 'eu-west-1', credentials);
    const second = await scanMemberCell('555555555555', 'eu-west-1', credentials);
    const lines: string[] = [];
    const result = await runUninstall(
      { removals: [...scan.removals, ...second.removals], kept: [] },
      { waveSize: 1, say: (l) => lines.push(l), record: async () => undefined },
    );
    expect(result).toEqual({ removed: 2, failed: 1 });
    expect(lines.at(-1)).toBe('uninstall stopped after wave 1: 1 removal(s) failed');
    expect(lines.join('\n')).not.toContain('555555555555');
  });
});
