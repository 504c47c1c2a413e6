/**
 * Wire types on the stand-in (local/standins/validate.py): a member sent with another type than
 * its shape's is refused, as the protocol reads it, before any constraint. The SDK never sends
 * such a request, so each refusal is the SDK's own request with its serialized body rewritten
 * (before signing), and each acceptance the SDK's request as it is.
 *
 * The protocols' texts (Smithy, the specification of AWS's protocols):
 * - "AWS JSON 1.0/1.1 protocol", "Shape serialization": boolean "JSON boolean", integer and long
 *   "JSON number", timestamp "JSON number (default). This protocol uses epoch-seconds", list
 *   "JSON array". AWS's JSON services answer a body they cannot read with SerializationException,
 *   which no botocore model lists (e.g. amazon-cognito-identity-js issue #485: "I triggered this
 *   exception by submitting a boolean instead of a string").
 * - "AWS query protocol" (and EC2 query), "x-www-form-urlencoded shape serialization": boolean
 *   "Text value of either "true" or "false"". AWS documents no answer for another text: the
 *   stricter answer, the service's validation error (EC2 InvalidParameterValue, "The value
 *   supplied for a parameter was not valid", EC2 API Reference, "Error codes").
 */
import { CreateTrailCommand, CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { conformance } from './conformance';
import { World, logArchive, region } from './world';

let world: World;

beforeAll(async () => {
  world = await World.start();
  await world.organization();
}, 60_000);
afterAll(() => world?.stop());

type Handler = (args: { request: unknown }) => Promise<unknown>;
interface Rewritable {
  // The SDK's middleware types differ per client; this helper only rewrites the body.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: { add: (middleware: any, options: { step: 'build'; name: string }) => void };
}

/** `client`, whose serialized request body `rewrite` changes before it is signed. */
function rewriting<C extends Rewritable>(client: C, rewrite: (body: string) => string): C {
  client.middlewareStack.add(
    (next: Handler) => async (args: { request: unknown }) => {
      const request = args.request as { body: string | Uint8Array; headers: Record<string, string> };
      const sent = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      request.body = rewrite(sent);
      request.headers['content-length'] = String(Buffer.byteLength(request.body));
      return next(args);
    },
    { step: 'build', name: 'rewriteBody' },
  );
  return client;
}

/** A JSON body with `member` set to `value`. */
const jsonMember = (member: string, value: unknown) => (body: string) =>
  JSON.stringify({ ...(JSON.parse(body) as object), [member]: value });

async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (e: Error) => e.name,
  );
}

const smithyJson = 'Smithy, "AWS JSON 1.1 protocol", "Shape serialization"';

conformance('dynamodb:CreateTable', {
  behaviour: 'a boolean member sent as a JSON string or number is not read',
  source: `botocore dynamodb model: CreateTableInput.DeletionProtectionEnabled is a DeletionProtectionEnabled, "type":"boolean"; ${smithyJson} (awsJson1_0 alike): boolean "JSON boolean"`,
  refuses: [
    'DeletionProtectionEnabled "true" and 1',
    async () => {
      for (const value of ['true', 1]) {
        const dynamodb = rewriting(
          world.as(DynamoDBClient, logArchive),
          jsonMember('DeletionProtectionEnabled', value),
        );
        expect(
          await outcome(
            dynamodb.send(
              new CreateTableCommand({
                TableName: 'types-ledger',
                AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
                KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
                BillingMode: 'PAY_PER_REQUEST',
              }),
            ),
          ),
        ).toBe('SerializationException');
      }
    },
  ],
  accepts: [
    'DeletionProtectionEnabled true, as the SDK sends it',
    async () => {
      const res = await world.as(DynamoDBClient, logArchive).send(
        new CreateTableCommand({
          TableName: 'types-ledger',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          DeletionProtectionEnabled: true,
        }),
      );
      expect(res.TableDescription?.DeletionProtectionEnabled).toBe(true);
    },
  ],
});

conformance('cloudtrail:CreateTrail', {
  behaviour: 'a boolean member sent as a JSON string is not read',
  source: `botocore cloudtrail model: CreateTrailRequest.IsMultiRegionTrail is a Boolean, "type":"boolean"; ${smithyJson}: boolean "JSON boolean"`,
  refuses: [
    'IsMultiRegionTrail "true"',
    async () => {
      await world.as(S3Client, logArchive).send(
        new CreateBucketCommand({
          Bucket: 'types-trail',
          CreateBucketConfiguration: { LocationConstraint: region },
        }),
      );
      const cloudtrail = rewriting(
        world.as(CloudTrailClient, logArchive),
        jsonMember('IsMultiRegionTrail', 'true'),
      );
      expect(
        await outcome(
          cloudtrail.send(new CreateTrailCommand({ Name: 'types-trail', S3BucketName: 'types-trail' })),
        ),
      ).toBe('SerializationException');
    },
  ],
  accepts: [
    'IsMultiRegionTrail true',
    async () => {
      const res = await world.as(CloudTrailClient, logArchive).send(
        new CreateTrailCommand({
          Name: 'types-trail',
          S3BucketName: 'types-trail',
          IsMultiRegionTrail: true,
        }),
      );
      expect(res.IsMultiRegionTrail).toBe(true);
    },
  ],
});

conformance('cloudtrail:DescribeTrails', {
  behaviour: 'a list member sent as a JSON string is not read (moto read it character by character)',
  source: `botocore cloudtrail model: DescribeTrailsRequest.trailNameList is a TrailNameList, "type":"list"; ${smithyJson}: list "JSON array"`,
  refuses: [
    'trailNameList "types-trail"',
    async () => {
      const cloudtrail = rewriting(
        world.as(CloudTrailClient, logArchive),
        jsonMember('trailNameList', 'types-trail'),
      );
      expect(await outcome(cloudtrail.send(new DescribeTrailsCommand({})))).toBe('SerializationException');
    },
  ],
  accepts: [
    'trailNameList ["types-trail"]',
    async () => {
      const res = await world
        .as(CloudTrailClient, logArchive)
        .send(new DescribeTrailsCommand({ trailNameList: ['types-trail'] }));
      expect(res.trailList?.map((t) => t.Name)).toEqual(['types-trail']);
    },
  ],
});

conformance('logs:PutRetentionPolicy', {
  behaviour: 'an integer member sent as a JSON string, a fraction, or beyond 32 bits is not read',
  source: `botocore logs model: PutRetentionPolicyRequest.retentionInDays is a Days, "type":"integer"; ${smithyJson}: integer "JSON number"; Smithy, "Simple types": integer "32-bit signed integer ranging from -2^31 to (2^31)-1"`,
  refuses: [
    'retentionInDays "30", 30.5 and 2147483648 (moto read them as 30, 30 and a number)',
    async () => {
      await world
        .as(CloudWatchLogsClient, logArchive)
        .send(new CreateLogGroupCommand({ logGroupName: '/types/group' }));
      for (const value of ['30', 30.5, 2 ** 31]) {
        const logs = rewriting(
          world.as(CloudWatchLogsClient, logArchive),
          jsonMember('retentionInDays', value),
        );
        expect(
          await outcome(
            logs.send(new PutRetentionPolicyCommand({ logGroupName: '/types/group', retentionInDays: 30 })),
          ),
        ).toBe('SerializationException');
      }
    },
  ],
  accepts: [
    'retentionInDays 30',
    async () => {
      expect(
        await outcome(
          world
            .as(CloudWatchLogsClient, logArchive)
            .send(new PutRetentionPolicyCommand({ logGroupName: '/types/group', retentionInDays: 30 })),
        ),
      ).toBe('ok');
    },
  ],
});

conformance('kinesis:GetShardIterator', {
  behaviour: 'a timestamp member sent as a date-time string is not read (epoch seconds only)',
  source: `botocore kinesis model: GetShardIteratorInput.Timestamp is a Timestamp, "type":"timestamp", no timestampFormat; ${smithyJson}: timestamp "JSON number (default). This protocol uses epoch-seconds, also known as Unix timestamps, in JSON payloads represented as a double"`,
  refuses: [
    'Timestamp "2026-01-01T00:00:00Z"',
    async () => {
      const kinesis = world.as(KinesisClient, logArchive);
      await kinesis.send(new CreateStreamCommand({ StreamName: 'types', ShardCount: 1 }));
      await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'types' }));
      const rewritten = rewriting(
        world.as(KinesisClient, logArchive),
        jsonMember('Timestamp', '2026-01-01T00:00:00Z'),
      );
      expect(
        await outcome(
          rewritten.send(
            new GetShardIteratorCommand({
              StreamName: 'types',
              ShardId: 'shardId-000000000000',
              ShardIteratorType: 'AT_TIMESTAMP',
              Timestamp: new Date('2026-01-01T00:00:00Z'),
            }),
          ),
        ),
      ).toBe('SerializationException');
    },
  ],
  accepts: [
    'Timestamp as epoch seconds, as the SDK sends a Date',
    async () => {
      const res = await world.as(KinesisClient, logArchive).send(
        new GetShardIteratorCommand({
          StreamName: 'types',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'AT_TIMESTAMP',
          Timestamp: new Date('2026-01-01T00:00:00Z'),
        }),
      );
      expect(res.ShardIterator).toBeTruthy();
    },
  ],
});

conformance('sns:Subscribe', {
  behaviour: 'a query boolean other than "true" or "false" is refused (moto read it as false)',
  source:
    'botocore sns model: SubscribeInput.ReturnSubscriptionArn is a boolean; Smithy, "AWS query protocol", "x-www-form-urlencoded shape serialization": boolean "Text value of either "true" or "false"". AWS documents no answer for another text: the stricter answer, the query validation error',
  refuses: [
    'ReturnSubscriptionArn=yes',
    async () => {
      const topic = await world.as(SNSClient, logArchive).send(new CreateTopicCommand({ Name: 'types' }));
      await world.as(SQSClient, logArchive).send(new CreateQueueCommand({ QueueName: 'types' }));
      const sns = rewriting(world.as(SNSClient, logArchive), (body) =>
        body.replace('ReturnSubscriptionArn=true', 'ReturnSubscriptionArn=yes'),
      );
      expect(
        await outcome(
          sns.send(
            new SubscribeCommand({
              TopicArn: topic.TopicArn,
              Protocol: 'sqs',
              Endpoint: `arn:aws:sqs:${region}:${logArchive}:types`,
              ReturnSubscriptionArn: true,
            }),
          ),
        ),
      ).toBe('ValidationError');
    },
  ],
  accepts: [
    'ReturnSubscriptionArn=true: the subscription ARN is returned',
    async () => {
      const res = await world.as(SNSClient, logArchive).send(
        new SubscribeCommand({
          TopicArn: `arn:aws:sns:${region}:${logArchive}:types`,
          Protocol: 'sqs',
          Endpoint: `arn:aws:sqs:${region}:${logArchive}:types`,
          ReturnSubscriptionArn: true,
        }),
      );
      expect(res.SubscriptionArn).toMatch(/^arn:aws:sns:.*:types:/);
    },
  ],
});

conformance('ec2:DescribeFlowLogs', {
  behaviour: 'an EC2 query boolean other than "true" or "false" is refused (moto read it as false)',
  source:
    'botocore ec2 model: DescribeFlowLogsRequest.DryRun is a Boolean; Smithy, "AWS EC2 query protocol": boolean "Text value of either "true" or "false""; EC2 API Reference, "Error codes": InvalidParameterValue "The value supplied for a parameter was not valid"',
  refuses: [
    'DryRun=yes',
    async () => {
      const ec2 = rewriting(world.as(EC2Client, logArchive), (body) =>
        body.replace('DryRun=false', 'DryRun=yes'),
      );
      expect(await outcome(ec2.send(new DescribeFlowLogsCommand({ DryRun: false })))).toBe(
        'InvalidParameterValue',
      );
    },
  ],
  accepts: [
    'DryRun=false',
    async () => {
      const res = await world.as(EC2Client, logArchive).send(new DescribeFlowLogsCommand({ DryRun: false }));
      expect(res.FlowLogs).toEqual([]);
    },
  ],
});
