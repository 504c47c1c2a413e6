import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { ensureFlowLogs, flowLogsClientToken } from '../../../functions/ensure-flow-logs/ensure-flow-logs';
import {
  flowLogGroupFor,
  logFormatString,
  logwardenFormat,
} from '../../../functions/shared/flow-log-formats';
import {
  flowLogsCrossAccountRoleArn,
  flowLogsFirehoseArn,
  flowLogsFirehoseSourceRoleArn,
  pipelineLogGroup,
} from '../../../contracts/names';

const ec2 = mockClient(EC2Client);
const logs = mockClient(CloudWatchLogsClient);
const clients = {
  ec2: new EC2Client({ region: 'eu-west-1' }),
  logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
};
const target = { account: '444444444444', region: 'eu-west-1' };
const settings = {
  deliveryRoleArn: 'arn:aws:iam::444444444444:role/logwarden-flowlogs-delivery',
  acceptForeignFlowLogs: false,
  retentionDays: 365,
  execution: 'region-444444444444-eu-west-1-202611290530',
};
const ours = (vpc: string, id: string): FlowLog => ({
  FlowLogId: id,
  ResourceId: vpc,
  FlowLogStatus: 'ACTIVE',
  DeliverLogsStatus: 'SUCCESS',
  LogDestinationType: 'cloud-watch-logs',
  LogGroupName: flowLogGroupFor(logwardenFormat),
  LogFormat: logFormatString(logwardenFormat),
});
const foreign = (vpc: string): FlowLog => ({
  FlowLogId: 'fl-foreign',
  ResourceId: vpc,
  FlowLogStatus: 'ACTIVE',
  TrafficType: 'ALL',
  LogDestinationType: 's3',
  LogDestination: 'arn:aws:s3:::their-bucket',
  LogFormat: '${version} ${srcaddr}',
});
const writes = [CreateFlowLogsCommand, CreateLogGroupCommand, PutRetentionPolicyCommand] as const;

beforeEach(() => {
  ec2.reset();
  logs.reset();
  ec2
    .on(DescribeVpcsCommand)
    .resolves({ Vpcs: [{ VpcId: 'vpc-default', IsDefault: true }, { VpcId: 'vpc-app' }] });
  logs
    .on(DescribeLogGroupsCommand)
    .resolves({ logGroups: [{ logGroupName: flowLogGroupFor(logwardenFormat) }] });
  ec2
    .on(CreateFlowLogsCommand)
    .callsFake((input) => ({ FlowLogIds: input.ResourceIds.map((v: string) => `fl-new-${v}`) }));
});

describe('ensureFlowLogs', () => {
  it('a VPC shared with the account is left to its owner: only the account’s own VPCs get a flow log', async () => {
    // "Participants cannot create, delete, or describe flow logs for a shared VPC subnet"
    // (Amazon VPC User Guide, "Share your VPC with other accounts"). DescribeVpcs lists a shared
    // VPC with its owner's OwnerId ("The ID of the AWS account that owns the VPC", Vpc.OwnerId).
    ec2.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        { VpcId: 'vpc-own', OwnerId: '444444444444' },
        { VpcId: 'vpc-shared', OwnerId: '555555555555' },
      ],
    });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(ec2).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(CreateFlowLogsCommand, { ResourceIds: ['vpc-own'] });
    expect(ec2).toHaveReceivedCommandWith(DescribeFlowLogsCommand, {
      Filter: [{ Name: 'resource-id', Values: ['vpc-own'] }],
    });
    expect(r.status).toBe('healed');
    expect(r.evidence['vpc-shared']).toContain('shared by 555555555555');
  });

  it('only VPCs shared with the account: covered, nothing asked of EC2 beyond the listing', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-shared', OwnerId: '555555555555' }] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({ status: 'covered', reason: 'no VPC of its own in this region' });
    expect(ec2).not.toHaveReceivedCommand(DescribeFlowLogsCommand);
    expect(ec2).not.toHaveReceivedCommand(CreateFlowLogsCommand);
  });

  it.each([
    ['REJECT', false],
    ['ACCEPT', false],
    ['REJECT', true],
  ] as const)(
    'a foreign flow log of %s traffic only is no coverage (acceptForeignFlowLogs %s): logwarden adds its own',
    async (trafficType, acceptForeignFlowLogs) => {
      // TrafficType: "The type of traffic to monitor (accepted traffic, rejected traffic, or all
      // traffic)" (EC2 API Reference, CreateFlowLogs). AWS's default format has every field.
      ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-default', IsDefault: true }] });
      ec2.on(DescribeFlowLogsCommand).resolves({
        FlowLogs: [{ ...foreign('vpc-default'), LogFormat: undefined, TrafficType: trafficType }],
      });
      const r = await ensureFlowLogs(clients, target, { ...settings, acceptForeignFlowLogs });
      expect(r.status).toBe('healed');
      expect(ec2).toHaveReceivedCommandWith(CreateFlowLogsCommand, { ResourceIds: ['vpc-default'] });
      expect(r.actions[0]).toContain(`only a foreign flow log of ${trafficType} traffic was active`);
    },
  );

  it('already covered: describes, writes nothing', async () => {
    ec2
      .on(DescribeFlowLogsCommand)
      .resolves({ FlowLogs: [ours('vpc-default', 'fl-1'), ours('vpc-app', 'fl-2')] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({
      status: 'covered',
      actions: [],
      evidence: { 'vpc-default': 'fl-1', 'vpc-app': 'fl-2' },
    });
    for (const w of writes)
      expect(ec2.commandCalls(w as never).length + logs.commandCalls(w as never).length).toBe(0);
  });

  it('missing (default VPC included): the exact CreateFlowLogs call, and the log group first if absent', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [ours('vpc-app', 'fl-2')] });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r.status).toBe('healed');
    expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, {
      logGroupName: '/logwarden/vpc-flow-logs/lw-vpc-v8',
    });
    expect(logs).toHaveReceivedCommandWith(PutRetentionPolicyCommand, {
      logGroupName: '/logwarden/vpc-flow-logs/lw-vpc-v8',
      retentionInDays: 365,
    });
    const create = ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input;
    expect(create).toEqual({
      ResourceType: 'VPC',
      ResourceIds: ['vpc-default'],
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: '/logwarden/vpc-flow-logs/lw-vpc-v8',
      DeliverLogsPermissionArn: settings.deliveryRoleArn,
      LogFormat: logFormatString(logwardenFormat),
      MaxAggregationInterval: 60,
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      TagSpecifications: [
        { ResourceType: 'vpc-flow-log', Tags: [{ Key: 'managed-by', Value: 'logwarden' }] },
      ],
    });
    expect(r.actions).toContain(
      'created flow log fl-new-vpc-default for vpc-default because it had no active flow log',
    );
  });

  it('more VPCs than one CreateFlowLogs takes: one call per 300, each with its own token, every VPC covered', async () => {
    // EC2 model, CreateFlowLogsRequest.ResourceIds: "Maximum of 300 for the other resource types".
    const vpcs = Array.from({ length: 650 }, (_, i) => ({ VpcId: `vpc-${String(i).padStart(4, '0')}` }));
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: vpcs });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    const r = await ensureFlowLogs(clients, target, settings);
    const calls = ec2.commandCalls(CreateFlowLogsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.ResourceIds?.length)).toEqual([300, 300, 50]);
    expect(new Set(calls.map((c) => c.ClientToken)).size).toBe(3);
    expect(calls.flatMap((c) => c.ResourceIds)).toEqual(vpcs.map((v) => v.VpcId));
    expect(r.status).toBe('healed');
    expect(Object.keys(r.evidence)).toHaveLength(650);
    expect(r.evidence['vpc-0649']).toBe('fl-new-vpc-0649');
  });

  it('a foreign flow log is never touched: logwarden adds its own beside it, unless the config accepts foreign ones', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [foreign('vpc-default'), ours('vpc-app', 'fl-2')] });
    const added = await ensureFlowLogs(clients, target, settings);
    expect(added.status).toBe('healed');
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input.ResourceIds).toEqual(['vpc-default']);
    expect(added.actions[0]).toContain(
      'because only a foreign flow log without every required field was active',
    );

    ec2.resetHistory();
    const accepted = await ensureFlowLogs(clients, target, { ...settings, acceptForeignFlowLogs: true });
    expect(accepted).toMatchObject({
      status: 'covered',
      evidence: {
        'vpc-default': 'fl-foreign of to arn:aws:s3:::their-bucket (foreign, accepted by config)',
      },
    });
    expect(ec2).not.toHaveReceivedCommand(CreateFlowLogsCommand);
  });

  it('a VPC already logged by anyone, to any destination, with every required field is covered, and the owner is named', async () => {
    // "If you omit this parameter, the flow log is created using the default format" (EC2 API
    // Reference, CreateFlowLogs, LogFormat): a foreign flow log without a LogFormat logs every
    // default field.
    const platform: FlowLog = {
      ...foreign('vpc-default'),
      FlowLogId: 'fl-platform',
      LogFormat: undefined,
      Tags: [{ Key: 'owner', Value: 'platform-team' }],
    };
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [platform, ours('vpc-app', 'fl-2')] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({
      status: 'covered',
      evidence: {
        'vpc-default':
          'fl-platform of platform-team (to arn:aws:s3:::their-bucket) (foreign, logs every required field)',
      },
    });
    expect(ec2).not.toHaveReceivedCommand(CreateFlowLogsCommand);
    // A configured minimum the foreign flow log lacks: logwarden adds its own beside it.
    const custom = { ...platform, LogFormat: '${version} ${account-id} ${srcaddr} ${dstaddr}' };
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [custom, ours('vpc-app', 'fl-2')] });
    const narrow = await ensureFlowLogs(clients, target, {
      ...settings,
      requiredFields: ['srcaddr', 'dstaddr'],
    });
    expect(narrow.status).toBe('covered');
    const wide = await ensureFlowLogs(clients, target, {
      ...settings,
      requiredFields: ['srcaddr', 'tcp-flags'],
    });
    expect(wide.status).toBe('healed');
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input.ResourceIds).toEqual(['vpc-default']);
  });

  it('cover-vpc fast path: only the given VPC', async () => {
    ec2.on(DescribeVpcsCommand, { VpcIds: ['vpc-new'] }).resolves({ Vpcs: [{ VpcId: 'vpc-new' }] });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    const r = await ensureFlowLogs(clients, target, { ...settings, vpcIds: ['vpc-new'] });
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input.ResourceIds).toEqual(['vpc-new']);
    expect(r.evidence).toEqual({ 'vpc-new': 'fl-new-vpc-new' });
  });

  it('a VPC CreateFlowLogs could not cover is a failure with the reason', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    ec2.on(CreateFlowLogsCommand).resolves({
      FlowLogIds: ['fl-ok'],
      Unsuccessful: [{ ResourceId: 'vpc-app', Error: { Code: 'InvalidParameter', Message: 'bad role' } }],
    });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({ status: 'failed', reason: 'vpc-app: InvalidParameter bad role' });
  });

  // EC2 API Reference, FlowLog: "DeliverLogsStatus: The status of the logs delivery (SUCCESS |
  // FAILED)"; "Access error indicates that the IAM role associated with the flow log does not have
  // sufficient permissions to publish to CloudWatch Logs." A flow log that cannot deliver records
  // nothing (issue 21 §25).
  it('logwarden’s own flow log with DeliverLogsStatus FAILED is not coverage: reported with EC2’s reason, not re-created', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        ours('vpc-default', 'fl-1'),
        {
          ...ours('vpc-app', 'fl-broken'),
          DeliverLogsStatus: 'FAILED',
          DeliverLogsErrorMessage: 'Access error',
          DeliverLogsPermissionArn: settings.deliveryRoleArn,
        },
      ],
    });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r.status).toBe('failed');
    expect(r.reason).toBe(
      `vpc-app: flow log fl-broken to /logwarden/vpc-flow-logs/lw-vpc-v8 cannot deliver (DeliverLogsStatus FAILED: Access error); the delivery role ${settings.deliveryRoleArn} may not publish to the group (member baseline)`,
    );
    expect(r.evidence).toEqual({ 'vpc-default': 'fl-1', 'vpc-app': 'fl-broken (DeliverLogsStatus FAILED)' });
    // Another CreateFlowLogs to the same group would only answer FlowLogAlreadyExists.
    expect(ec2).not.toHaveReceivedCommand(CreateFlowLogsCommand);
  });

  it('a FAILED flow log whose group was deleted: the group is created again, and the flow log still reported', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        ours('vpc-default', 'fl-1'),
        {
          ...ours('vpc-app', 'fl-broken'),
          DeliverLogsStatus: 'FAILED',
          DeliverLogsErrorMessage: 'Unknown error',
        },
      ],
    });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, {
      logGroupName: '/logwarden/vpc-flow-logs/lw-vpc-v8',
    });
    expect(r).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('DeliverLogsStatus FAILED: Unknown error'),
    });
  });

  it('a foreign flow log that cannot deliver is not accepted, even when the config accepts foreign flow logs', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [ours('vpc-default', 'fl-1'), { ...foreign('vpc-app'), DeliverLogsStatus: 'FAILED' }],
    });
    const r = await ensureFlowLogs(clients, target, { ...settings, acceptForeignFlowLogs: true });
    expect(r.status).toBe('healed');
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input.ResourceIds).toEqual(['vpc-app']);
  });

  // Concurrent heals of one cell (issue 21 §21): "FlowLogAlreadyExists: Error. There is an
  // existing Flow Log with the same configuration and log destination." Another execution made
  // it; when it is logwarden's, to the same group, and delivering, the VPC is covered.
  it.each([
    [
      'refuses the whole call',
      () =>
        ec2.on(CreateFlowLogsCommand).rejects(
          Object.assign(
            new Error('There is an existing Flow Log with the same configuration and log destination.'),
            {
              name: 'FlowLogAlreadyExists',
            },
          ),
        ),
    ],
    [
      'answers it for the VPC',
      () =>
        ec2.on(CreateFlowLogsCommand).resolves({
          FlowLogIds: [],
          Unsuccessful: [
            { ResourceId: 'vpc-app', Error: { Code: 'FlowLogAlreadyExists', Message: 'exists' } },
          ],
        }),
    ],
  ])('FlowLogAlreadyExists for logwarden’s own destination is success (EC2 %s)', async (_, refuse) => {
    ec2
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [ours('vpc-default', 'fl-1')] })
      .resolves({ FlowLogs: [ours('vpc-default', 'fl-1'), ours('vpc-app', 'fl-by-another')] });
    refuse();
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({
      status: 'covered',
      evidence: { 'vpc-default': 'fl-1', 'vpc-app': 'fl-by-another (created by another execution)' },
    });
  });

  it('a call refused whole gives the VPCs it left without a flow log one more call, with a new token', async () => {
    // Two VPCs missing; another execution made vpc-default's between our look-up and our call, so
    // EC2 refused the whole call (the stand-in's answer; AWS's is not documented) and vpc-app got
    // nothing. It is created now, not on the next sweep.
    ec2
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [] })
      .resolves({ FlowLogs: [ours('vpc-default', 'fl-by-another')] });
    ec2
      .on(CreateFlowLogsCommand)
      .rejectsOnce(Object.assign(new Error('exists'), { name: 'FlowLogAlreadyExists' }))
      .callsFake((input) => ({ FlowLogIds: input.ResourceIds.map((v: string) => `fl-new-${v}`) }));
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({
      status: 'healed',
      evidence: {
        'vpc-default': 'fl-by-another (created by another execution)',
        'vpc-app': 'fl-new-vpc-app',
      },
    });
    const calls = ec2.commandCalls(CreateFlowLogsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.ResourceIds)).toEqual([['vpc-default', 'vpc-app'], ['vpc-app']]);
    expect(calls[1].ClientToken).not.toBe(calls[0].ClientToken);
    expect(calls[1].ClientToken).not.toBe(flowLogsClientToken(settings.execution, target, ['vpc-app']));
  });

  it('FlowLogAlreadyExists with no delivering flow log of logwarden’s there is a failure', async () => {
    ec2
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [ours('vpc-default', 'fl-1')] })
      .resolves({ FlowLogs: [ours('vpc-default', 'fl-1'), foreign('vpc-app')] });
    ec2.on(CreateFlowLogsCommand).resolves({
      Unsuccessful: [{ ResourceId: 'vpc-app', Error: { Code: 'FlowLogAlreadyExists', Message: 'exists' } }],
    });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(r).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('answered FlowLogAlreadyExists'),
    });
  });

  it('a heal after DeleteFlowLogs creates a new flow log: the ClientToken is new for every execution (EC2 honours tokens)', async () => {
    // EC2 as documented: a repeated ClientToken returns the first call's result and creates
    // nothing, even if that flow log was deleted since.
    const byToken = new Map<string, string[]>();
    let created = 0;
    const live = new Map<string, FlowLog>();
    ec2.on(DescribeFlowLogsCommand).callsFake(() => ({ FlowLogs: [...live.values()] }));
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-app' }] });
    ec2.on(CreateFlowLogsCommand).callsFake((input) => {
      const earlier = byToken.get(input.ClientToken);
      if (earlier) return { FlowLogIds: earlier };
      const ids = input.ResourceIds.map((vpc: string) => {
        const id = `fl-${++created}`;
        live.set(id, ours(vpc, id));
        return id;
      });
      byToken.set(input.ClientToken, ids);
      return { FlowLogIds: ids };
    });
    const first = await ensureFlowLogs(clients, target, {
      ...settings,
      execution: 'vpc-444444444444-eu-west-1-vpc-app',
    });
    expect(first.evidence).toEqual({ 'vpc-app': 'fl-1' });
    live.clear(); // DeleteFlowLogs
    const heal = await ensureFlowLogs(clients, target, {
      ...settings,
      execution: 'region-444444444444-eu-west-1-202611290535',
    });
    expect(heal).toMatchObject({ status: 'healed', evidence: { 'vpc-app': 'fl-2' } });
    expect([...live.keys()]).toEqual(['fl-2']);
  });

  it('the token repeats within one execution (a retried call creates nothing twice) and never across executions', () => {
    const a = flowLogsClientToken('exec-a', target, ['vpc-2', 'vpc-1']);
    expect(flowLogsClientToken('exec-a', target, ['vpc-1', 'vpc-2'])).toBe(a);
    expect(flowLogsClientToken('exec-b', target, ['vpc-1', 'vpc-2'])).not.toBe(a);
    expect(
      flowLogsClientToken('exec-a', { ...target, account: '555555555555' }, ['vpc-1', 'vpc-2']),
    ).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throttling surfaces as a retryable error name for the workflow', async () => {
    ec2
      .on(DescribeVpcsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(ensureFlowLogs(clients, target, settings)).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
  });

  test('every page of VPCs and flow logs is read (NextToken), pages of at most 1,000, before anything is created', async () => {
    const vpcs = Array.from({ length: 1250 }, (_, i) => `vpc-${String(i).padStart(5, '0')}`);
    ec2
      .on(DescribeVpcsCommand)
      .resolvesOnce({ Vpcs: vpcs.slice(0, 1000).map((VpcId) => ({ VpcId })), NextToken: 'v2' })
      .resolves({ Vpcs: vpcs.slice(1000).map((VpcId) => ({ VpcId })) });
    // Every VPC but the last is covered, spread over two pages of the first 1,000 ids and one of the rest.
    const covered = vpcs.slice(0, -1).map((v, i) => ours(v, `fl-${i}`));
    ec2
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: covered.slice(0, 600), NextToken: 'f2' })
      .resolvesOnce({ FlowLogs: covered.slice(600, 1000) })
      .resolves({ FlowLogs: covered.slice(1000) });
    ec2.on(CreateFlowLogsCommand).resolves({ FlowLogIds: ['fl-new'], Unsuccessful: [] });
    logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: flowLogGroupFor(logwardenFormat) }] });
    const r = await ensureFlowLogs(clients, target, settings);
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcsCommand, { MaxResults: 1000, NextToken: 'v2' });
    expect(ec2).toHaveReceivedCommandWith(DescribeFlowLogsCommand, { MaxResults: 1000, NextToken: 'f2' });
    const filters = ec2
      .commandCalls(DescribeFlowLogsCommand)
      .map((c) => c.args[0].input.Filter?.[0].Values?.length);
    expect(filters).toEqual([1000, 1000, 250]);
    expect(ec2).toHaveReceivedCommandTimes(CreateFlowLogsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(CreateFlowLogsCommand, { ResourceIds: [vpcs.at(-1)!] });
    expect(r.status).toBe('healed');
  });
});

describe('the search VPC in the log-archive account (issue 21 §4)', () => {
  const logArchive = { account: '222222222222', region: 'eu-west-1' };
  // The search VPC's own flow log, as the central stack synthesizes it (stacks/central/search-domain.ts):
  // CDK's default format, to a pipeline group the account subscription policy excludes.
  const searchVpcFlowLog: FlowLog = {
    FlowLogId: 'fl-search',
    ResourceId: 'vpc-search',
    FlowLogStatus: 'ACTIVE',
    DeliverLogsStatus: 'SUCCESS',
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: pipelineLogGroup('search-vpc-flow-logs'),
  };

  it('its own flow log covers it: no second flow log to a subscribed group, whatever fields the config requires', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-search' }] });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [searchVpcFlowLog] });
    const r = await ensureFlowLogs(clients, logArchive, {
      ...settings,
      deliveryRoleArn: 'arn:aws:iam::222222222222:role/logwarden-flowlogs-delivery',
      // Fields the default format lacks: someone else's flow log would not cover the VPC.
      requiredFields: logwardenFormat.fields,
      logArchiveAccount: logArchive.account,
    });
    expect(r).toMatchObject({
      status: 'covered',
      actions: [],
      evidence: {
        'vpc-search': `fl-search to ${pipelineLogGroup('search-vpc-flow-logs')} (logwarden's pipeline VPC, excluded from the subscription)`,
      },
    });
    for (const w of writes)
      expect(ec2.commandCalls(w as never).length + logs.commandCalls(w as never).length).toBe(0);
  });

  it('a member account’s group of that name is no pipeline group: the member’s VPC gets logwarden’s flow log', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-search' }] });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [searchVpcFlowLog] });
    const r = await ensureFlowLogs(clients, target, {
      ...settings,
      requiredFields: logwardenFormat.fields,
      logArchiveAccount: logArchive.account,
    });
    expect(r.status).toBe('healed');
    expect(ec2).toHaveReceivedCommandWith(CreateFlowLogsCommand, {
      LogGroupName: flowLogGroupFor(logwardenFormat),
    });
  });
});

describe('flowLogs.delivery firehose (issue 26, What to build 5)', () => {
  const firehose = {
    streamArn: flowLogsFirehoseArn('eu-west-1', '222222222222'),
    sourceRoleArn: flowLogsFirehoseSourceRoleArn('444444444444'),
    crossAccountRoleArn: flowLogsCrossAccountRoleArn('222222222222'),
  };
  const direct = { ...settings, firehose };
  const toStream = (vpc: string, id: string, status: Partial<FlowLog> = {}): FlowLog => ({
    FlowLogId: id,
    ResourceId: vpc,
    FlowLogStatus: 'ACTIVE',
    DeliverLogsStatus: 'SUCCESS',
    LogDestinationType: 'kinesis-data-firehose',
    LogDestination: firehose.streamArn,
    LogFormat: logFormatString(logwardenFormat),
    ...status,
  });

  it('a VPC whose flow log goes to logwarden’s stream of its region is covered: describes, writes nothing', async () => {
    ec2
      .on(DescribeFlowLogsCommand)
      .resolves({ FlowLogs: [toStream('vpc-default', 'fl-1'), toStream('vpc-app', 'fl-2')] });
    const r = await ensureFlowLogs(clients, target, direct);
    expect(r).toMatchObject({ status: 'covered', actions: [], evidence: { 'vpc-default': 'fl-1' } });
    for (const w of writes)
      expect(ec2.commandCalls(w as never).length + logs.commandCalls(w as never).length).toBe(0);
  });

  it('missing: the exact CreateFlowLogs call to the stream (EC2 API Reference and VPC User Guide roles), no log group', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [toStream('vpc-app', 'fl-2')] });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const r = await ensureFlowLogs(clients, target, direct);
    expect(r.status).toBe('healed');
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input).toEqual({
      ResourceType: 'VPC',
      ResourceIds: ['vpc-default'],
      TrafficType: 'ALL',
      LogDestinationType: 'kinesis-data-firehose',
      LogDestination: 'arn:aws:firehose:eu-west-1:222222222222:deliverystream/logwarden-flow-logs',
      // "--deliver-logs-permission-arn arn:aws:iam::source-account:role/mySourceRole
      // --deliver-cross-account-role arn:aws:iam::destination-account:role/AWSLogDeliveryFirehoseCrossAccountRole"
      // (VPC User Guide, "Create a flow log that publishes to Kinesis Data Firehose").
      DeliverLogsPermissionArn: 'arn:aws:iam::444444444444:role/logwarden-flowlogs-firehose-source',
      DeliverCrossAccountRole:
        'arn:aws:iam::222222222222:role/AWSLogDeliveryFirehoseCrossAccountRole-logwarden',
      LogFormat: logFormatString(logwardenFormat),
      MaxAggregationInterval: 60,
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      TagSpecifications: [
        { ResourceType: 'vpc-flow-log', Tags: [{ Key: 'managed-by', Value: 'logwarden' }] },
      ],
    });
    // "LogGroupName ... is valid only if the destination type is cloud-watch-logs".
    expect(logs.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
  });

  it('logwarden’s flow log to its log group (before delivery changed) is not counted: the stream’s is added', async () => {
    ec2
      .on(DescribeFlowLogsCommand)
      .resolves({ FlowLogs: [ours('vpc-default', 'fl-1'), toStream('vpc-app', 'fl-2')] });
    const r = await ensureFlowLogs(clients, target, direct);
    expect(r.status).toBe('healed');
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input.ResourceIds).toEqual(['vpc-default']);
    expect(r.actions[0]).toContain(
      `because only logwarden's flow log to its other destination was active, not one to ${firehose.streamArn}`,
    );
  });

  it('the reason names the foreign flow log that decided it, not logwarden’s own to its other destination', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        ours('vpc-default', 'fl-1'),
        { ...foreign('vpc-default'), LogFormat: undefined, TrafficType: 'REJECT' },
        toStream('vpc-app', 'fl-2'),
      ],
    });
    const r = await ensureFlowLogs(clients, target, direct);
    expect(r.actions[0]).toContain('because only a foreign flow log of REJECT traffic was active');
  });

  it('a flow log to another region’s or account’s stream is not logwarden’s', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        toStream('vpc-default', 'fl-1', {
          LogDestination: flowLogsFirehoseArn('eu-central-1', '222222222222'),
        }),
        toStream('vpc-app', 'fl-2', { LogDestination: flowLogsFirehoseArn('eu-west-1', '999999999999') }),
      ],
    });
    const r = await ensureFlowLogs(clients, { ...target }, { ...direct, requiredFields: ['no-such-field'] });
    expect(r.status).toBe('healed');
    expect(ec2.commandCalls(CreateFlowLogsCommand)[0].args[0].input.ResourceIds).toEqual([
      'vpc-default',
      'vpc-app',
    ]);
  });

  it('heals after DeleteFlowLogs: a new flow log to the stream, with a fresh ClientToken', async () => {
    const live = new Map<string, FlowLog>();
    const tokens: string[] = [];
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-app' }] });
    ec2.on(DescribeFlowLogsCommand).callsFake(() => ({ FlowLogs: [...live.values()] }));
    ec2.on(CreateFlowLogsCommand).callsFake((input) => {
      tokens.push(input.ClientToken);
      const id = `fl-${tokens.length}`;
      live.set(id, toStream('vpc-app', id));
      return { FlowLogIds: [id] };
    });
    await ensureFlowLogs(clients, target, { ...direct, execution: 'first' });
    live.clear(); // DeleteFlowLogs
    const heal = await ensureFlowLogs(clients, target, { ...direct, execution: 'heal' });
    expect(heal).toMatchObject({ status: 'healed', evidence: { 'vpc-app': 'fl-2' } });
    expect(new Set(tokens).size).toBe(2);
  });

  it('a stream flow log that cannot deliver is reported with EC2’s reason and the two roles, not re-created', async () => {
    ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        toStream('vpc-default', 'fl-1', {
          DeliverLogsStatus: 'FAILED',
          DeliverLogsErrorMessage: 'Access error',
        }),
        toStream('vpc-app', 'fl-2'),
      ],
    });
    const r = await ensureFlowLogs(clients, target, direct);
    expect(r.status).toBe('failed');
    expect(r.reason).toContain(firehose.streamArn);
    expect(r.reason).toContain(firehose.crossAccountRoleArn);
    expect(ec2.commandCalls(CreateFlowLogsCommand)).toHaveLength(0);
    expect(logs.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
  });
});
