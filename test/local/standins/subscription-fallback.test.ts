/**
 * ensure-subscription's per-group fallback (someone else's account policy holds the slot) on the
 * stand-in, as a member runs it: it subscribes each log group once, and the next run finds each
 * filter as it put it and writes nothing. It rests on DescribeSubscriptionFilters answering the
 * `distribution` the filter was put with ("By default, log data is grouped by log stream, but
 * the grouping can be set to random", PutSubscriptionFilterRequest.distribution), which moto
 * did not: every run "corrected" every filter again (local/standins/logs_rules.py).
 */
import { gunzipSync } from 'node:zlib';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteAccountPolicyCommand,
  DescribeSubscriptionFiltersCommand,
  PutAccountPolicyCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  ensureSubscription,
  ownFiltersMayRemain,
  type SubscriptionSettings,
} from '../../../functions/ensure-subscription/ensure-subscription';
import type { ControlResult } from '../../../contracts/coverage';
import { World, logArchive, member, organizationDestinationPolicy, region } from './world';

let world: World;
let streamArn: string;
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
  streamArn = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'central' }))).StreamDescription!
    .StreamARN!;
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
    fallbackRun = second;
  });

  // "Account-level and log-group-level subscription filters are additive. A log group can have up
  // to 1 account-level and up to 2 log-group-level subscription filters." (CloudWatch Logs API
  // Reference, PutAccountPolicy). Once the platform team's policy is gone, logwarden puts its own;
  // the fallback's filters left beside it would deliver every event twice.
  it('the foreign policy deleted: logwarden’s account policy is put, its own filters removed, and one event is one record', async () => {
    const target = { account: member, region };
    await logs(member).send(
      new DeleteAccountPolicyCommand({
        policyName: 'platform-team',
        policyType: 'SUBSCRIPTION_FILTER_POLICY',
      }),
    );
    // As the handler reads it from the cell's previous ledger row: the fallback run's result.
    const mayRemain = ownFiltersMayRemain({ status: fallbackRun.status, evidence: fallbackRun.evidence });
    expect(mayRemain).toBe(true);
    const third = await ensureSubscription(logs(member), target, {
      ...settings,
      ownFiltersMayRemain: mayRemain,
    });
    expect(third.status).toBe('healed');
    expect(third.evidence).toMatchObject({ accountPolicy: settings.policyName, removedOwnFilters: '2' });
    for (const logGroupName of ['/app/orders', '/app/audit'])
      expect(
        (await logs(member).send(new DescribeSubscriptionFiltersCommand({ logGroupName })))
          .subscriptionFilters,
      ).toEqual([]);

    const message = `one event ${Date.now()}`;
    await logs(member).send(
      new CreateLogStreamCommand({ logGroupName: '/app/orders', logStreamName: 'once' }),
    );
    await logs(member).send(
      new PutLogEventsCommand({
        logGroupName: '/app/orders',
        logStreamName: 'once',
        logEvents: [{ timestamp: Date.now(), message }],
      }),
    );
    expect(await recordsCarrying(message)).toBe(1);

    // The next run reads a row without the fallback's evidence: no look at the groups' filters.
    const fourth = await ensureSubscription(logs(member), target, {
      ...settings,
      ownFiltersMayRemain: ownFiltersMayRemain({ status: third.status, evidence: third.evidence }),
    });
    expect(fourth).toMatchObject({
      status: 'covered',
      actions: [],
      evidence: { accountPolicy: settings.policyName },
    });
  });
});

let fallbackRun: ControlResult;

/** How many DATA_MESSAGE records of the central stream carry an event with this message. */
async function recordsCarrying(message: string): Promise<number> {
  const kinesis = world.as(KinesisClient, logArchive, region);
  const shards = (await kinesis.send(new DescribeStreamCommand({ StreamARN: streamArn }))).StreamDescription!
    .Shards!;
  let count = 0;
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamARN: streamArn,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(
        new GetRecordsCommand({ StreamARN: streamArn, ShardIterator: iterator }),
      );
      for (const r of page.Records ?? []) {
        const payload = JSON.parse(gunzipSync(r.Data!).toString()) as {
          messageType: string;
          logEvents: { message: string }[];
        };
        if (payload.messageType === 'DATA_MESSAGE' && payload.logEvents.some((e) => e.message === message))
          count++;
      }
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return count;
}
