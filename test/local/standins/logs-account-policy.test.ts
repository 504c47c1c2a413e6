/**
 * CloudWatch Logs account subscription policies on logwarden's moto extension (real SDK): the
 * selection criteria decide which log groups deliver, and a member's events reach the Kinesis
 * stream of the log-archive account behind the destination, as CloudWatch Logs payloads.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteAccountPolicyCommand,
  DescribeAccountPoliciesCommand,
  PutAccountPolicyCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { gunzipSync } from 'node:zlib';
import { World, logArchive, member, organizationDestinationPolicy, outsider, region } from './world';

let world: World;
let destinationArn: string;
let iterator: string | undefined;

interface Payload {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

/** The records that arrived in the central stream since the last read. */
async function arrived(): Promise<Payload[]> {
  const kinesis = world.as(KinesisClient, logArchive);
  if (!iterator) {
    iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'central',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
  }
  const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
  iterator = res.NextShardIterator;
  return (res.Records ?? []).map((r) => JSON.parse(gunzipSync(r.Data!).toString('utf8')) as Payload);
}

async function logTo(account: string, group: string, message: string) {
  const logs = world.as(CloudWatchLogsClient, account);
  await logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch((err: Error) => {
    if (err.name !== 'ResourceAlreadyExistsException') throw err;
  });
  await logs
    .send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'main' }))
    .catch((err: Error) => {
      if (err.name !== 'ResourceAlreadyExistsException') throw err;
    });
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: 'main',
      logEvents: [{ timestamp: Date.now(), message }],
    }),
  );
}

/**
 * The destination grants the organization, so the policy names the sender's own role ("If you
 * are granting permissions for the subscription filter to an entire organization, you will need
 * to use the ARN of the IAM role that you created in Step 2": CloudWatch Logs User Guide,
 * account-level subscriptions, Step 3).
 */
const senderRole = (account: string) => `arn:aws:iam::${account}:role/logwarden-subscription`;

const policy = (name = 'logwarden-central-eu-west-1', sender = member) =>
  new PutAccountPolicyCommand({
    policyName: name,
    policyType: 'SUBSCRIPTION_FILTER_POLICY',
    policyDocument: JSON.stringify({
      DestinationArn: destinationArn,
      RoleArn: senderRole(sender),
      FilterPattern: '',
      Distribution: 'Random',
    }),
    selectionCriteria: 'LogGroupName NOT IN ["/logwarden/own"]',
    scope: 'ALL',
  });

beforeAll(async () => {
  world = await World.start();
  const organizationId = await world.organization();
  const kinesis = world.as(KinesisClient, logArchive);
  await kinesis.send(new CreateStreamCommand({ StreamName: 'central', ShardCount: 1 }));
  const streamArn = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'central' })))
    .StreamDescription!.StreamARN!;
  const logs = world.as(CloudWatchLogsClient, logArchive);
  destinationArn = (
    await logs.send(
      new PutDestinationCommand({
        destinationName: `logwarden-central-${region}`,
        targetArn: streamArn,
        roleArn: `arn:aws:iam::${logArchive}:role/logwarden-destination`,
      }),
    )
  ).destination!.arn!;
  await logs.send(
    new PutDestinationPolicyCommand({
      destinationName: `logwarden-central-${region}`,
      accessPolicy: organizationDestinationPolicy(destinationArn, organizationId),
    }),
  );
}, 60_000);

afterAll(() => world?.stop());

describe('account subscription policies and cross-account delivery', () => {
  it('an account outside the organization may not subscribe to the destination', async () => {
    await expect(
      world.as(CloudWatchLogsClient, outsider).send(policy(undefined, outsider)),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('a member puts the policy; the destination is checked with a CONTROL_MESSAGE', async () => {
    const logs = world.as(CloudWatchLogsClient, member);
    const res = await logs.send(policy());
    expect(res.accountPolicy).toMatchObject({
      policyName: 'logwarden-central-eu-west-1',
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      accountId: member,
      selectionCriteria: 'LogGroupName NOT IN ["/logwarden/own"]',
    });
    const described = await logs.send(
      new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
    );
    expect(described.accountPolicies?.map((p) => p.policyName)).toEqual(['logwarden-central-eu-west-1']);
    expect((await arrived()).map((p) => p.messageType)).toEqual(['CONTROL_MESSAGE']);
  });

  it('the selection criteria decide: a selected group delivers into the stream, an excluded one does not', async () => {
    await logTo(member, '/app/orders', 'order 42 placed');
    await logTo(member, '/logwarden/own', 'the pipeline talking to itself');
    const payloads = await arrived();
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatchObject({
      messageType: 'DATA_MESSAGE',
      owner: member,
      logGroup: '/app/orders',
      logStream: 'main',
      subscriptionFilters: ['logwarden-central-eu-west-1'],
    });
    expect(payloads[0].logEvents.map((e) => e.message)).toEqual(['order 42 placed']);
  });

  it('one subscription filter policy per account; a malformed selection is refused', async () => {
    const logs = world.as(CloudWatchLogsClient, member);
    await expect(logs.send(policy('someone-elses'))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    await expect(
      logs.send(
        new PutAccountPolicyCommand({
          policyName: 'logwarden-central-eu-west-1',
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
          policyDocument: JSON.stringify({ DestinationArn: destinationArn, RoleArn: senderRole(member) }),
          selectionCriteria: 'LogGroupName IN ["/a"]',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('after DeleteAccountPolicy nothing is delivered', async () => {
    const logs = world.as(CloudWatchLogsClient, member);
    await logs.send(
      new DeleteAccountPolicyCommand({
        policyName: 'logwarden-central-eu-west-1',
        policyType: 'SUBSCRIPTION_FILTER_POLICY',
      }),
    );
    await logTo(member, '/app/orders', 'order 43 placed');
    expect(await arrived()).toEqual([]);
    await expect(
      logs.send(
        new DeleteAccountPolicyCommand({
          policyName: 'logwarden-central-eu-west-1',
          policyType: 'SUBSCRIPTION_FILTER_POLICY',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a log-group subscription filter to the destination delivers too, and only org accounts may create one', async () => {
    await logTo(member, '/app/payments', 'payment 7 captured');
    await logTo(outsider, '/app/payments', 'not ours');
    const subscribe = (account: string) =>
      world.as(CloudWatchLogsClient, account).send(
        new PutSubscriptionFilterCommand({
          logGroupName: '/app/payments',
          filterName: 'logwarden-central-eu-west-1',
          filterPattern: '',
          destinationArn,
          // The destination grants the organization: the sender names its own role (conformance-logs).
          roleArn: `arn:aws:iam::${account}:role/logwarden-subscription`,
        }),
      );
    await expect(subscribe(outsider)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await subscribe(member);
    await logTo(member, '/app/payments', 'payment 8 captured');
    const payloads = await arrived();
    expect(payloads.map((p) => p.messageType)).toEqual(['CONTROL_MESSAGE', 'DATA_MESSAGE']);
    expect(payloads[1]).toMatchObject({ owner: member, logGroup: '/app/payments' });
    expect(payloads[1].logEvents.map((e) => e.message)).toEqual(['payment 8 captured']);
  });
});
