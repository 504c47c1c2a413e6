import {
  CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  PutAccountPolicyCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ensureSubscription,
  selectionCriteria,
} from '../../../functions/ensure-subscription/ensure-subscription';
import { destinationArn, pipelineLogGroups, subscriptionPolicyName } from '../../../contracts/names';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-central-1' });
const target = { account: '444444444444', region: 'eu-central-1' };
const settings = {
  destinationArn: destinationArn('eu-central-1', '222222222222'),
  policyName: subscriptionPolicyName('eu-central-1'),
  excludedLogGroups: pipelineLogGroups,
};
const ourPolicy = {
  policyName: settings.policyName,
  policyType: 'SUBSCRIPTION_FILTER_POLICY' as const,
  policyDocument: JSON.stringify({
    DestinationArn: settings.destinationArn,
    FilterPattern: '',
    Distribution: 'Random',
  }),
  selectionCriteria: selectionCriteria(pipelineLogGroups),
};

beforeEach(() => logs.reset());

describe('ensureSubscription', () => {
  it('already covered: no write call', async () => {
    logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [ourPolicy] });
    const r = await ensureSubscription(client, target, settings);
    expect(r).toMatchObject({ status: 'covered', actions: [] });
    expect(logs).not.toHaveReceivedCommand(PutAccountPolicyCommand);
  });

  it('missing: the exact PutAccountPolicy, excluding the pipeline’s own log groups', async () => {
    logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [] });
    const r = await ensureSubscription(client, target, settings);
    expect(r.status).toBe('healed');
    expect(logs.commandCalls(PutAccountPolicyCommand)[0].args[0].input).toEqual({
      policyName: 'logwarden-central-eu-central-1',
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      policyDocument: JSON.stringify({
        DestinationArn: 'arn:aws:logs:eu-central-1:222222222222:destination:logwarden-central',
        FilterPattern: '',
        Distribution: 'Random',
      }),
      selectionCriteria: expect.stringMatching(
        /^LogGroupName NOT IN \["\/logwarden\/pipeline\/transform", "\/logwarden\/pipeline\/indexer", /,
      ),
      scope: 'ALL',
    });
  });

  it('someone else’s account policy: per-group filters, and a group at the limit of 2 is reported, nothing removed', async () => {
    logs
      .on(DescribeAccountPoliciesCommand)
      .resolves({ accountPolicies: [{ ...ourPolicy, policyName: 'their-policy' }] });
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        { logGroupName: 'app/a' },
        { logGroupName: 'app/full' },
        { logGroupName: '/logwarden/pipeline/indexer' },
      ],
    });
    logs
      .on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/a' })
      .resolves({ subscriptionFilters: [{ filterName: 'splunk' }] });
    logs
      .on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/full' })
      .resolves({ subscriptionFilters: [{ filterName: 'splunk' }, { filterName: 'datadog' }] });
    const r = await ensureSubscription(client, target, settings);
    expect(r.status).toBe('failed');
    expect(r.reason).toBe(
      'app/full already has 2 subscription filters (splunk, datadog); logwarden removed none',
    );
    expect(logs).toHaveReceivedCommandTimes(PutSubscriptionFilterCommand, 1);
    expect(logs).toHaveReceivedCommandWith(PutSubscriptionFilterCommand, {
      logGroupName: 'app/a',
      filterName: settings.policyName,
      destinationArn: settings.destinationArn,
    });
    expect(logs).not.toHaveReceivedCommand(DeleteSubscriptionFilterCommand);
    expect(logs).not.toHaveReceivedCommand(PutAccountPolicyCommand);
    expect(logs).not.toHaveReceivedCommandWith(DescribeSubscriptionFiltersCommand, {
      logGroupName: '/logwarden/pipeline/indexer',
    });
  });

  it('throttling surfaces as a retryable error name', async () => {
    logs
      .on(DescribeAccountPoliciesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(ensureSubscription(client, target, settings)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});
