/**
 * ensure-subscription's per-group fallback (someone else's account policy holds the slot) on the
 * stand-in, as a member runs it: it subscribes each log group once, and the next run finds each
 * filter as it put it and writes nothing. It rests on DescribeSubscriptionFilters answering the
 * `distribution` the filter was put with ("By default, log data is grouped by log stream, but
 * the grouping can be set to random", PutSubscriptionFilterRequest.distribution), which moto
 * did not: every run "corrected" every filter again (local/standins/logs_rules.py).
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeSubscriptionFiltersCommand,
  PutAccountPolicyCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateStreamCommand, DescribeStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import {
  ensureSubscription,
  type SubscriptionSettings,
} from '../../../functions/ensure-subscription/ensure-subscription';
import { World, logArchive, member, organizationDestinationPolicy, region } from './world';

let world: World;
const destination = (name: string) => `arn:aws:logs:${region}:${logArchive}:destination:${name}`;
const logs = (account: string) => world.as(CloudWatchLogsClient, account, region);
const settings: SubscriptionSettings = {
  destinationArn: destination('logwarden-central'),
  roleArn: `arn:aws:iam::${member}:role/logwarden-subscription`,
  policyName: `logwarden-central-${region}`,
  excludedLogGroups: ['/logwarden/own'],
};

beforeAll(async () => {
  world = await World.start();
  const organizationId = await world.organization();
  const kinesis = world.as(KinesisClient, logArchive, region);
  await kinesis.send(new CreateStreamCommand({ StreamName: 'central', ShardCount: 1 }));
  const streamArn = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'central' })))
    .StreamDescription!.StreamARN!;
  // Two destinations granting the organization: logwarden's, and the platform team's.
  for (const name of ['logwarden-central', 'platform-team']) {
    await logs(logArchive).send(
      new PutDestinationCommand({
        destinationName: name,
        targetArn: streamArn,
        roleArn: `arn:aws:iam::${logArchive}:role/logwarden-destination`,
      }),
    );
    await logs(logArchive).send(
      new PutDestinationPolicyCommand({
        destinationName: name,
        accessPolicy: organizationDestinationPolicy(destination(name), organizationId),
      }),
    );
  }
  // The platform team's account policy holds the member's one slot.
  await logs(member).send(
    new PutAccountPolicyCommand({
      policyName: 'platform-team',
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      policyDocument: JSON.stringify({
        DestinationArn: destination('platform-team'),
        RoleArn: settings.roleArn,
      }),
      scope: 'ALL',
    }),
  );
  for (const name of ['/app/orders', '/app/audit', '/logwarden/own'])
    await logs(member).send(new CreateLogGroupCommand({ logGroupName: name }));
}, 60_000);

afterAll(() => world?.stop());

describe('ensure-subscription beside a foreign account policy, on the stand-in', () => {
  it('subscribes each log group once; the next run finds each filter as it put it and writes nothing', async () => {
    const target = { account: member, region };
    const first = await ensureSubscription(logs(member), target, settings);
    expect(first.status).toBe('healed');
    expect(first.actions.sort()).toEqual([
      'subscribed /app/audit to the central destination (account policy slot held by platform-team → arn:aws:logs:eu-west-1:333333333333:destination:platform-team)',
      'subscribed /app/orders to the central destination (account policy slot held by platform-team → arn:aws:logs:eu-west-1:333333333333:destination:platform-team)',
    ]);
    const filters = await logs(member).send(
      new DescribeSubscriptionFiltersCommand({ logGroupName: '/app/orders' }),
    );
    expect(filters.subscriptionFilters?.map((f) => [f.filterName, f.distribution])).toEqual([
      [settings.policyName, 'Random'],
    ]);

    const second = await ensureSubscription(logs(member), target, settings);
    expect(second).toMatchObject({ status: 'covered', actions: [] });
    expect(second.evidence.subscribedLogGroups).toBe('2');
  });
});
