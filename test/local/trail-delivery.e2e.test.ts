/**
 * The organization trail delivers the calls it logs into its CloudWatch Logs group, and the
 * management account's subscription of that group (LogwardenManagementTrailSubscription, from
 * its synthesized template) carries them to the central stream: the run writes no CloudTrail
 * record of its own (local/standins/events.py).
 *
 * CloudTrail User Guide, "Sending events to CloudWatch Logs": "When you configure your trail to
 * send events to CloudWatch Logs, CloudTrail sends only the events that match your trail
 * settings"; "CloudWatch log group and log stream naming for CloudTrail": "When CloudTrail
 * creates the log stream for the log group, it names the log stream according to the following
 * format: account_ID_CloudTrail_trail_region", a member account's stream of an organization
 * trail after the organization id ("Role policy document for CloudTrail to use CloudWatch Logs
 * for monitoring": "log-stream:o-exampleorgid_*" for organization trails). An organization trail
 * logs the calls of every account of the organization ("Creating a trail for an organization"); a stopped trail logs
 * nothing (StopLogging: "Suspends the recording of Amazon Web Services API calls and log file
 * delivery for the specified trail").
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { gunzipSync } from 'node:zlib';
import { names } from '../../contracts/names';
import { parseLogGroupArn } from '../../contracts/trusted-sources';
import { createClient } from '../../functions/shared/clients';
import { startMoto, type Moto } from '../../local/moto';
import { onboardAccount } from '../../local/scenario/onboard';
import { emulateOrganization, type Organization } from '../../local/scenario/organization';
import { deleteFlowLog, isLogging, trailOwner } from '../../local/scenario/tamper';
import { createVpc } from '../../local/scenario/vpc';
import { emittedEvents } from '../../local/standins/prerequisites';

const member = '555555555555';
let moto: Moto;
let org: Organization;
let group: { account: string; name: string; region: string };

interface Payload {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  logEvents: { id: unknown; message: string }[];
}

/** A reader of the central stream from now on, as the log-archive account's administrator. */
async function streamFromNow() {
  const kinesis = createClient(KinesisClient, {
    region: org.config.homeRegion,
    http1: true,
    credentials: async () => org.admin(org.logArchive),
  });
  const shards =
    (await kinesis.send(new ListShardsCommand({ StreamName: names.centralStream }))).Shards ?? [];
  const iterators: (string | undefined)[] = [];
  for (const s of shards)
    iterators.push(
      (
        await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: names.centralStream,
            ShardId: s.ShardId,
            ShardIteratorType: 'LATEST',
          }),
        )
      ).ShardIterator,
    );
  return async (): Promise<Payload[]> => {
    const out: Payload[] = [];
    for (const [i, iterator] of iterators.entries()) {
      if (!iterator) continue;
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      iterators[i] = res.NextShardIterator;
      for (const r of res.Records ?? [])
        out.push(JSON.parse(gunzipSync(Buffer.from(r.Data!)).toString('utf8')) as Payload);
    }
    return out;
  };
}

/** The stream the organization trail writes `account`'s events to: after the organization id for a member. */
async function streamOf(account: string): Promise<string> {
  const own = `${account}_CloudTrail_${org.config.homeRegion}`;
  if (account === (await trailOwner(org)).account) return own;
  const { Organization } = await new OrganizationsClient({
    region: 'us-east-1',
    credentials: await org.admin(account),
  }).send(new DescribeOrganizationCommand({}));
  return `${Organization!.Id}_${own}`;
}

/** The CloudTrail records the trail delivered into its group's stream for `account`. */
async function recordsInGroup(account: string) {
  const logs = new CloudWatchLogsClient({
    region: group.region,
    credentials: await org.admin(group.account),
  });
  const stream = await streamOf(account);
  // CloudTrail creates an account's stream with the first event it delivers for it (the group
  // itself exists: the first test reads it).
  const events = await logs
    .send(new GetLogEventsCommand({ logGroupName: group.name, logStreamName: stream, startFromHead: true }))
    .then(
      (r) => r.events ?? [],
      (err: Error) => {
        if (err.name === 'ResourceNotFoundException') return [];
        throw err;
      },
    );
  return events.map((e) => JSON.parse(e.message!) as Record<string, unknown>);
}

beforeAll(async () => {
  moto = await startMoto();
  org = await emulateOrganization(moto.endpoint, { members: [member], regions: ['eu-west-1'] });
  // The account's onboarding creates the organization trail and starts it (the trail control).
  await onboardAccount(org, member);
  expect(await isLogging(org)).toBe(true);
  // The group the trail delivers to, as the trail itself names it (CloudWatchLogsLogGroupArn).
  const owner = await trailOwner(org);
  const { trailList } = await new CloudTrailClient({
    region: org.config.homeRegion,
    credentials: await org.admin(owner.account),
  }).send(new DescribeTrailsCommand({ trailNameList: [owner.arn] }));
  const arn = trailList![0].CloudWatchLogsLogGroupArn!;
  group = { ...parseLogGroupArn(arn), region: arn.split(':')[3] };
}, 240_000);

afterAll(async () => {
  await moto?.stop();
});

describe('the organization trail delivers to its log group, and its subscription to the stream', () => {
  it('a member’s DeleteFlowLogs is in the trail’s group (stream o-…_account_ID_CloudTrail_region) and in the central stream, as the management account’s group delivers it', async () => {
    const read = await streamFromNow();
    const del = await deleteFlowLog(org, member, org.config.homeRegion);
    const inGroup = (await recordsInGroup(member)).filter((r) => r.eventID === del.event.detail.eventID);
    expect(inGroup).toHaveLength(1);
    expect(inGroup[0]).toMatchObject({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DeleteFlowLogs',
      recipientAccountId: member,
      awsRegion: org.config.homeRegion,
      requestParameters: { DeleteFlowLogsRequest: { FlowLogId: { content: del.victim.flowLogId, tag: 1 } } },
      userIdentity: { type: 'AssumedRole', accountId: member },
    });
    const payloads = (await read()).filter((p) => p.messageType === 'DATA_MESSAGE');
    const delivered = payloads.filter((p) =>
      p.logEvents.some(
        (e) => (JSON.parse(e.message) as { eventID?: string }).eventID === del.event.detail.eventID,
      ),
    );
    // owner and logGroup are CloudWatch Logs', not the run's: the trusted source of CloudTrail.
    expect(delivered.map((p) => [p.owner, p.logGroup, p.logStream])).toEqual([
      [group.account, group.name, await streamOf(member)],
    ]);
    // CloudWatch Logs sends each event's id as a string (subscription filters' payload format).
    expect(delivered[0].logEvents.every((e) => typeof e.id === 'string')).toBe(true);
  }, 120_000);

  it('a stopped trail logs its own StopLogging and nothing after it, neither into its group nor to EventBridge; started again, it logs again', async () => {
    const { account: owner, arn } = await trailOwner(org);
    const ct = new CloudTrailClient({ region: org.config.homeRegion, credentials: await org.admin(owner) });
    const stops = async () =>
      (await recordsInGroup(owner)).filter((r) => r.eventName === 'StopLogging').length;
    const stopsBefore = await stops();
    // Called directly, its event not put on the bus: the deployed forwarder would otherwise start
    // the heal that starts the trail again before the next call is made.
    await ct.send(new StopLoggingCommand({ Name: arn }));
    expect(await isLogging(org)).toBe(false);
    expect(await stops()).toBe(stopsBefore + 1);
    // Nor does EventBridge receive it: "To record events with a detail-type value of AWS API Call
    // via CloudTrail, a CloudTrail trail with logging enabled is required" (EventBridge User
    // Guide, "AWS service events delivered via AWS CloudTrail"). So recordedCall finds none.
    const recordsBefore = (await recordsInGroup(member)).length;
    const { next } = await emittedEvents(org.endpoint);
    await expect(deleteFlowLog(org, member, org.config.homeRegion)).rejects.toThrow(
      `the stand-in recorded no ec2:DeleteFlowLogs of ${member}`,
    );
    const emitted = (await emittedEvents(org.endpoint, next)).events;
    expect(emitted.filter((e) => e['detail-type'] === 'AWS API Call via CloudTrail')).toEqual([]);
    expect(await recordsInGroup(member)).toHaveLength(recordsBefore);
    await ct.send(new StartLoggingCommand({ Name: arn }));
    // The DeleteFlowLogs above started no heal, so the VPC has no flow log left to delete: a new
    // VPC is the call now (its event heals it, as any other).
    const after = await createVpc(org, member, org.config.homeRegion, '10.41.0.0/16');
    expect((await recordsInGroup(member)).map((r) => r.eventID)).toContain(after.event.detail.eventID);
    expect(after.flowLogged).toBe(true);
  }, 120_000);
});
