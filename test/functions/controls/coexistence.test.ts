/**
 * Coexistence with what an organization already runs (docs/coexistence.md): an external trail
 * is verified and never changed, GuardDuty can be verify-only and keep its own auto-enable
 * setting, a foreign account subscription policy is reported, and `mode: observe` repairs
 * nothing anywhere.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeResourcePoliciesCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateMembersCommand,
  DescribeOrganizationConfigurationCommand,
  GetMembersCommand,
  GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import {
  organizationTrailArn,
  destinationArn,
  pipelineLogGroups,
  subscriptionPolicyName,
} from '../../../contracts/names';
import { ensureTrail } from '../../../functions/ensure-trail/ensure-trail';
import { ensureSubscription } from '../../../functions/ensure-subscription/ensure-subscription';
import { makeHandler as guardDutyHandler } from '../../../functions/ensure-guardduty/handler';
import { makeHandler as flowLogsHandler } from '../../../functions/ensure-flow-logs/handler';
import type { AwsClients } from '../../../functions/shared/control-handler';
import { isReadOperation } from '../../../functions/shared/read-only';

const target = { account: '444444444444', region: 'eu-west-1' };
const logger = new Logger({ logLevel: 'SILENT' });
/** Clients as the controls get them, without AssumeRole: the mocks below answer every instance. */
const clients: AwsClients = {
  own: (Ctor, region) => new Ctor({ region }),
  member: (Ctor, _account, region) => new Ctor({ region }),
};
const writesOf = (stub: { calls(): { args: unknown[] }[] }) =>
  stub
    .calls()
    .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''))
    .filter((op) => !isReadOperation(op));

describe('trail.mode external', () => {
  const ct = mockClient(CloudTrailClient);
  const arn = organizationTrailArn('eu-west-1', '111111111111', 'aws-controltower-BaselineCloudTrail');
  const settings = {
    mode: 'external' as const,
    owner: 'Control Tower (platform team)',
    name: 'aws-controltower-BaselineCloudTrail',
    homeRegion: 'eu-west-1',
    trailArn: arn,
  };
  const controlTowerTrail = {
    Name: settings.name,
    TrailARN: arn,
    IsMultiRegionTrail: true,
    IsOrganizationTrail: true,
    // Control Tower's trail validates no log files and uses no KMS key of logwarden's choosing:
    // an external trail is not held to logwarden's own settings, only to what coverage needs.
    CloudWatchLogsLogGroupArn:
      'arn:aws:logs:eu-west-1:111111111111:log-group:aws-controltower/CloudTrailLogs:*',
    HasCustomEventSelectors: false,
  };
  beforeEach(() => {
    ct.reset();
    ct.on(DescribeTrailsCommand).resolves({ trailList: [controlTowerTrail] });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  });

  it('an existing organization trail that covers: verified, with its owner and log group; only reads', async () => {
    const r = await ensureTrail(new CloudTrailClient({}), target, settings);
    expect(r).toMatchObject({
      status: 'covered',
      evidence: {
        trail: arn,
        owner: 'Control Tower (platform team)',
        logGroup: 'arn:aws:logs:eu-west-1:111111111111:log-group:aws-controltower/CloudTrailLogs',
      },
      actions: [],
    });
    expect(writesOf(ct)).toEqual([]);
  });

  it('drift (stopped, no CloudWatch Logs group, narrowed selectors) is reported to the owner, and nothing is changed', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [
        { ...controlTowerTrail, CloudWatchLogsLogGroupArn: undefined, HasCustomEventSelectors: true },
      ],
    });
    ct.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }],
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const r = await ensureTrail(new CloudTrailClient({}), target, settings);
    expect(r.status).toBe('failed');
    expect(r.reason).toBe(
      'external trail owned by Control Tower (platform team) drifted: it delivers to no CloudWatch Logs group, so logwarden cannot subscribe to it; ' +
        'its selectors do not log every management event (read and write, no source excluded); it is not logging; ' +
        'logwarden changed nothing (trail.mode external), Control Tower (platform team) must repair it',
    );
    expect(writesOf(ct)).toEqual([]);
  });
});

describe('GuardDuty beside another team', () => {
  const gd = mockClient(GuardDutyClient);
  const logs = mockClient(CloudWatchLogsClient);
  const events = mockClient(EventBridgeClient);
  const orgs = mockClient(OrganizationsClient);
  const deps = { clients, logger, securityToolingAccount: '333333333333', findingsRetentionDays: 365 };
  beforeEach(() => {
    for (const m of [gd, logs, events, orgs]) m.reset();
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: ['admin-det'] });
    gd.on(DescribeOrganizationConfigurationCommand).resolves({ AutoEnableOrganizationMembers: 'NEW' });
    gd.on(GetMembersCommand).resolves({ Members: [] });
    gd.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [] });
    orgs.on(DescribeAccountCommand).resolves({ Account: { Email: 'member@example.com' } });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    logs.on(DescribeResourcePoliciesCommand).resolves({ resourcePolicies: [] });
    // No findings rule yet: the control describes it first (ensure-guardduty.ts).
    events
      .on(DescribeRuleCommand)
      .rejects(Object.assign(new Error('Rule does not exist.'), { name: 'ResourceNotFoundException' }));
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [] });
    events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
  });

  it('guardDuty.autoEnable NEW is kept as the owner set it', async () => {
    const r = await guardDutyHandler({ ...deps, guardDutyAutoEnable: 'NEW' })({ ...target, execution: 'e1' });
    expect(r.actions.join(' ')).not.toContain('auto-enable');
    expect(writesOf(gd)).toEqual(['CreateMembers']);
  });

  it('guardDuty.mode verify-only: nothing is written anywhere; what a heal would do is the failure reason', async () => {
    const r = await guardDutyHandler({ ...deps, guardDutyMode: 'verify-only' })({
      ...target,
      execution: 'e1',
    });
    for (const m of [gd, logs, events, orgs]) expect(writesOf(m)).toEqual([]);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(
      /^guardDuty.mode is verify-only \(another team owns GuardDuty\): not repaired; a heal would: set GuardDuty auto-enable to ALL .*made 444444444444 a GuardDuty member again/,
    );
  });
});

describe('a foreign account subscription policy', () => {
  const logs = mockClient(CloudWatchLogsClient);
  const settings = {
    destinationArn: destinationArn('eu-west-1', '222222222222'),
    policyName: subscriptionPolicyName('eu-west-1'),
    excludedLogGroups: pipelineLogGroups,
    roleArn: 'arn:aws:iam::444444444444:role/logwarden-subscription',
  };
  beforeEach(() => {
    logs.reset();
    logs.on(DescribeAccountPoliciesCommand).resolves({
      accountPolicies: [
        {
          policyName: 'lza-central-logs',
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
          policyDocument: JSON.stringify({
            DestinationArn: 'arn:aws:logs:eu-west-1:999999999999:destination:lza',
          }),
        },
      ],
    });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  });

  it('is named in the evidence, with where it sends, and never replaced', async () => {
    const r = await ensureSubscription(new CloudWatchLogsClient({}), target, settings);
    expect(r.evidence.foreignAccountPolicy).toBe(
      'lza-central-logs → arn:aws:logs:eu-west-1:999999999999:destination:lza',
    );
    expect(r.evidence.note).toContain('a log group created later is subscribed at the next heal or sweep');
    expect(writesOf(logs)).toEqual([]);
  });

  it('subscription.besideForeignPolicy report: logwarden adds nothing and the cell says why', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/app/orders' }] });
    const r = await ensureSubscription(new CloudWatchLogsClient({}), target, {
      ...settings,
      besideForeignPolicy: 'report',
    });
    expect(r).toMatchObject({
      status: 'failed',
      reason:
        "account subscription policy lza-central-logs → arn:aws:logs:eu-west-1:999999999999:destination:lza holds the account's slot; logwarden added nothing (subscription.besideForeignPolicy is report)",
    });
    expect(writesOf(logs)).toEqual([]);
  });
});

describe('mode: observe', () => {
  const ec2 = mockClient(EC2Client);
  const logs = mockClient(CloudWatchLogsClient);
  it('a VPC without a flow log is reported with the call a heal would make, and nothing is created', async () => {
    ec2.reset();
    logs.reset();
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: '/logwarden/vpc-flow-logs/v1' }] });
    const handler = flowLogsHandler({
      clients,
      logger,
      mode: 'observe',
      acceptForeignFlowLogs: false,
      flowLogRetentionDays: 30,
      logArchiveAccount: '222222222222',
    });
    const r = await handler({ ...target, execution: 'e1' });
    expect(ec2).not.toHaveReceivedCommand(CreateFlowLogsCommand);
    expect(writesOf(ec2)).toEqual([]);
    expect(writesOf(logs)).toEqual([]);
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/^mode is observe: not repaired; a heal would: /);
    expect(r.reason).toContain('vpc-1');
  });

  it('a plan event (logwarden plan) in enforce mode: read-only too, the writes handed back as calls with their parameters', async () => {
    ec2.reset();
    logs.reset();
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: '/logwarden/vpc-flow-logs/v1' }] });
    const handler = flowLogsHandler({
      clients,
      logger,
      acceptForeignFlowLogs: false,
      flowLogRetentionDays: 30,
      logArchiveAccount: '222222222222',
    });
    const r = await handler({ ...target, execution: 'plan-1', plan: true });
    expect(writesOf(ec2)).toEqual([]);
    expect(r.planned?.map((c) => `${c.service} ${c.operation}`)).toContain('EC2 CreateFlowLogs');
    expect(r.planned?.find((c) => c.operation === 'CreateFlowLogs')?.input).toMatchObject({
      ResourceIds: ['vpc-1'],
      ResourceType: 'VPC',
    });
  });
});
