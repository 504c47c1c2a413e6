/**
 * The stand-in rules the direct flow-log path rests on (flowLogs.delivery firehose), each with
 * the AWS text it follows: S3's "Object Created" events of a bucket with EventBridge
 * notifications (local/standins/s3.py), EventBridge sending to an SQS queue only as the queue's
 * policy allows (local/standins/server.py service_send_message), and the source role of a flow
 * log to Firehose passed to the log delivery service for the monitored VPC
 * (local/standins/iam.py), and an object version's retention authorized as itself (the
 * archive-lock function the Object Created events now reach).
 */
import {
  CreateBucketCommand,
  GetObjectRetentionCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateFlowLogsCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { emittedEvents, serviceSendMessage } from '../../../local/standins/prerequisites';
import { World, logArchive, member, region } from './world';

let world: World;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

beforeAll(async () => {
  world = await World.start({ iam: true });
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

describe('S3 events to EventBridge', () => {
  // Amazon S3 User Guide, "Using EventBridge": "Amazon S3 can send events to Amazon EventBridge
  // whenever certain events happen in your bucket"; "EventBridge event message structure":
  // detail-type "Object Created", source "aws.s3", detail.bucket.name, detail.object.key, and
  // "reason": "PutObject, POST Object, CopyObject, or CompleteMultipartUpload".
  it('emits Object Created for a bucket with EventBridge notifications, in its account and Region, and nothing for one without', async () => {
    const s3 = world.as(S3Client, logArchive);
    const on = 'direct-path-events-on';
    const off = 'direct-path-events-off';
    for (const Bucket of [on, off])
      await s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: region } }),
      );
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: on,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
    const { next } = await emittedEvents(world.moto.endpoint);
    await s3.send(new PutObjectCommand({ Bucket: on, Key: 'ocsf/a b.parquet', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: off, Key: 'ocsf/b.parquet', Body: 'y' }));
    const s3Events = (await emittedEvents(world.moto.endpoint, next)).events.filter(
      (e) => e.source === 'aws.s3',
    );
    expect(s3Events).toEqual([
      expect.objectContaining({
        'detail-type': 'Object Created',
        account: logArchive,
        region,
        resources: [`arn:aws:s3:::${on}`],
        detail: expect.objectContaining({
          bucket: { name: on },
          object: expect.objectContaining({ key: 'ocsf/a b.parquet', size: 1 }),
          reason: 'PutObject',
        }),
      }),
    ]);
  });
});

describe('EventBridge to an SQS queue target', () => {
  // EventBridge User Guide, "Using resource-based policies for Amazon EventBridge", Amazon SQS
  // permissions: the queue's policy must allow events.amazonaws.com sqs:SendMessage, with the
  // rule's ARN as aws:SourceArn.
  const rule = `arn:aws:events:${region}:${logArchive}:rule/direct-path-rule`;
  const send = (queueArn: string, sourceArn = rule) =>
    serviceSendMessage(world.moto.endpoint, {
      queueArn,
      service: 'events.amazonaws.com',
      messageBody: '{"detail-type":"Object Created"}',
      sourceAccount: logArchive,
      sourceArn,
    });

  it('sends only as the queue policy allows the rule', async () => {
    const sqs = world.as(SQSClient, logArchive);
    const arnOf = (name: string) => `arn:aws:sqs:${region}:${logArchive}:${name}`;
    await sqs.send(new CreateQueueCommand({ QueueName: 'direct-path-no-policy' }));
    const allowed = 'direct-path-allowed';
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: allowed,
        Attributes: {
          Policy: doc({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arnOf(allowed),
            Condition: { ArnEquals: { 'aws:SourceArn': rule } },
          }),
        },
      }),
    );
    await expect(send(arnOf('direct-path-no-policy'))).rejects.toThrow(/does not allow events.amazonaws.com/);
    await expect(
      send(arnOf(allowed), `arn:aws:events:${region}:${logArchive}:rule/another-rule`),
    ).rejects.toThrow(/does not allow/);
    await send(arnOf(allowed));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['{"detail-type":"Object Created"}']);
  });
});

describe('CreateFlowLogs to Firehose passes the source role to the log delivery service', () => {
  // VPC User Guide, "IAM roles for cross account delivery", source account role: "The condition
  // statements ensure that this role is passed only to the log delivery service, and only when
  // monitoring the specified resource ... with the condition key iam:AssociatedResourceARN"
  // (iam:PassedToService delivery.logs.amazonaws.com).
  async function callerPassing(name: string, service: string, resource: string) {
    const { credentials } = await world.roleSession(member, name, [
      { Effect: 'Allow', Action: 'ec2:CreateFlowLogs', Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${member}:role/direct-path-source`,
        Condition: {
          StringEquals: { 'iam:PassedToService': service },
          StringLike: { 'iam:AssociatedResourceARN': resource },
        },
      },
    ]);
    return world.with(EC2Client, credentials);
  }

  it('allows the guide’s grant for the VPC, refuses a grant to vpc-flow-logs or for another VPC', async () => {
    const vpc = (await world.as(EC2Client, member).send(new CreateVpcCommand({ CidrBlock: '10.70.0.0/16' })))
      .Vpc!.VpcId!;
    const create = (ec2: EC2Client) =>
      ec2.send(
        new CreateFlowLogsCommand({
          ResourceIds: [vpc],
          ResourceType: 'VPC',
          TrafficType: 'ALL',
          LogDestinationType: 'kinesis-data-firehose',
          LogDestination: `arn:aws:firehose:${region}:${logArchive}:deliverystream/logwarden-flow-logs`,
          DeliverLogsPermissionArn: `arn:aws:iam::${member}:role/direct-path-source`,
          DeliverCrossAccountRole: `arn:aws:iam::${logArchive}:role/AWSLogDeliveryFirehoseCrossAccountRole-logwarden`,
        }),
      );
    const vpcArn = `arn:aws:ec2:${region}:${member}:vpc/${vpc}`;
    const toFlowLogs = await callerPassing('direct-path-cwl', 'vpc-flow-logs.amazonaws.com', vpcArn);
    await expect(create(toFlowLogs)).rejects.toThrow(/iam:PassRole/);
    const otherVpc = await callerPassing(
      'direct-path-other',
      'delivery.logs.amazonaws.com',
      `arn:aws:ec2:${region}:${member}:vpc/vpc-0000000000000000`,
    );
    await expect(create(otherVpc)).rejects.toThrow(/iam:PassRole/);
    const guide = await callerPassing('direct-path-guide', 'delivery.logs.amazonaws.com', vpcArn);
    const res = await create(guide);
    expect(res.Unsuccessful ?? []).toEqual([]);
    expect(res.FlowLogIds).toHaveLength(1);
  });
});

describe('Object Lock retention of an object version (the archive-lock function, from Object Created)', () => {
  // Service Authorization Reference, "Actions defined by Amazon S3": GetObjectRetention is
  // s3:GetObjectRetention and PutObjectRetention s3:PutObjectRetention, with or without a
  // versionId (moto named them s3:GetObjectVersion and s3:PutObject).
  it('authorizes GetObjectRetention and PutObjectRetention as themselves, not as reading or writing the object', async () => {
    const Bucket = 'direct-path-locked';
    const root = world.as(S3Client, member);
    await root.send(
      new CreateBucketCommand({
        Bucket,
        CreateBucketConfiguration: { LocationConstraint: region },
        ObjectLockEnabledForBucket: true,
      }),
    );
    const { VersionId } = await root.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    const resources = [`arn:aws:s3:::${Bucket}/*`];
    const retention = await world.roleSession(member, 'direct-path-retention', [
      { Effect: 'Allow', Action: ['s3:GetObjectRetention', 's3:PutObjectRetention'], Resource: resources },
    ]);
    const data = await world.roleSession(member, 'direct-path-data', [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        Resource: resources,
      },
    ]);
    const target = { Bucket, Key: 'k', VersionId };
    const until = new Date(Date.now() + 86_400_000);
    const put = (c: S3Client) =>
      c.send(
        new PutObjectRetentionCommand({
          ...target,
          Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until },
        }),
      );
    await expect(put(world.with(S3Client, data.credentials))).rejects.toThrow(/s3:PutObjectRetention/);
    await put(world.with(S3Client, retention.credentials));
    await expect(
      world.with(S3Client, data.credentials).send(new GetObjectRetentionCommand(target)),
    ).rejects.toThrow(/s3:GetObjectRetention/);
    const got = await world.with(S3Client, retention.credentials).send(new GetObjectRetentionCommand(target));
    expect(got.Retention?.Mode).toBe('GOVERNANCE');
  });
});
