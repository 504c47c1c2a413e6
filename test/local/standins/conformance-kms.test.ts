/**
 * KMS key policies on the stand-in (local/standins/iam.py), with the AWS text they rest on: an
 * identity policy grants on a key only where the key policy lets it. And KMS on the delivery path
 * (local/standins/kms_use.py): a producer of a stream encrypted with a customer managed key needs
 * kms:GenerateDataKey on it through Kinesis, a consumer kms:Decrypt; a writer of an SSE-KMS object
 * kms:GenerateDataKey through S3, a reader kms:Decrypt; the CloudWatch Logs destination role
 * likewise. Off the delivery path: a publisher to an encrypted SNS topic needs kms:GenerateDataKey
 * and kms:Decrypt through SNS; a producer of an encrypted SQS queue both, a consumer kms:Decrypt;
 * CloudWatch Logs itself (logs.<region>.amazonaws.com) must be let use a log group's key by the key
 * policy. Real SDK clients, IAM enforced (world.ts).
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  CloudWatchLogsClient,
  PutLogEventsCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
  StartStreamEncryptionCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { serviceSendMessage } from '../../../local/standins/prerequisites';
import { conformance } from './conformance';
import { World, type Credentials, logArchive, member, region } from './world';

let world: World;
let kms: KMSClient;

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: object) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
/** A key policy statement giving the account's IAM policies their say (the default key policy's). */
const accountRoot = (account: string) => ({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: 'kms:*',
  Resource: '*',
});

let counter = 0;

/** A role of `account` with `statements`, and the credentials Lambda would give a function of it. */
const roleSession = (account: string, statements: object[]) =>
  world.roleSession(account, `kms-path-${++counter}`, statements);

async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (e: Error) => e.name,
  );
}

/** A key of the log-archive account with `statements` as its key policy, and `alias`. */
async function key(alias: string, ...statements: object[]): Promise<string> {
  const kms = world.as(KMSClient, logArchive);
  const arn = (
    await kms.send(new CreateKeyCommand({ Policy: doc(...statements), BypassPolicyLockoutSafetyCheck: true }))
  ).KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn }));
  return arn;
}

/** The ARN of the log-archive account's key with `alias`. */
const keyArnOf = async (alias: string) =>
  (await world.as(KMSClient, logArchive).send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.Arn!;

/** A stream of the log-archive account encrypted with `keyArn`, as the central stack's is. */
async function encryptedStream(name: string, keyArn: string): Promise<string> {
  const kinesis = world.as(KinesisClient, logArchive);
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await kinesis.send(
    new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: 'KMS', KeyId: keyArn }),
  );
  return `arn:aws:kinesis:${region}:${logArchive}:stream/${name}`;
}

const putRecord = (credentials: Credentials, StreamARN: string) =>
  outcome(
    world
      .with(KinesisClient, credentials)
      .send(new PutRecordCommand({ StreamARN, PartitionKey: 'a', Data: Buffer.from('x') })),
  );

/** The synthesized destination role's statement on the stream key (stacks/destination-stack.ts). */
const streamKeyGrant = (viaService: string, alias = 'alias/logwarden-stream') =>
  allow('kms:GenerateDataKey', `arn:aws:kms:${region}:${logArchive}:key/*`, {
    'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias },
    StringEquals: { 'kms:ViaService': viaService },
  });

/** A bucket with the archive's default encryption: SSE-KMS with `keyArn` and an S3 Bucket Key. */
async function archiveLikeBucket(name: string, keyArn: string): Promise<void> {
  const s3 = world.as(S3Client, logArchive);
  await s3.send(
    new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: region } }),
  );
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: name,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
            BucketKeyEnabled: true,
          },
        ],
      },
    }),
  );
}

const s3With = (credentials: Credentials) =>
  new S3Client({ region, endpoint: world.moto.endpoint, credentials, forcePathStyle: true, maxAttempts: 1 });

/** A role of the member account whose identity policy allows every KMS action on every key. */
async function kmsAdministrator(): Promise<KMSClient> {
  const { credentials } = await world.roleSession(member, 'conformance-kms', [
    { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
  ]);
  return new KMSClient({ region, endpoint: world.moto.endpoint, credentials });
}

const keyWithPolicy = async (principal: string) =>
  (
    await world.as(KMSClient, member).send(
      new CreateKeyCommand({
        Policy: doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' }),
        BypassPolicyLockoutSafetyCheck: true,
      }),
    )
  ).KeyMetadata!.KeyId!;

/**
 * A role of `account` named `name` that nothing assumes: key policies name it, and KMS refuses a
 * key policy naming a principal that does not exist (conformance 'kms:CreateKey' below).
 */
const existingRole = (account: string, name: string) =>
  world.as(IAMClient, account, 'us-east-1').send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
    }),
  );

beforeAll(async () => {
  world = await World.start({ iam: true });
  kms = await kmsAdministrator();
  await existingRole(member, 'someone-else');
  await existingRole(logArchive, 'someone-else');
}, 60_000);

afterAll(() => world?.stop());

conformance('kms:DescribeKey', {
  behaviour: 'an identity policy grants on a key only where the key policy names the account',
  source:
    'KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key. Without permission from the key policy, IAM policies that allow permissions have no effect."',
  refuses: [
    'a role allowed kms:* by its identity policy, on a key whose policy names another principal only',
    async () => {
      const KeyId = await keyWithPolicy(`arn:aws:iam::${member}:role/someone-else`);
      await expect(kms.send(new DescribeKeyCommand({ KeyId }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'the same role on a key whose policy names the account (delegating to IAM)',
    async () => {
      const KeyId = await keyWithPolicy(`arn:aws:iam::${member}:root`);
      await expect(kms.send(new DescribeKeyCommand({ KeyId }))).resolves.toBeDefined();
    },
  ],
});

const kinesisProducer =
  'Kinesis Data Streams Developer Guide, "Permissions to use user-generated KMS keys": "Your Kinesis stream producers must have the kms:GenerateDataKey permission"';

conformance('kinesis:PutRecord', {
  behaviour:
    'a producer of a customer-key stream needs kms:GenerateDataKey, which the key policy must let IAM grant',
  source: `${kinesisProducer}; KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key. Without permission from the key policy, IAM policies that allow permissions have no effect."`,
  refuses: [
    'a role allowed kinesis:PutRecord but not kms:GenerateDataKey; then one allowed both by IAM, on a key whose policy has no statement for the account',
    async () => {
      const withRoot = await key('alias/put-record-root', accountRoot(logArchive));
      const stream = await encryptedStream('put-record-root', withRoot);
      const producer = await roleSession(logArchive, [allow('kinesis:PutRecord', stream)]);
      expect(await putRecord(producer.credentials, stream)).toBe('KMSAccessDeniedException');

      const withoutRoot = await key('alias/put-record-no-root', {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${logArchive}:role/someone-else` },
        Action: 'kms:*',
        Resource: '*',
      });
      const other = await encryptedStream('put-record-no-root', withoutRoot);
      const both = await roleSession(logArchive, [
        allow('kinesis:PutRecord', other),
        allow('kms:GenerateDataKey', withoutRoot),
      ]);
      expect(await putRecord(both.credentials, other)).toBe('KMSAccessDeniedException');
    },
  ],
  accepts: [
    'the role allowed both on a key whose policy names the account; and a role named by the key policy itself, with no KMS grant in IAM',
    async () => {
      const withRoot = `arn:aws:kinesis:${region}:${logArchive}:stream/put-record-root`;
      const keyArn = await keyArnOf('alias/put-record-root');
      const both = await roleSession(logArchive, [
        allow('kinesis:PutRecord', withRoot),
        allow('kms:GenerateDataKey', keyArn),
      ]);
      expect(await putRecord(both.credentials, withRoot)).toBe('ok');

      const named = await roleSession(logArchive, [allow('kinesis:PutRecord', '*')]);
      const namingRole = await key('alias/put-record-named', accountRoot(logArchive), {
        Effect: 'Allow',
        Principal: { AWS: named.arn },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
      });
      expect(await putRecord(named.credentials, await encryptedStream('put-record-named', namingRole))).toBe(
        'ok',
      );
    },
  ],
});

conformance('kinesis:PutRecords', {
  behaviour:
    'kms:ViaService and kms:ResourceAliases (ForAnyValue) are evaluated as Kinesis calls KMS for the producer',
  source: `${kinesisProducer}; KMS Developer Guide, "kms:ViaService": "The kms:ViaService condition key limits use of an AWS KMS key to requests from specified AWS services"; "kms:ResourceAliases": "The kms:ResourceAliases condition key allows or denies access to a KMS key based on the aliases associated with the KMS key"`,
  refuses: [
    "the destination role's statement with kms:ViaService of S3, or naming another alias",
    async () => {
      const keyArn = await key('alias/logwarden-stream', accountRoot(logArchive));
      const stream = await encryptedStream('put-records', keyArn);
      for (const grant of [
        streamKeyGrant(`s3.${region}.amazonaws.com`),
        streamKeyGrant(`kinesis.${region}.amazonaws.com`, 'alias/another-key'),
      ]) {
        const producer = await roleSession(logArchive, [allow('kinesis:PutRecords', stream), grant]);
        expect(
          await outcome(
            world.with(KinesisClient, producer.credentials).send(
              new PutRecordsCommand({
                StreamARN: stream,
                Records: [{ PartitionKey: 'a', Data: Buffer.from('x') }],
              }),
            ),
          ),
        ).toBe('KMSAccessDeniedException');
      }
    },
  ],
  accepts: [
    "the destination role's statement as synthesized: the stream key's alias, through Kinesis of the key's Region",
    async () => {
      const stream = `arn:aws:kinesis:${region}:${logArchive}:stream/put-records`;
      const producer = await roleSession(logArchive, [
        allow('kinesis:PutRecords', stream),
        streamKeyGrant(`kinesis.${region}.amazonaws.com`),
      ]);
      const res = await world.with(KinesisClient, producer.credentials).send(
        new PutRecordsCommand({
          StreamARN: stream,
          Records: [{ PartitionKey: 'a', Data: Buffer.from('x') }],
        }),
      );
      expect(res.FailedRecordCount).toBe(0);
    },
  ],
});

conformance('kinesis:GetRecords', {
  behaviour: 'a consumer of a customer-key stream needs kms:Decrypt',
  source:
    'Kinesis Data Streams Developer Guide, "Permissions to use user-generated KMS keys": "Your Kinesis stream consumers must have the kms:Decrypt permission"; KMS Developer Guide, "kms:CallerAccount": the account of the caller',
  refuses: [
    'a role allowed to read the stream but not kms:Decrypt',
    async () => {
      const keyArn = await key('alias/get-records', accountRoot(logArchive));
      const stream = await encryptedStream('get-records', keyArn);
      const consumer = await roleSession(logArchive, [
        allow(['kinesis:GetShardIterator', 'kinesis:GetRecords'], stream),
      ]);
      const kinesis = world.with(KinesisClient, consumer.credentials);
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamARN: stream,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      expect(await outcome(kinesis.send(new GetRecordsCommand({ ShardIterator, StreamARN: stream })))).toBe(
        'KMSAccessDeniedException',
      );
    },
  ],
  accepts: [
    'the same reads with kms:Decrypt on the key for callers of the account, through Kinesis',
    async () => {
      const stream = `arn:aws:kinesis:${region}:${logArchive}:stream/get-records`;
      const keyArn = await keyArnOf('alias/get-records');
      const consumer = await roleSession(logArchive, [
        allow(['kinesis:GetShardIterator', 'kinesis:GetRecords'], stream),
        allow('kms:Decrypt', keyArn, {
          StringEquals: {
            'kms:CallerAccount': logArchive,
            'kms:ViaService': `kinesis.${region}.amazonaws.com`,
          },
        }),
      ]);
      const kinesis = world.with(KinesisClient, consumer.credentials);
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamARN: stream,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      expect(await outcome(kinesis.send(new GetRecordsCommand({ ShardIterator, StreamARN: stream })))).toBe(
        'ok',
      );
    },
  ],
});

/** The kms-path destination role's grant on the stream key's alias, through Kinesis (as synthesized). */
const grantDestinationStreamKey = () =>
  world.as(IAMClient, logArchive, 'us-east-1').send(
    new PutRolePolicyCommand({
      RoleName: 'kms-path-destination',
      PolicyName: 'streamKey',
      PolicyDocument: doc(streamKeyGrant(`kinesis.${region}.amazonaws.com`, 'alias/destination-stream')),
    }),
  );

conformance('logs:PutSubscriptionFilter', {
  behaviour:
    'CloudWatch Logs puts into a customer-key stream as the destination role, which needs kms:GenerateDataKey through Kinesis',
  source: `${kinesisProducer}; CloudWatch Logs User Guide, "Step 1: Create a destination": the role "grants CloudWatch Logs permission to put data into your stream"; a new subscription filter is checked by a test message delivered to the destination`,
  refuses: [
    'a destination whose role may kinesis:PutRecord but has no KMS grant',
    async () => {
      const keyArn = await key('alias/destination-stream', accountRoot(logArchive));
      const stream = await encryptedStream('destination-stream', keyArn);
      const iam = world.as(IAMClient, logArchive, 'us-east-1');
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'kms-path-destination',
          AssumeRolePolicyDocument: doc({
            Effect: 'Allow',
            Principal: { Service: 'logs.amazonaws.com' },
            Action: 'sts:AssumeRole',
          }),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'kms-path-destination',
          PolicyName: 'putRecords',
          PolicyDocument: doc(allow(['kinesis:PutRecord', 'kinesis:PutRecords'], stream)),
        }),
      );
      const logs = world.as(CloudWatchLogsClient, logArchive);
      await logs.send(
        new PutDestinationCommand({
          destinationName: 'kms-path',
          targetArn: stream,
          roleArn: `arn:aws:iam::${logArchive}:role/kms-path-destination`,
        }),
      );
      await logs.send(
        new PutDestinationPolicyCommand({
          destinationName: 'kms-path',
          accessPolicy: doc({
            Effect: 'Allow',
            Principal: { AWS: member },
            Action: 'logs:PutSubscriptionFilter',
            Resource: `arn:aws:logs:${region}:${logArchive}:destination:kms-path`,
          }),
        }),
      );
      await world
        .as(CloudWatchLogsClient, member)
        .send(new CreateLogGroupCommand({ logGroupName: '/app/kms' }));
      await expect(
        world.as(CloudWatchLogsClient, member).send(
          new PutSubscriptionFilterCommand({
            logGroupName: '/app/kms',
            filterName: 'central',
            filterPattern: '',
            destinationArn: `arn:aws:logs:${region}:${logArchive}:destination:kms-path`,
          }),
        ),
      ).rejects.toMatchObject({
        // The test message's answer (logs.py control_message).
        name: 'InvalidParameterException',
        message: expect.stringMatching(/Could not deliver test message.*kms:GenerateDataKey/),
      });
    },
  ],
  accepts: [
    "the same destination once its role has the synthesized statement on the stream key's alias through Kinesis",
    async () => {
      await grantDestinationStreamKey();
      await expect(
        world.as(CloudWatchLogsClient, member).send(
          new PutSubscriptionFilterCommand({
            logGroupName: '/app/kms',
            filterName: 'central',
            filterPattern: '',
            destinationArn: `arn:aws:logs:${region}:${logArchive}:destination:kms-path`,
          }),
        ),
      ).resolves.toBeDefined();
    },
  ],
});

/** A PutLogEvents of one event, now. */
const oneEvent = (logGroupName: string, logStreamName: string, message: string) =>
  new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: [{ timestamp: Date.now(), message }] });

/** The deliveries the stand-in's CloudWatch Logs could not make (logs.py DELIVERY_FAILURES). */
const deliveryFailures = async () =>
  (await world.fixture<{ failures: { destination: string; error: string }[] }>('deliveries', {})).body
    .failures;

conformance('logs:PutLogEvents', {
  behaviour: 'a delivery CloudWatch Logs cannot make does not fail the write',
  source:
    'CloudWatch Logs User Guide, "Real-time processing of log data with subscriptions": "CloudWatch Logs doesn\'t try to re-deliver if the error is a non-retryable error, such as AccessDeniedException ... the subscription filter is disabled for up to 10 minutes ... During this disabled period, logs are skipped": delivery is apart from the write',
  refuses: [
    'delivering once the destination role lost its KMS grant: the failure is recorded (GET /logwarden-standins/deliveries)',
    async () => {
      await world
        .as(IAMClient, logArchive, 'us-east-1')
        .send(new DeleteRolePolicyCommand({ RoleName: 'kms-path-destination', PolicyName: 'streamKey' }));
      const memberLogs = world.as(CloudWatchLogsClient, member);
      await memberLogs.send(new CreateLogStreamCommand({ logGroupName: '/app/kms', logStreamName: 'w' }));
      const before = (await deliveryFailures()).length;
      await expect(memberLogs.send(oneEvent('/app/kms', 'w', 'not delivered'))).resolves.toBeDefined();
      const failures = await deliveryFailures();
      expect(failures.slice(before)).toEqual([
        expect.objectContaining({
          destination: `arn:aws:logs:${region}:${logArchive}:destination:kms-path`,
          error: expect.stringContaining('kms:GenerateDataKey'),
        }),
      ]);
    },
  ],
  accepts: [
    'the same write, delivered once the grant is back: no new failure',
    async () => {
      await grantDestinationStreamKey();
      const before = (await deliveryFailures()).length;
      await world.as(CloudWatchLogsClient, member).send(oneEvent('/app/kms', 'w', 'delivered'));
      expect(await deliveryFailures()).toHaveLength(before);
    },
  ],
});

const s3Permissions =
  'S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)", permissions: uploading an object encrypted with a KMS key needs kms:GenerateDataKey on the key, downloading it kms:Decrypt';

conformance('s3:PutObject', {
  behaviour:
    'a writer into a bucket with default SSE-KMS and an S3 Bucket Key needs kms:GenerateDataKey, the bucket ARN its encryption context',
  source: `${s3Permissions}; S3 User Guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys": "S3 Bucket Keys use the bucket ARN as encryption context"`,
  refuses: [
    'a role allowed s3:PutObject only, then one whose kms:GenerateDataKey is conditioned on the object ARN as encryption context',
    async () => {
      const keyArn = await key('alias/archive-like', accountRoot(logArchive));
      await archiveLikeBucket('kms-path-archive', keyArn);
      const bare = await roleSession(logArchive, [allow('s3:PutObject', 'arn:aws:s3:::kms-path-archive/*')]);
      expect(
        await outcome(
          s3With(bare.credentials).send(
            new PutObjectCommand({ Bucket: 'kms-path-archive', Key: 'a', Body: 'x' }),
          ),
        ),
      ).toBe('AccessDenied');
      const byObject = await roleSession(logArchive, [
        allow('s3:PutObject', 'arn:aws:s3:::kms-path-archive/*'),
        allow('kms:GenerateDataKey', keyArn, {
          StringEquals: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::kms-path-archive/a' },
        }),
      ]);
      expect(
        await outcome(
          s3With(byObject.credentials).send(
            new PutObjectCommand({ Bucket: 'kms-path-archive', Key: 'a', Body: 'x' }),
          ),
        ),
      ).toBe('AccessDenied');
    },
  ],
  accepts: [
    "Firehose's synthesized grant (kms:GenerateDataKey through S3), and a grant conditioned on the bucket ARN",
    async () => {
      const keyArn = await keyArnOf('alias/archive-like');
      for (const condition of [
        { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        { StringEquals: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::kms-path-archive' } },
      ]) {
        const writer = await roleSession(logArchive, [
          allow('s3:PutObject', 'arn:aws:s3:::kms-path-archive/*'),
          allow(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn, condition),
        ]);
        expect(
          await outcome(
            s3With(writer.credentials).send(
              new PutObjectCommand({ Bucket: 'kms-path-archive', Key: 'a', Body: 'x' }),
            ),
          ),
        ).toBe('ok');
      }
    },
  ],
});

conformance('s3:GetObject', {
  behaviour: 'a reader of an SSE-KMS object needs kms:Decrypt on its key',
  source: s3Permissions,
  refuses: [
    'a role allowed s3:GetObject but not kms:Decrypt',
    async () => {
      const reader = await roleSession(logArchive, [
        allow('s3:GetObject', 'arn:aws:s3:::kms-path-archive/*'),
      ]);
      expect(
        await outcome(
          s3With(reader.credentials).send(new GetObjectCommand({ Bucket: 'kms-path-archive', Key: 'a' })),
        ),
      ).toBe('AccessDenied');
    },
  ],
  accepts: [
    "the lake reader's synthesized grant: kms:Decrypt through S3",
    async () => {
      const keyArn = await keyArnOf('alias/archive-like');
      const reader = await roleSession(logArchive, [
        allow('s3:GetObject', 'arn:aws:s3:::kms-path-archive/*'),
        allow('kms:Decrypt', keyArn, { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } }),
      ]);
      const res = await s3With(reader.credentials).send(
        new GetObjectCommand({ Bucket: 'kms-path-archive', Key: 'a' }),
      );
      expect(await res.Body!.transformToString()).toBe('x');
    },
  ],
});

/** A multipart upload into the archive-like bucket by a writer allowed `kmsActions` on its key: its first part. */
async function uploadPart(kmsActions: string | string[]): Promise<string> {
  const keyArn = await keyArnOf('alias/archive-like');
  const writer = await roleSession(logArchive, [
    allow('s3:PutObject', 'arn:aws:s3:::kms-path-archive/*'),
    allow(kmsActions, keyArn),
  ]);
  const s3 = s3With(writer.credentials);
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: 'kms-path-archive', Key: 'm' }),
  );
  return outcome(
    s3.send(
      new UploadPartCommand({ Bucket: 'kms-path-archive', Key: 'm', UploadId, PartNumber: 1, Body: 'x' }),
    ),
  );
}

conformance('s3:UploadPart', {
  behaviour: 'a multipart upload of an SSE-KMS object needs kms:Decrypt as well as kms:GenerateDataKey',
  source:
    'S3 User Guide, "Multipart upload API and permissions": to perform a multipart upload with encryption using an AWS KMS key, the requester must have permission to the kms:Decrypt and kms:GenerateDataKey actions on the key',
  refuses: [
    'a writer without KMS grants cannot start the upload; one allowed kms:GenerateDataKey only starts it, its part is refused',
    async () => {
      const bare = await roleSession(logArchive, [allow('s3:PutObject', 'arn:aws:s3:::kms-path-archive/*')]);
      expect(
        await outcome(
          s3With(bare.credentials).send(
            new CreateMultipartUploadCommand({ Bucket: 'kms-path-archive', Key: 'm' }),
          ),
        ),
      ).toBe('AccessDenied');
      expect(await uploadPart('kms:GenerateDataKey')).toBe('AccessDenied');
    },
  ],
  accepts: [
    'the writer allowed both',
    async () => {
      expect(await uploadPart(['kms:GenerateDataKey', 'kms:Decrypt'])).toBe('ok');
    },
  ],
});

/** UploadPartCopy of kms-path-source/s into a new upload of kms-path-archive by a writer allowed `kms` statements. */
async function uploadPartCopy(kms: object[]): Promise<string> {
  const writer = await roleSession(logArchive, [
    allow('s3:PutObject', 'arn:aws:s3:::kms-path-archive/*'),
    allow('s3:GetObject', 'arn:aws:s3:::kms-path-source/*'),
    ...kms,
  ]);
  const s3 = s3With(writer.credentials);
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: 'kms-path-archive', Key: 'mc' }),
  );
  return outcome(
    s3.send(
      new UploadPartCopyCommand({
        Bucket: 'kms-path-archive',
        Key: 'mc',
        UploadId,
        PartNumber: 1,
        CopySource: 'kms-path-source/s',
      }),
    ),
  );
}

conformance('s3:UploadPartCopy', {
  behaviour:
    "a part copied into an SSE-KMS upload needs kms:Decrypt on the upload's key, and on the source object's key when it is SSE-KMS",
  source:
    'S3 API Reference, UploadPartCopy, Permissions: "You must have READ access to the source object and WRITE access to the destination bucket"; "the requester needs permissions for the kms:Decrypt action on the UploadPart and UploadPartCopy APIs"; reading an SSE-KMS object needs kms:Decrypt on its key (S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)")',
  refuses: [
    "a writer allowed both actions on the upload's key but nothing on the source's key; and one allowed kms:Decrypt on the source's key but only kms:GenerateDataKey on the upload's",
    async () => {
      const sourceKey = await key('alias/source-like', accountRoot(logArchive));
      await archiveLikeBucket('kms-path-source', sourceKey);
      await world
        .as(S3Client, logArchive)
        .send(new PutObjectCommand({ Bucket: 'kms-path-source', Key: 's', Body: 'source part' }));
      const archiveKey = await keyArnOf('alias/archive-like');
      expect(await uploadPartCopy([allow(['kms:GenerateDataKey', 'kms:Decrypt'], archiveKey)])).toBe(
        'AccessDenied',
      );
      expect(
        await uploadPartCopy([allow('kms:GenerateDataKey', archiveKey), allow('kms:Decrypt', sourceKey)]),
      ).toBe('AccessDenied');
    },
  ],
  accepts: [
    "a writer allowed kms:GenerateDataKey and kms:Decrypt on the upload's key and kms:Decrypt on the source's",
    async () => {
      const archiveKey = await keyArnOf('alias/archive-like');
      const sourceKey = await keyArnOf('alias/source-like');
      expect(
        await uploadPartCopy([
          allow(['kms:GenerateDataKey', 'kms:Decrypt'], archiveKey),
          allow('kms:Decrypt', sourceKey),
        ]),
      ).toBe('ok');
    },
  ],
});

/** A topic of the log-archive account encrypted with `keyArn`, as the alert topic is. */
async function encryptedTopic(name: string, keyArn: string): Promise<string> {
  return (
    await world
      .as(SNSClient, logArchive)
      .send(new CreateTopicCommand({ Name: name, Attributes: { KmsMasterKeyId: keyArn } }))
  ).TopicArn!;
}

const publish = (credentials: Credentials, TopicArn: string) =>
  outcome(world.with(SNSClient, credentials).send(new PublishCommand({ TopicArn, Message: 'alert' })));

conformance('sns:Publish', {
  behaviour:
    'a publisher to a topic encrypted with a customer managed key needs kms:GenerateDataKey and kms:Decrypt on it, through SNS',
  source:
    'SNS Developer Guide, "Key management", "Allow a user to send messages to a topic with SSE": "The publisher must have the kms:GenerateDataKey and kms:Decrypt permissions for the customer master key (CMK)"; the encryption context is the topic ARN, `aws:sns:topicArn` (GameLift FlexMatch Guide, "Set up an SNS topic with server-side encryption": its key policy conditions on "kms:EncryptionContext:aws:sns:topicArn")',
  refuses: [
    'a role allowed sns:Publish only; one allowed kms:GenerateDataKey but not kms:Decrypt; one allowed both by IAM on a key whose policy has no statement for the account',
    async () => {
      const keyArn = await key('alias/alerts-like', accountRoot(logArchive));
      const topic = await encryptedTopic('alerts-like', keyArn);
      const bare = await roleSession(logArchive, [allow('sns:Publish', topic)]);
      expect(await publish(bare.credentials, topic)).toBe('KMSAccessDeniedException');
      const half = await roleSession(logArchive, [
        allow('sns:Publish', topic),
        allow('kms:GenerateDataKey', keyArn),
      ]);
      expect(await publish(half.credentials, topic)).toBe('KMSAccessDeniedException');

      const noRoot = await key('alias/alerts-no-root', {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${logArchive}:role/someone-else` },
        Action: 'kms:*',
        Resource: '*',
      });
      const other = await encryptedTopic('alerts-no-root', noRoot);
      const both = await roleSession(logArchive, [
        allow('sns:Publish', other),
        allow(['kms:GenerateDataKey', 'kms:Decrypt'], noRoot),
      ]);
      expect(await publish(both.credentials, other)).toBe('KMSAccessDeniedException');
    },
  ],
  accepts: [
    "the alerter's synthesized grant (topic.grantPublish: sns:Publish, and kms:Decrypt and kms:GenerateDataKey* on the key), and one held to SNS and this topic by kms:ViaService and the encryption context",
    async () => {
      const keyArn = await keyArnOf('alias/alerts-like');
      const topic = `arn:aws:sns:${region}:${logArchive}:alerts-like`;
      for (const condition of [
        undefined,
        {
          StringEquals: {
            'kms:ViaService': `sns.${region}.amazonaws.com`,
            'kms:EncryptionContext:aws:sns:topicArn': topic,
          },
        },
      ]) {
        const publisher = await roleSession(logArchive, [
          allow('sns:Publish', topic),
          allow(['kms:Decrypt', 'kms:GenerateDataKey*'], keyArn, condition),
        ]);
        expect(await publish(publisher.credentials, topic)).toBe('ok');
      }
    },
  ],
});

/** A queue of the log-archive account encrypted with `keyArn`, as the pipeline's queues are. */
async function encryptedQueue(name: string, keyArn: string): Promise<string> {
  return (
    await world
      .as(SQSClient, logArchive)
      .send(new CreateQueueCommand({ QueueName: name, Attributes: { KmsMasterKeyId: keyArn } }))
  ).QueueUrl!;
}

const sqsPermissions =
  'SQS Developer Guide, "Encryption at rest" (FAQ "What permissions do I need to use SSE with Amazon SQS?"): "To send messages to an encrypted queue, the producer must have the kms:GenerateDataKey and kms:Decrypt permissions for the CMK." "To receive messages from an encrypted queue, the consumer must have the kms:Decrypt permission for any CMK that is used to encrypt the messages in the specified queue."';

conformance('sqs:SendMessage', {
  behaviour:
    'a producer of a queue encrypted with a customer managed key needs kms:GenerateDataKey and kms:Decrypt',
  source: `${sqsPermissions} AWS documents no encryption context for SQS (its "Encryption at rest" and "Key management" pages name none; \`aws:sqs:arn\` appears only in third-party policies): the stand-in sends none, so a grant conditioned on one is not met (the stricter answer)`,
  refuses: [
    'a role allowed sqs:SendMessage only, one allowed kms:GenerateDataKey without kms:Decrypt, and one allowed both only with an aws:sqs:arn encryption context',
    async () => {
      const keyArn = await key('alias/queue-like', accountRoot(logArchive));
      const QueueUrl = await encryptedQueue('queue-like', keyArn);
      const queueArn = `arn:aws:sqs:${region}:${logArchive}:queue-like`;
      const withContext = allow(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn, {
        StringEquals: { 'kms:EncryptionContext:aws:sqs:arn': queueArn },
      });
      for (const extra of [[], [allow('kms:GenerateDataKey', keyArn)], [withContext]]) {
        const producer = await roleSession(logArchive, [allow('sqs:SendMessage', queueArn), ...extra]);
        expect(
          await outcome(
            world
              .with(SQSClient, producer.credentials)
              .send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })),
          ),
        ).toBe('KmsAccessDenied');
      }
    },
  ],
  accepts: [
    'a role allowed both, held to SQS by kms:ViaService',
    async () => {
      const keyArn = await keyArnOf('alias/queue-like');
      const queueArn = `arn:aws:sqs:${region}:${logArchive}:queue-like`;
      const producer = await roleSession(logArchive, [
        allow('sqs:SendMessage', queueArn),
        allow(['kms:GenerateDataKey', 'kms:Decrypt'], keyArn, {
          StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` },
        }),
      ]);
      const QueueUrl = `https://sqs.${region}.amazonaws.com/${logArchive}/queue-like`;
      expect(
        await outcome(
          world
            .with(SQSClient, producer.credentials)
            .send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })),
        ),
      ).toBe('ok');
    },
  ],
});

conformance('sqs:ReceiveMessage', {
  behaviour: 'a consumer of a queue encrypted with a customer managed key needs kms:Decrypt',
  source: `${sqsPermissions} AWS documents nothing for a receive that finds no message: the stand-in asks for kms:Decrypt on every receive (the stricter answer)`,
  refuses: [
    'a role allowed sqs:ReceiveMessage but not kms:Decrypt',
    async () => {
      const queueArn = `arn:aws:sqs:${region}:${logArchive}:queue-like`;
      const consumer = await roleSession(logArchive, [allow('sqs:ReceiveMessage', queueArn)]);
      const QueueUrl = `https://sqs.${region}.amazonaws.com/${logArchive}/queue-like`;
      expect(
        await outcome(
          world.with(SQSClient, consumer.credentials).send(new ReceiveMessageCommand({ QueueUrl })),
        ),
      ).toBe('KmsAccessDenied');
    },
  ],
  accepts: [
    'the same role allowed kms:Decrypt on the key: it reads the message the producer sent',
    async () => {
      const keyArn = await keyArnOf('alias/queue-like');
      const queueArn = `arn:aws:sqs:${region}:${logArchive}:queue-like`;
      const consumer = await roleSession(logArchive, [
        allow('sqs:ReceiveMessage', queueArn),
        allow('kms:Decrypt', keyArn, { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } }),
      ]);
      const QueueUrl = `https://sqs.${region}.amazonaws.com/${logArchive}/queue-like`;
      const res = await world
        .with(SQSClient, consumer.credentials)
        .send(new ReceiveMessageCommand({ QueueUrl }));
      expect(res.Messages?.map((m) => m.Body)).toEqual(['x']);
    },
  ],
});

/** Publishes to a topic subscribed by an encrypted queue (raw delivery), then reads the queue. */
async function deliveredThroughSns(queueKeyArn: string, name: string): Promise<string[]> {
  const topicArn = (await world.as(SNSClient, logArchive).send(new CreateTopicCommand({ Name: name })))
    .TopicArn!;
  const QueueUrl = await encryptedQueue(name, queueKeyArn);
  await world.as(SNSClient, logArchive).send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:${region}:${logArchive}:${name}`,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  await world.as(SNSClient, logArchive).send(new PublishCommand({ TopicArn: topicArn, Message: 'alert' }));
  const res = await world.as(SQSClient, logArchive).send(new ReceiveMessageCommand({ QueueUrl }));
  return (res.Messages ?? []).map((m) => m.Body ?? '');
}

conformance('sns:Subscribe', {
  behaviour:
    "SNS delivers into a queue under a customer managed key as sns.amazonaws.com, which only the queue key's policy can allow",
  source:
    'SQS Developer Guide, "Key management", "Configure KMS permissions for AWS services": "Several AWS services act as event sources that can send events to Amazon SQS queues. To allow these event sources to work with encrypted queues, you must create a customer managed KMS key and add permissions in the key policy for the service to use the required AWS KMS API methods" (the statement for sns.amazonaws.com: kms:GenerateDataKey and kms:Decrypt). AWS tells the publisher nothing: the message does not arrive',
  refuses: [
    'a topic subscribed by a queue whose key policy names the account only: the published message never arrives',
    async () => {
      const keyArn = await key('alias/sns-to-queue', accountRoot(logArchive));
      expect(await deliveredThroughSns(keyArn, 'sns-to-queue-refused')).toEqual([]);
    },
  ],
  accepts: [
    "the same with the key policy's statement for sns.amazonaws.com, held to this account's topics by aws:SourceAccount",
    async () => {
      const keyArn = await key('alias/sns-to-queue-allowed', accountRoot(logArchive), {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': logArchive } },
      });
      expect(await deliveredThroughSns(keyArn, 'sns-to-queue-allowed')).toEqual(['alert']);
    },
  ],
});

/** EventBridge delivering a rule's event into an encrypted queue whose policy lets the rule send. */
async function deliveredByRule(keyArn: string, name: string, rule: string): Promise<string[]> {
  const queueArn = `arn:aws:sqs:${region}:${logArchive}:${name}`;
  const sqs = world.as(SQSClient, logArchive);
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        KmsMasterKeyId: keyArn,
        Policy: doc({
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': rule } },
        }),
      },
    }),
  );
  const sent = await serviceSendMessage(world.moto.endpoint, {
    queueArn,
    service: 'events.amazonaws.com',
    messageBody: '{"detail-type":"Object Created"}',
    sourceAccount: logArchive,
    sourceArn: rule,
  }).then(
    () => 'sent',
    (err: Error) => err.message,
  );
  const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  return [sent, ...(res.Messages ?? []).map((m) => m.Body ?? '')];
}

/** The key policy statement stacks/secure-key.ts allowEventBridgeRules synthesizes, for `rule`. */
const eventBridgeStatement = (rule: string) => ({
  Effect: 'Allow',
  Principal: { Service: 'events.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: '*',
  Condition: { StringEquals: { 'aws:SourceAccount': logArchive }, ArnEquals: { 'aws:SourceArn': rule } },
});

conformance('events:PutTargets', {
  behaviour:
    "EventBridge delivers a rule's event into a queue under a customer managed key as events.amazonaws.com, which only the queue key's policy can allow",
  source:
    'SQS Developer Guide, "Key management", "Configure KMS permissions for AWS services": "To allow these event sources to work with encrypted queues, you must create a customer managed KMS key and add permissions in the key policy for the service to use the required AWS KMS API methods" (kms:GenerateDataKey and kms:Decrypt for the service principal; the event sources include EventBridge, "events"); "Configure KMS permissions with confused deputy protection": "When using SSE enabled Amazon SQS queues, the following services support aws:SourceArn: [...] CloudWatch Events"',
  refuses: [
    "a rule whose queue's policy lets it send, but whose key policy names the account only, or lets another rule: nothing arrives",
    async () => {
      const rule = `arn:aws:events:${region}:${logArchive}:rule/to-encrypted-queue`;
      const rootOnly = await key('alias/rule-to-queue-refused', accountRoot(logArchive));
      const [sent, ...bodies] = await deliveredByRule(rootOnly, 'rule-to-queue-refused', rule);
      expect(sent).toMatch(/events\.amazonaws\.com is not authorized to perform: kms:GenerateDataKey/);
      expect(bodies).toEqual([]);
      const otherRule = await key(
        'alias/rule-to-queue-other',
        accountRoot(logArchive),
        eventBridgeStatement(`arn:aws:events:${region}:${logArchive}:rule/another-rule`),
      );
      expect(await deliveredByRule(otherRule, 'rule-to-queue-other', rule)).toEqual([
        expect.stringMatching(/not authorized/),
      ]);
    },
  ],
  accepts: [
    "the key policy's statement for events.amazonaws.com held to this rule (as stacks/secure-key.ts allowEventBridgeRules writes it): the event arrives",
    async () => {
      const rule = `arn:aws:events:${region}:${logArchive}:rule/to-encrypted-queue`;
      const keyArn = await key(
        'alias/rule-to-queue-allowed',
        accountRoot(logArchive),
        eventBridgeStatement(rule),
      );
      expect(await deliveredByRule(keyArn, 'rule-to-queue-allowed', rule)).toEqual([
        'sent',
        '{"detail-type":"Object Created"}',
      ]);
    },
  ],
});

/** The key policy statement stacks/secure-key.ts allowCloudWatchLogs synthesizes. */
const logsStatement = (groups = `arn:aws:logs:${region}:${logArchive}:log-group:*`) => ({
  Effect: 'Allow',
  Principal: { Service: `logs.${region}.amazonaws.com` },
  Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  Resource: '*',
  Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': groups } },
});

const logsGuide =
  'CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management Service": "CloudWatch Logs now supports encryption context, using kms:EncryptionContext:aws:logs:arn as the key and the ARN of the log group as the value for that key"; its key policy lets the service principal logs.<region>.amazonaws.com use the key';

const createGroup = (logGroupName: string, kmsKeyId: string) =>
  world.as(CloudWatchLogsClient, logArchive).send(new CreateLogGroupCommand({ logGroupName, kmsKeyId }));

conformance('logs:CreateLogGroup', {
  behaviour:
    "a log group's key must let CloudWatch Logs (logs.<region>.amazonaws.com) use it for that group; a missing or disabled key is an invalid parameter",
  source: `${logsGuide}; CloudWatch Logs API Reference, CreateLogGroup: "If you attempt to associate a KMS key with the log group but the KMS key does not exist or the KMS key is disabled, you receive an InvalidParameterException error." AWS answers a key whose policy does not let CloudWatch Logs use it with AccessDeniedException "The specified KMS key does not exist or is not allowed to be used with Arn '<log group ARN>'" (no guide quotes it: the service's own message)`,
  refuses: [
    'a key whose policy names the account only, one whose CloudWatch Logs statement names another group, and a key that does not exist',
    async () => {
      const rootOnly = await key('alias/logs-root-only', accountRoot(logArchive));
      await expect(createGroup('/logwarden/kms-a', rootOnly)).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining(`log-group:/logwarden/kms-a'`),
      });
      const otherGroup = await key(
        'alias/logs-other-group',
        accountRoot(logArchive),
        logsStatement(`arn:aws:logs:${region}:${logArchive}:log-group:/elsewhere/*`),
      );
      await expect(createGroup('/logwarden/kms-a', otherGroup)).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      const missing = `arn:aws:kms:${region}:${logArchive}:key/00000000-0000-4000-8000-000000000000`;
      await expect(createGroup('/logwarden/kms-a', missing)).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    },
  ],
  accepts: [
    "a key with the statement stacks/secure-key.ts allowCloudWatchLogs synthesizes (this account's groups as encryption context)",
    async () => {
      const allowed = await key('alias/logs-allowed', accountRoot(logArchive), logsStatement());
      await expect(createGroup('/logwarden/kms-a', allowed)).resolves.toBeDefined();
    },
  ],
});

conformance('logs:PutLogEvents', {
  behaviour:
    'a write into a group under a customer managed key needs the key policy to let CloudWatch Logs encrypt',
  source: `${logsGuide}. AWS documents no error for a key policy changed after the association: the stand-in refuses the write with CreateLogGroup's AccessDeniedException (the stricter answer)`,
  refuses: [
    'a write after the key policy lost its CloudWatch Logs statement',
    async () => {
      const keyArn = await keyArnOf('alias/logs-allowed');
      const logs = world.as(CloudWatchLogsClient, logArchive);
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/logwarden/kms-a', logStreamName: 's' }));
      await world.as(KMSClient, logArchive).send(
        new PutKeyPolicyCommand({
          KeyId: keyArn,
          PolicyName: 'default',
          Policy: doc(accountRoot(logArchive)),
        }),
      );
      await expect(logs.send(oneEvent('/logwarden/kms-a', 's', 'x'))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    },
  ],
  accepts: [
    'the same write once the statement is back',
    async () => {
      const keyArn = await keyArnOf('alias/logs-allowed');
      await world.as(KMSClient, logArchive).send(
        new PutKeyPolicyCommand({
          KeyId: keyArn,
          PolicyName: 'default',
          Policy: doc(accountRoot(logArchive), logsStatement()),
          BypassPolicyLockoutSafetyCheck: true,
        }),
      );
      await expect(
        world.as(CloudWatchLogsClient, logArchive).send(oneEvent('/logwarden/kms-a', 's', 'x')),
      ).resolves.toBeDefined();
    },
  ],
});

/** A table of the log-archive account encrypted with `keyArn`, as the alert dedupe table is. */
async function encryptedTable(TableName: string, keyArn: string): Promise<string> {
  await world.as(DynamoDBClient, logArchive).send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    }),
  );
  return `arn:aws:dynamodb:${region}:${logArchive}:table/${TableName}`;
}

const dynamodbDecrypt =
  'KMS Developer Guide, "How Amazon DynamoDB uses AWS KMS", "Decrypt": "When you access an encrypted DynamoDB table, DynamoDB needs to decrypt the table key so that it can decrypt the keys below it in the hierarchy. [...] DynamoDB sends a Decrypt request to AWS KMS that specifies the KMS key for the table. [...] The user is the principal in your AWS account who is accessing the table"; "DynamoDB encryption context": aws:dynamodb:tableName and aws:dynamodb:subscriberId. DynamoDB caches the table key for five minutes ("Table key caching"): the stand-in asks on every request (the stricter answer); the DynamoDB model lists no KMS error, the refusal is AccessDeniedException';

const putItem = (credentials: Credentials, TableName: string) =>
  outcome(
    world
      .with(DynamoDBClient, credentials)
      .send(new PutItemCommand({ TableName, Item: { pk: { S: 'alert#1' } } })),
  );

conformance('dynamodb:PutItem', {
  behaviour:
    'a writer of a table encrypted with a customer managed key needs kms:Decrypt on it through DynamoDB (the table key is decrypted for the caller)',
  source: dynamodbDecrypt,
  refuses: [
    'a role allowed dynamodb:PutItem only, and one allowed kms:GenerateDataKey and kms:Encrypt but not kms:Decrypt',
    async () => {
      const keyArn = await key('alias/state-like', accountRoot(logArchive));
      const table = await encryptedTable('dedupe-like', keyArn);
      for (const extra of [[], [allow(['kms:GenerateDataKey', 'kms:Encrypt'], keyArn)]]) {
        const writer = await roleSession(logArchive, [allow('dynamodb:PutItem', table), ...extra]);
        expect(await putItem(writer.credentials, 'dedupe-like')).toBe('AccessDeniedException');
      }
    },
  ],
  accepts: [
    'a role allowed kms:Decrypt through DynamoDB for this table (kms:ViaService and the encryption context)',
    async () => {
      const keyArn = await keyArnOf('alias/state-like');
      const table = `arn:aws:dynamodb:${region}:${logArchive}:table/dedupe-like`;
      const writer = await roleSession(logArchive, [
        allow('dynamodb:PutItem', table),
        allow('kms:Decrypt', keyArn, {
          StringEquals: {
            'kms:ViaService': `dynamodb.${region}.amazonaws.com`,
            'kms:EncryptionContext:aws:dynamodb:tableName': 'dedupe-like',
          },
        }),
      ]);
      expect(await putItem(writer.credentials, 'dedupe-like')).toBe('ok');
    },
  ],
});

conformance('dynamodb:Scan', {
  behaviour:
    'a reader of a table encrypted with a customer managed key needs kms:Decrypt on it through DynamoDB',
  source: dynamodbDecrypt,
  refuses: [
    'a role allowed dynamodb:Scan only',
    async () => {
      const table = `arn:aws:dynamodb:${region}:${logArchive}:table/dedupe-like`;
      const reader = await roleSession(logArchive, [allow('dynamodb:Scan', table)]);
      expect(
        await outcome(
          world.with(DynamoDBClient, reader.credentials).send(new ScanCommand({ TableName: 'dedupe-like' })),
        ),
      ).toBe('AccessDeniedException');
    },
  ],
  accepts: [
    'the same role allowed kms:Decrypt through DynamoDB: it reads the item written',
    async () => {
      const keyArn = await keyArnOf('alias/state-like');
      const table = `arn:aws:dynamodb:${region}:${logArchive}:table/dedupe-like`;
      const reader = await roleSession(logArchive, [
        allow('dynamodb:Scan', table),
        allow('kms:Decrypt', keyArn, {
          StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
        }),
      ]);
      const res = await world
        .with(DynamoDBClient, reader.credentials)
        .send(new ScanCommand({ TableName: 'dedupe-like' }));
      expect(res.Items?.map((i) => i.pk?.S)).toEqual(['alert#1']);
    },
  ],
});

/** `dynamodb:<action>` on the dedupe-like table by a role allowed it, with `withDecrypt` or not. */
async function itemCall(
  action: string,
  withDecrypt: boolean,
  send: (client: DynamoDBClient) => Promise<unknown>,
): Promise<string> {
  const table = `arn:aws:dynamodb:${region}:${logArchive}:table/dedupe-like`;
  const keyArn = await keyArnOf('alias/state-like');
  const role = await roleSession(logArchive, [
    allow(action, table),
    ...(withDecrypt
      ? [
          allow('kms:Decrypt', keyArn, {
            StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
          }),
        ]
      : []),
  ]);
  return outcome(send(world.with(DynamoDBClient, role.credentials)));
}

const getItem = (c: DynamoDBClient) =>
  c.send(new GetItemCommand({ TableName: 'dedupe-like', Key: { pk: { S: 'alert#1' } } }));
const updateItem = (c: DynamoDBClient) =>
  c.send(
    new UpdateItemCommand({
      TableName: 'dedupe-like',
      Key: { pk: { S: 'alert#1' } },
      UpdateExpression: 'SET alerted = :t',
      ExpressionAttributeValues: { ':t': { BOOL: true } },
    }),
  );
const deleteItem = (c: DynamoDBClient) =>
  c.send(new DeleteItemCommand({ TableName: 'dedupe-like', Key: { pk: { S: 'alert#1' } } }));

conformance('dynamodb:GetItem', {
  behaviour: "the alerter's read of a held claim needs kms:Decrypt on the table's key through DynamoDB",
  source: dynamodbDecrypt,
  refuses: [
    'a role allowed dynamodb:GetItem only',
    async () => expect(await itemCall('dynamodb:GetItem', false, getItem)).toBe('AccessDeniedException'),
  ],
  accepts: [
    'the role allowed kms:Decrypt through DynamoDB too',
    async () => expect(await itemCall('dynamodb:GetItem', true, getItem)).toBe('ok'),
  ],
});

conformance('dynamodb:UpdateItem', {
  behaviour: "the alerter's mark and the indexer's last-seen update need kms:Decrypt on the table's key",
  source: dynamodbDecrypt,
  refuses: [
    'a role allowed dynamodb:UpdateItem only',
    async () =>
      expect(await itemCall('dynamodb:UpdateItem', false, updateItem)).toBe('AccessDeniedException'),
  ],
  accepts: [
    'the role allowed kms:Decrypt through DynamoDB too',
    async () => expect(await itemCall('dynamodb:UpdateItem', true, updateItem)).toBe('ok'),
  ],
});

conformance('dynamodb:DeleteItem', {
  behaviour: "the alerter's release of a claim needs kms:Decrypt on the table's key",
  source: dynamodbDecrypt,
  refuses: [
    'a role allowed dynamodb:DeleteItem only',
    async () =>
      expect(await itemCall('dynamodb:DeleteItem', false, deleteItem)).toBe('AccessDeniedException'),
  ],
  accepts: [
    'the role allowed kms:Decrypt through DynamoDB too',
    async () => expect(await itemCall('dynamodb:DeleteItem', true, deleteItem)).toBe('ok'),
  ],
});

const grants =
  'KMS Developer Guide, "Grants in AWS KMS": "When you create a grant for a KMS key, the grant allows the grantee principal to call the specified grant operations on the KMS key provided that all conditions specified in the grant are met"; "Principals who get kms:CreateGrant permission from a policy can create grants for any grant operation on the KMS key [...] When you allow kms:CreateGrant permission in a policy, you can use policy conditions to limit this permission"; "AWS KMS condition keys", kms:GrantOperations';

conformance('kms:CreateGrant', {
  behaviour:
    'creating a grant needs kms:CreateGrant (kms:GrantOperations evaluated); a grant lets its grantee use the key through a service, within its encryption context constraint',
  source: `${grants}. A grant to an account, and a grant against an explicit Deny, are not taken to allow (AWS documents neither: the stricter answer). AWS documents no encryption context for SQS's KMS requests, so a constraint on one is not met (the stricter answer)`,
  refuses: [
    "a role allowed kms:CreateGrant for Decrypt only asking for Decrypt and Encrypt; a consumer whose grant's encryption context constraint names the queue as aws:sqs:arn",
    async () => {
      const keyArn = await keyArnOf('alias/queue-like');
      const granter = await roleSession(logArchive, [
        allow('kms:CreateGrant', keyArn, {
          'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] },
        }),
      ]);
      const consumer = await roleSession(logArchive, [
        allow('sqs:ReceiveMessage', `arn:aws:sqs:${region}:${logArchive}:queue-like`),
      ]);
      expect(
        await outcome(
          world.with(KMSClient, granter.credentials).send(
            new CreateGrantCommand({
              KeyId: keyArn,
              GranteePrincipal: consumer.arn,
              Operations: ['Decrypt', 'Encrypt'],
            }),
          ),
        ),
      ).toBe('AccessDeniedException');
      await world.with(KMSClient, granter.credentials).send(
        new CreateGrantCommand({
          KeyId: keyArn,
          GranteePrincipal: consumer.arn,
          Operations: ['Decrypt'],
          Constraints: {
            EncryptionContextSubset: { 'aws:sqs:arn': `arn:aws:sqs:${region}:${logArchive}:queue-like` },
          },
        }),
      );
      const QueueUrl = `https://sqs.${region}.amazonaws.com/${logArchive}/queue-like`;
      expect(
        await outcome(
          world.with(SQSClient, consumer.credentials).send(new ReceiveMessageCommand({ QueueUrl })),
        ),
      ).toBe('KmsAccessDenied');
    },
  ],
  accepts: [
    'the same role creating a Decrypt grant for a consumer, with no constraint: the consumer, with no KMS permission in IAM, receives',
    async () => {
      const keyArn = await keyArnOf('alias/queue-like');
      const granter = await roleSession(logArchive, [
        allow('kms:CreateGrant', keyArn, {
          'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] },
        }),
      ]);
      const consumer = await roleSession(logArchive, [
        allow('sqs:ReceiveMessage', `arn:aws:sqs:${region}:${logArchive}:queue-like`),
      ]);
      await world.with(KMSClient, granter.credentials).send(
        new CreateGrantCommand({
          KeyId: keyArn,
          GranteePrincipal: consumer.arn,
          Operations: ['Decrypt'],
        }),
      );
      const QueueUrl = `https://sqs.${region}.amazonaws.com/${logArchive}/queue-like`;
      expect(
        await outcome(
          world.with(SQSClient, consumer.credentials).send(new ReceiveMessageCommand({ QueueUrl })),
        ),
      ).toBe('ok');
    },
  ],
});

const kmsPolicyModel =
  'botocore, CreateKeyRequest.Policy (and PutKeyPolicyRequest.Policy): "The key policy must allow the calling principal to make a subsequent PutKeyPolicy request on the KMS key. ... (To omit this condition, set BypassPolicyLockoutSafetyCheck to true.)" "Each statement in the key policy must contain one or more principals. The principals in the key policy must exist and be visible to KMS." Refused as MalformedPolicyDocumentException, "The request was rejected because the specified policy is not syntactically or semantically correct"';

const createKey = (client: KMSClient, statements: object[], bypass = false) =>
  client.send(
    new CreateKeyCommand({ Policy: doc(...statements), BypassPolicyLockoutSafetyCheck: bypass || undefined }),
  );

conformance('kms:CreateKey', {
  behaviour: 'every statement of the key policy has a principal, and the IAM roles and users it names exist',
  source: `${kmsPolicyModel}; KMS answers "Policy contains a statement with one or more invalid principals."`,
  refuses: [
    'a policy naming a role that does not exist, and a statement without a principal (even with the lockout check bypassed)',
    async () => {
      const root = world.as(KMSClient, member);
      await expect(
        createKey(
          root,
          [
            accountRoot(member),
            { ...accountRoot(member), Principal: { AWS: `arn:aws:iam::${member}:role/nobody` } },
          ],
          true,
        ),
      ).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
        message: 'Policy contains a statement with one or more invalid principals.',
      });
      await expect(
        createKey(
          root,
          [accountRoot(member), { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
          true,
        ),
      ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    },
  ],
  accepts: [
    'a policy naming an existing role, and one naming a role only in an aws:PrincipalArn condition (no principal, so it need not exist)',
    async () => {
      const root = world.as(KMSClient, member);
      await expect(
        createKey(root, [
          accountRoot(member),
          { ...accountRoot(member), Principal: { AWS: `arn:aws:iam::${member}:role/someone-else` } },
        ]),
      ).resolves.toBeDefined();
      await expect(
        createKey(root, [
          accountRoot(member),
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${member}:role/not-created-yet` } },
          },
        ]),
      ).resolves.toBeDefined();
    },
  ],
});

conformance('kms:PutKeyPolicy', {
  behaviour:
    'the new key policy must let the caller make a later PutKeyPolicy, unless the lockout check is bypassed',
  source: `${kmsPolicyModel}; KMS answers "The new key policy will not allow you to update the key policy in the future." KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key."`,
  refuses: [
    'a policy naming only another role, from the root user and from a role allowed kms:* by IAM; and CreateKey with it',
    async () => {
      const only = [
        { ...accountRoot(member), Principal: { AWS: `arn:aws:iam::${member}:role/someone-else` } },
      ];
      const lockout = {
        name: 'MalformedPolicyDocumentException',
        message: 'The new key policy will not allow you to update the key policy in the future.',
      };
      const root = world.as(KMSClient, member);
      await expect(createKey(root, only)).rejects.toMatchObject(lockout);
      await expect(createKey(kms, only)).rejects.toMatchObject(lockout);
      const KeyId = (await createKey(root, [accountRoot(member)])).KeyMetadata!.KeyId!;
      await expect(
        kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: doc(...only) })),
      ).rejects.toMatchObject(lockout);
      const { credentials } = await world.roleSession(member, 'conformance-kms-no-iam', [
        { Effect: 'Allow', Action: ['kms:CreateKey', 'kms:DescribeKey'], Resource: '*' },
      ]);
      // Named through the account only, a caller whose IAM policies do not allow kms:PutKeyPolicy could not make it.
      await expect(
        createKey(new KMSClient({ region, endpoint: world.moto.endpoint, credentials }), [
          accountRoot(member),
        ]),
      ).rejects.toMatchObject(lockout);
    },
  ],
  accepts: [
    'the same with BypassPolicyLockoutSafetyCheck, and a policy naming the account (the default key policy) without it',
    async () => {
      const only = [
        { ...accountRoot(member), Principal: { AWS: `arn:aws:iam::${member}:role/someone-else` } },
      ];
      const KeyId = (await createKey(kms, [accountRoot(member)])).KeyMetadata!.KeyId!;
      await expect(
        kms.send(
          new PutKeyPolicyCommand({
            KeyId,
            PolicyName: 'default',
            Policy: doc(...only),
            BypassPolicyLockoutSafetyCheck: true,
          }),
        ),
      ).resolves.toBeDefined();
      await expect(createKey(kms, only, true)).resolves.toBeDefined();
    },
  ],
});

conformance('kms:DescribeKey', {
  behaviour: 'a key policy Allow for "*" grants a role of the account that no IAM policy allows the key',
  source:
    'KMS Developer Guide, "Determining access to a KMS key", key policies: "An asterisk gives every identity in every AWS account permission to use the KMS key, unless another policy statement explicitly denies it."',
  refuses: [
    'the same role when another statement of the key policy explicitly denies it',
    async () => {
      const bare = await world.roleSession(member, 'conformance-kms-anyone-denied', [
        { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      ]);
      const KeyId = (
        await createKey(world.as(KMSClient, member), [
          accountRoot(member),
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:DescribeKey', Resource: '*' },
          { Effect: 'Deny', Principal: { AWS: bare.arn }, Action: 'kms:DescribeKey', Resource: '*' },
        ])
      ).KeyMetadata!.KeyId!;
      await expect(
        world.with(KMSClient, bare.credentials).send(new DescribeKeyCommand({ KeyId })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    },
  ],
  accepts: [
    'a role with no KMS permission in IAM, by the "*" statement alone',
    async () => {
      const bare = await world.roleSession(member, 'conformance-kms-anyone', [
        { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      ]);
      const KeyId = (
        await createKey(world.as(KMSClient, member), [
          accountRoot(member),
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:DescribeKey', Resource: '*' },
        ])
      ).KeyMetadata!.KeyId!;
      await expect(
        world.with(KMSClient, bare.credentials).send(new DescribeKeyCommand({ KeyId })),
      ).resolves.toBeDefined();
    },
  ],
});
