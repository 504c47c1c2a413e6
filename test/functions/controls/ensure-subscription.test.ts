import {
  CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  PutAccountPolicyCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../../functions/ensure-subscription/handler';
import {
  ensureSubscription,
  ownFiltersMayRemain,
  selectionCriteria,
  SubscriptionTestUndelivered,
} from '../../../functions/ensure-subscription/ensure-subscription';
import {
  destinationArn,
  pipelineLogGroups,
  subscriptionPolicyName,
  subscriptionRoleArn,
} from '../../../contracts/names';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-central-1' });
const target = { account: '444444444444', region: 'eu-central-1' };
const settings = {
  destinationArn: destinationArn('eu-central-1', '222222222222'),
  roleArn: subscriptionRoleArn('444444444444'),
  policyName: subscriptionPolicyName('eu-central-1'),
  excludedLogGroups: pipelineLogGroups,
};
const ourPolicy = {
  policyName: settings.policyName,
  policyType: 'SUBSCRIPTION_FILTER_POLICY' as const,
  policyDocument: JSON.stringify({
    DestinationArn: settings.destinationArn,
    RoleArn: settings.roleArn,
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
        RoleArn: 'arn:aws:iam::444444444444:role/logwarden-subscription',
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

  it.each([
    ['a filter pattern that never matches', { FilterPattern: 'nothing-ever-matches-this' }, 'filter pattern'],
    [
      'another destination',
      { DestinationArn: 'arn:aws:logs:eu-central-1:999999999999:destination:x' },
      'destination',
    ],
    ['distribution by log stream', { Distribution: 'ByLogStream' }, 'distribution'],
    // CloudWatch Logs User Guide, account-level subscriptions, Step 3: "If you are granting
    // permissions for the subscription filter to an entire organization, you will need to use the
    // ARN of the IAM role that you created in Step 2." The destinations grant the organization.
    ['no role (the destination grants the whole organization)', { RoleArn: undefined }, 'role was null'],
    [
      'another account’s role',
      { RoleArn: 'arn:aws:iam::999999999999:role/logwarden-subscription' },
      'role was',
    ],
    ['another role of the account', { RoleArn: 'arn:aws:iam::444444444444:role/someone-else' }, 'role'],
  ])(
    'a member that re-puts the policy with %s is healed (the whole document is compared)',
    async (_, change, what) => {
      const doc = { ...JSON.parse(ourPolicy.policyDocument), ...change };
      logs
        .on(DescribeAccountPoliciesCommand)
        .resolves({ accountPolicies: [{ ...ourPolicy, policyDocument: JSON.stringify(doc) }] });
      const r = await ensureSubscription(client, target, settings);
      expect(r.status).toBe('healed');
      expect(r.actions[0]).toContain(`corrected account subscription policy ${settings.policyName}: ${what}`);
      expect(JSON.parse(logs.commandCalls(PutAccountPolicyCommand)[0].args[0].input.policyDocument!)).toEqual(
        {
          DestinationArn: settings.destinationArn,
          RoleArn: 'arn:aws:iam::444444444444:role/logwarden-subscription',
          FilterPattern: '',
          Distribution: 'Random',
        },
      );
    },
  );

  it('selection criteria that stop excluding the pipeline (or exclude more) are healed', async () => {
    logs.on(DescribeAccountPoliciesCommand).resolves({
      accountPolicies: [{ ...ourPolicy, selectionCriteria: 'LogGroupName NOT IN ["/app/secret"]' }],
    });
    const r = await ensureSubscription(client, target, settings);
    expect(r.status).toBe('healed');
    expect(logs).toHaveReceivedCommandWith(PutAccountPolicyCommand, {
      selectionCriteria: selectionCriteria(pipelineLogGroups),
    });
  });

  describe('fallback: each log group’s failure is its own', () => {
    const foreignSlot = () => {
      logs
        .on(DescribeAccountPoliciesCommand)
        .resolves({ accountPolicies: [{ ...ourPolicy, policyName: 'their-policy' }] });
      logs.on(DescribeLogGroupsCommand).resolves({
        logGroups: [{ logGroupName: 'app/a' }, { logGroupName: 'app/b' }, { logGroupName: 'app/c' }],
      });
      logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    };
    const subscribedGroups = () =>
      logs.commandCalls(PutSubscriptionFilterCommand).map((c) => c.args[0].input.logGroupName);
    const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

    // DescribeSubscriptionFilters' errors (API model): InvalidParameterException,
    // ResourceNotFoundException ("The specified resource does not exist."),
    // ServiceUnavailableException. A group deleted after DescribeLogGroups listed it answers
    // ResourceNotFoundException: it no longer exists, so there is nothing to subscribe.
    it('a group deleted meanwhile (DescribeSubscriptionFilters ResourceNotFoundException) is skipped; a and c are subscribed', async () => {
      foreignSlot();
      logs
        .on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/b' })
        .rejects(awsError('ResourceNotFoundException', 'The specified log group does not exist.'));
      logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: 'app/b' }).resolves({ logGroups: [] });
      const r = await ensureSubscription(client, target, settings);
      expect(subscribedGroups()).toEqual(['app/a', 'app/c']);
      expect(r.status).toBe('healed');
      expect(r.evidence).toMatchObject({ subscribedLogGroups: '2', deletedMeanwhile: 'app/b' });
    });

    // PutSubscriptionFilter's errors (API model): InvalidParameterException,
    // ResourceNotFoundException, OperationAbortedException, LimitExceededException ("You have
    // reached the maximum number of resources that can be created."), ServiceUnavailableException,
    // InvalidOperationException. One group's refusal must not leave the groups after it uncovered.
    it('PutSubscriptionFilter LimitExceededException for b: a and c subscribed, the result failed naming b', async () => {
      foreignSlot();
      logs
        .on(PutSubscriptionFilterCommand, { logGroupName: 'app/b' })
        .rejects(awsError('LimitExceededException', 'Resource limit exceeded.'));
      const r = await ensureSubscription(client, target, settings);
      expect(subscribedGroups()).toEqual(['app/a', 'app/b', 'app/c']);
      expect(r.actions).toEqual([
        expect.stringContaining('subscribed app/a '),
        expect.stringContaining('subscribed app/c '),
      ]);
      expect(r.status).toBe('failed');
      expect(r.reason).toBe('app/b: LimitExceededException: Resource limit exceeded.');
      expect(r.evidence).toMatchObject({ subscribedLogGroups: '2', unsubscribedLogGroups: '1' });
    });

    it('ResourceNotFoundException from PutSubscriptionFilter for a group that still exists is a failure, not a skip', async () => {
      foreignSlot();
      logs
        .on(PutSubscriptionFilterCommand, { logGroupName: 'app/b' })
        .rejects(awsError('ResourceNotFoundException', 'The specified destination does not exist.'));
      logs
        .on(DescribeLogGroupsCommand, { logGroupNamePrefix: 'app/b' })
        .resolves({ logGroups: [{ logGroupName: 'app/b' }, { logGroupName: 'app/b2' }] });
      const r = await ensureSubscription(client, target, settings);
      expect(r.status).toBe('failed');
      expect(r.reason).toBe('app/b: ResourceNotFoundException: The specified destination does not exist.');
      expect(r.evidence.deletedMeanwhile).toBeUndefined();
    });

    it('many failing groups: five are named and the rest counted, each reason cut short', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `app/g${String(i).padStart(2, '0')}`);
      logs
        .on(DescribeAccountPoliciesCommand)
        .resolves({ accountPolicies: [{ ...ourPolicy, policyName: 'their-policy' }] });
      logs
        .on(DescribeLogGroupsCommand)
        .resolves({ logGroups: names.map((logGroupName) => ({ logGroupName })) });
      logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
      logs.on(PutSubscriptionFilterCommand).rejects(awsError('InvalidOperationException', 'x'.repeat(1000)));
      const r = await ensureSubscription(client, target, settings);
      expect(r.status).toBe('failed');
      expect(r.reason!.length).toBeLessThan(1100);
      expect(r.reason).toMatch(/^app\/g00: InvalidOperationException: x+; app\/g01: /);
      expect(r.reason).toMatch(/; and 7 more log groups$/);
      expect(r.evidence.unsubscribedLogGroups).toBe('12');
    });

    it.each(['ThrottlingException', 'ServiceUnavailableException'])(
      '%s for one group still goes to the workflow’s retry',
      async (name) => {
        foreignSlot();
        logs.on(PutSubscriptionFilterCommand, { logGroupName: 'app/b' }).rejects(awsError(name, 'try again'));
        await expect(ensureSubscription(client, target, settings)).rejects.toMatchObject({ name });
      },
    );
  });

  // "Account-level and log-group-level subscription filters are additive. A log group can have up
  // to 1 account-level and up to 2 log-group-level subscription filters." (CloudWatch Logs API
  // Reference, PutAccountPolicy). A fallback filter left beside logwarden's account policy sends
  // each event twice and holds one of the group's two slots.
  describe('after a fallback, logwarden’s own per-group filters go once its account policy covers', () => {
    const ownFilter = {
      filterName: settings.policyName,
      destinationArn: settings.destinationArn,
      roleArn: settings.roleArn,
      filterPattern: '',
      distribution: 'Random' as const,
    };
    const groupsWithFilters = () => {
      logs.on(DescribeLogGroupsCommand).resolves({
        logGroups: [
          { logGroupName: 'app/a' },
          { logGroupName: 'app/b' },
          { logGroupName: '/logwarden/pipeline/indexer' },
        ],
      });
      logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/a' }).resolves({
        subscriptionFilters: [ownFilter, { filterName: 'splunk', destinationArn: 'arn:aws:lambda:x' }],
      });
      // logwarden's filter name towards another destination is not the fallback's: left alone.
      logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/b' }).resolves({
        subscriptionFilters: [
          { ...ownFilter, destinationArn: 'arn:aws:logs:eu-central-1:999999999999:destination:x' },
        ],
      });
    };
    const deleted = () => logs.commandCalls(DeleteSubscriptionFilterCommand).map((c) => c.args[0].input);

    it('covered, and the previous row says fallback: only logwarden’s own filter is removed, and the action says so', async () => {
      logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [ourPolicy] });
      groupsWithFilters();
      const r = await ensureSubscription(client, target, { ...settings, ownFiltersMayRemain: true });
      expect(deleted()).toEqual([{ logGroupName: 'app/a', filterName: settings.policyName }]);
      expect(r.status).toBe('healed');
      expect(r.actions).toEqual([
        expect.stringMatching(
          /^removed logwarden's own subscription filter logwarden-central-eu-central-1 from 1 log groups \(app\/a\)/,
        ),
      ]);
      expect(r.evidence).toEqual({ accountPolicy: settings.policyName, removedOwnFilters: '1' });
      expect(logs).not.toHaveReceivedCommandWith(DescribeSubscriptionFiltersCommand, {
        logGroupName: '/logwarden/pipeline/indexer',
      });
    });

    it('covered in an account that never fell back: no DescribeSubscriptionFilters at all', async () => {
      logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [ourPolicy] });
      groupsWithFilters();
      const r = await ensureSubscription(client, target, settings);
      expect(r).toMatchObject({
        status: 'covered',
        actions: [],
        evidence: { accountPolicy: settings.policyName },
      });
      expect(logs).not.toHaveReceivedCommand(DescribeLogGroupsCommand);
      expect(logs).not.toHaveReceivedCommand(DescribeSubscriptionFiltersCommand);
    });

    it('the transition run: the foreign policy gone, logwarden’s put, seen covering, then its filters removed', async () => {
      logs
        .on(DescribeAccountPoliciesCommand)
        .resolvesOnce({ accountPolicies: [] })
        .resolves({ accountPolicies: [ourPolicy] });
      groupsWithFilters();
      const r = await ensureSubscription(client, target, { ...settings, ownFiltersMayRemain: true });
      expect(logs).toHaveReceivedCommandTimes(PutAccountPolicyCommand, 1);
      expect(logs).toHaveReceivedCommandWith(DescribeAccountPoliciesCommand, {
        policyName: settings.policyName,
      });
      expect(deleted()).toEqual([{ logGroupName: 'app/a', filterName: settings.policyName }]);
      expect(r.actions).toHaveLength(2);
      expect(r.evidence.removedOwnFilters).toBe('1');
    });

    it('the account policy not seen covering after the put: the filters stay, and the next run looks again', async () => {
      logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [] });
      groupsWithFilters();
      const r = await ensureSubscription(client, target, { ...settings, ownFiltersMayRemain: true });
      expect(logs).not.toHaveReceivedCommand(DeleteSubscriptionFilterCommand);
      expect(r.evidence.ownFiltersRemain).toBeDefined();
      expect(ownFiltersMayRemain({ status: r.status, evidence: r.evidence })).toBe(true);
    });

    it('a removal refused for one group is reported and remembered; a group deleted meanwhile is not', async () => {
      logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [ourPolicy] });
      logs.on(DescribeLogGroupsCommand).resolves({
        logGroups: [{ logGroupName: 'app/a' }, { logGroupName: 'app/b' }, { logGroupName: 'app/c' }],
      });
      logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [ownFilter] });
      logs
        .on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/a' })
        .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
      logs
        .on(DeleteSubscriptionFilterCommand, { logGroupName: 'app/b' })
        .rejects(Object.assign(new Error('conflict'), { name: 'OperationAbortedException' }));
      const r = await ensureSubscription(client, target, { ...settings, ownFiltersMayRemain: true });
      expect(deleted().map((d) => d.logGroupName)).toEqual(['app/b', 'app/c']);
      expect(r.status).toBe('failed');
      expect(r.reason).toBe(
        "logwarden's own filters could not be removed: app/b: OperationAbortedException: conflict",
      );
      expect(r.evidence).toMatchObject({ removedOwnFilters: '1', ownFiltersRemain: '1' });
      expect(ownFiltersMayRemain({ status: r.status, evidence: r.evidence })).toBe(true);
    });

    it.each([
      ['no row yet', undefined, false],
      ['a covered row', { status: 'covered', evidence: { accountPolicy: 'p' } }, false],
      [
        'a row after a complete removal',
        { status: 'healed', evidence: { accountPolicy: 'p', removedOwnFilters: '3' } },
        false,
      ],
      ['a fallback row', { status: 'healed', evidence: { subscribedLogGroups: '3' } }, true],
      ['a fallback row that failed', { status: 'failed', evidence: { subscribedLogGroups: '3' } }, true],
      ['a caught failure (no evidence: unknown)', { status: 'failed', evidence: {} }, true],
    ] as const)('ownFiltersMayRemain after %s', (_, row, expected) => {
      expect(ownFiltersMayRemain(row)).toBe(expected);
    });
  });

  it('fallback: logwarden’s own filter with a pattern that never matches is put back whole', async () => {
    logs
      .on(DescribeAccountPoliciesCommand)
      .resolves({ accountPolicies: [{ ...ourPolicy, policyName: 'their-policy' }] });
    logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: 'app/a' }, { logGroupName: 'app/b' }] });
    const good = {
      filterName: settings.policyName,
      destinationArn: settings.destinationArn,
      roleArn: settings.roleArn,
      filterPattern: '',
      distribution: 'Random' as const,
    };
    logs
      .on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/a' })
      .resolves({ subscriptionFilters: [{ ...good, filterPattern: '"never"' }] });
    logs
      .on(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/b' })
      .resolves({ subscriptionFilters: [good] });
    const r = await ensureSubscription(client, target, settings);
    expect(r.status).toBe('healed');
    expect(r.actions).toEqual([
      `corrected the subscription filter of app/a: filter pattern was ${JSON.stringify('"never"')}, not "" (everything)`,
    ]);
    expect(logs).toHaveReceivedCommandTimes(PutSubscriptionFilterCommand, 1);
    expect(logs).toHaveReceivedCommandWith(PutSubscriptionFilterCommand, {
      logGroupName: 'app/a',
      filterName: settings.policyName,
      filterPattern: '',
      roleArn: settings.roleArn,
      distribution: 'Random',
    });
  });

  it('fallback: logwarden’s own filter without the member’s role is put back with it', async () => {
    logs
      .on(DescribeAccountPoliciesCommand)
      .resolves({ accountPolicies: [{ ...ourPolicy, policyName: 'their-policy' }] });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: 'app/a' }] });
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [
        {
          filterName: settings.policyName,
          destinationArn: settings.destinationArn,
          filterPattern: '',
          distribution: 'Random',
        },
      ],
    });
    const r = await ensureSubscription(client, target, settings);
    expect(r.actions).toEqual([
      `corrected the subscription filter of app/a: role was none, not ${settings.roleArn}`,
    ]);
    expect(logs).toHaveReceivedCommandWith(PutSubscriptionFilterCommand, { roleArn: settings.roleArn });
  });

  it('the pipeline’s own log groups are excluded: functions, services, the search VPC flow logs and the workflows', () => {
    for (const group of [
      '/logwarden/pipeline/indexer',
      '/logwarden/pipeline/search-vpc-flow-logs',
      '/aws/vendedlogs/states/logwarden/cover-account-region',
      '/aws/vendedlogs/states/logwarden/cover-account',
      '/aws/vendedlogs/states/logwarden/cover-vpc',
      '/aws/vendedlogs/states/logwarden/sweep',
    ])
      expect(selectionCriteria(pipelineLogGroups)).toContain(JSON.stringify(group));
    // The findings and flow-log groups logwarden creates in members are data: they must be subscribed.
    expect(selectionCriteria(pipelineLogGroups)).not.toMatch(/guardduty-findings|vpc-flow-logs\/lw/);
  });

  // CloudWatch Logs' answer when its test message does not reach the destination (a subscription
  // role IAM has not propagated yet): "InvalidParameterException: Could not deliver test message
  // to specified destination. Check if the destination is valid." (as terraform-provider-aws
  // quotes it and retries it). Named, so the workflow retries it (subscriptionTestRetry).
  it.each([
    [
      'PutAccountPolicy',
      () => logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [] }),
      // The account policy is one call: any other error is the control's.
      { thrown: 'InvalidParameterException' },
    ],
    [
      'PutSubscriptionFilter beside a foreign policy',
      () => {
        logs.on(DescribeAccountPoliciesCommand).resolves({
          accountPolicies: [
            { policyName: 'theirs', policyDocument: '{"DestinationArn":"arn:aws:lambda:x"}' },
          ],
        });
        logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/app/orders' }] });
        logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
      },
      // One group's other error is that group's failure: reported, and the others go on.
      { reason: '/app/orders: InvalidParameterException: 1 validation error' },
    ],
  ])(
    'an undelivered test message (%s) is SubscriptionTestUndelivered, the other errors as they are',
    async (_, given, other) => {
      given();
      const undelivered = Object.assign(
        new Error(
          'Could not deliver test message to specified destination. Check if the destination is valid.',
        ),
        { name: 'InvalidParameterException' },
      );
      logs.on(PutAccountPolicyCommand).rejects(undelivered);
      logs.on(PutSubscriptionFilterCommand).rejects(undelivered);
      await expect(ensureSubscription(client, target, settings)).rejects.toMatchObject({
        name: SubscriptionTestUndelivered.errorName,
        message: expect.stringContaining('Could not deliver test message'),
      });
      const invalid = Object.assign(new Error('1 validation error'), { name: 'InvalidParameterException' });
      logs.on(PutAccountPolicyCommand).rejects(invalid);
      logs.on(PutSubscriptionFilterCommand).rejects(invalid);
      if ('thrown' in other)
        await expect(ensureSubscription(client, target, settings)).rejects.toMatchObject({
          name: other.thrown,
        });
      else
        await expect(ensureSubscription(client, target, settings)).resolves.toMatchObject({
          status: 'failed',
          reason: other.reason,
        });
    },
  );

  it('throttling surfaces as a retryable error name', async () => {
    logs
      .on(DescribeAccountPoliciesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(ensureSubscription(client, target, settings)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});

describe('the handler reads the cell’s previous ledger row', () => {
  const ddb = mockClient(DynamoDBClient);
  const handler = makeHandler({
    clients: {
      own: (Ctor, region) => new Ctor({ region }),
      member: (Ctor, _a, region) => new Ctor({ region }),
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    logArchiveAccount: '222222222222',
    ledgerTable: 'logwarden-coverage-ledger',
    ledgerRegion: 'eu-west-1',
  });
  const event = { account: '444444444444', region: 'eu-central-1', execution: 'x' };
  beforeEach(() => {
    ddb.reset();
    logs.on(DescribeAccountPoliciesCommand).resolves({ accountPolicies: [ourPolicy] });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: 'app/a' }] });
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  });

  it('a fallback row: the groups are read for logwarden’s own filters', async () => {
    ddb.on(GetItemCommand).resolves({
      Item: {
        account: { S: '444444444444' },
        regionControl: { S: 'eu-central-1#subscription' },
        status: { S: 'healed' },
        evidence: { M: { subscribedLogGroups: { S: '1' }, foreignAccountPolicy: { S: 'theirs' } } },
      },
    });
    const r = await handler(event);
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'logwarden-coverage-ledger',
      Key: { account: { S: '444444444444' }, regionControl: { S: 'eu-central-1#subscription' } },
      ConsistentRead: true,
    });
    expect(logs).toHaveReceivedCommandWith(DescribeSubscriptionFiltersCommand, { logGroupName: 'app/a' });
    expect(r.evidence.removedOwnFilters).toBe('0');
  });

  it('no row, or a covered one: not a single group is read', async () => {
    // GetItem of a key without an item answers no Item (DynamoDB API Reference, GetItem: "If
    // there is no matching item, GetItem does not return any data").
    ddb.on(GetItemCommand).resolves({});
    await handler(event);
    ddb.on(GetItemCommand).resolves({
      Item: {
        account: { S: '444444444444' },
        regionControl: { S: 'eu-central-1#subscription' },
        status: { S: 'covered' },
        evidence: { M: { accountPolicy: { S: settings.policyName } } },
      },
    });
    await handler(event);
    expect(logs).not.toHaveReceivedCommand(DescribeLogGroupsCommand);
  });
});
