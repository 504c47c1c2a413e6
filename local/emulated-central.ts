import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateDatabaseCommand,
  CreateTableCommand as CreateGlueTableCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createClient } from '../functions/shared/clients';
import { names } from '../contracts/names';
import type { CfnTemplate } from './asl';

/** Where clients act: a region, and an account's credentials (the environment's when absent). */
export interface Where {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A topic with an SQS queue subscribed (raw delivery), so what it publishes can be read back. */
export async function topicWithReadBackQueue(
  where: Where,
  topicName: string,
  queueName: string,
): Promise<{ topicArn: string; queueUrl: string }> {
  const sns = new SNSClient(where);
  const sqs = new SQSClient(where);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return { topicArn, queueUrl };
}

/** Every message waiting in a queue. */
export async function readQueue(where: Where, queueUrl: string): Promise<string[]> {
  const sqs = new SQSClient(where);
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!res.Messages?.length) break;
    out.push(...res.Messages.map((m) => m.Body ?? ''));
  }
  return out;
}

/**
 * The central stream in the client's account and region, created (2 shards) unless it exists,
 * once it is ACTIVE. The log-archive destinations' set-up (local/scenario/prerequisites.ts) and
 * the central stack's stand-in both need it; whichever runs first creates it.
 */
export async function ensureCentralStream(kinesis: KinesisClient): Promise<void> {
  const status = () =>
    kinesis.send(new DescribeStreamSummaryCommand({ StreamName: names.centralStream })).then(
      (out) => out.StreamDescriptionSummary?.StreamStatus,
      (err: Error) => {
        if (err.name === 'ResourceNotFoundException') return undefined;
        throw err;
      },
    );
  if ((await status()) === undefined)
    await kinesis.send(new CreateStreamCommand({ StreamName: names.centralStream, ShardCount: 2 }));
  for (let i = 0; i < 50 && (await status()) !== 'ACTIVE'; i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * The lake's Glue database and table, as CloudFormation creates the template's
 * AWS::Glue::Database and AWS::Glue::Table: their DatabaseInput and TableInput are the
 * CreateDatabase and CreateTable inputs (both literal in the template: no second copy of the DDL).
 */
export async function createLakeTable(central: CfnTemplate, where: Where): Promise<void> {
  const glue = new GlueClient(where);
  const of = (type: string) => Object.values(central.Resources).filter((r) => r.Type === type);
  for (const database of of('AWS::Glue::Database'))
    await glue.send(
      new CreateDatabaseCommand({ DatabaseInput: database.Properties!.DatabaseInput as never }),
    );
  for (const table of of('AWS::Glue::Table'))
    await glue.send(
      new CreateGlueTableCommand({
        DatabaseName: table.Properties!.DatabaseName as string,
        TableInput: table.Properties!.TableInput as never,
      }),
    );
}

/**
 * What the central stack would have deployed in the log-archive account, on the stand-in: the
 * stream, an archive bucket, the lake's Glue database and table, its DynamoDB tables (key schemas from the synthesized template,
 * named by their logical ids as the local run resolves the references) and the alert topic with a
 * queue to read the alerts back.
 */
export async function deployCentralResources(
  central: CfnTemplate,
  where: Where,
  bucket: string,
): Promise<{ alertsQueueUrl: string; dedupeTable: string }> {
  const region = where.region ?? (process.env.AWS_REGION as string);
  const kinesis = createClient(KinesisClient, {
    region,
    http1: true,
    credentials: where.credentials ? async () => where.credentials! : undefined,
  });
  await ensureCentralStream(kinesis);
  await new S3Client(where).send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
    }),
  );
  // Every table of the template (the alert dedupe and last-seen tables), each named by its logical id.
  const tables = Object.entries(central.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table');
  for (const [name, table] of tables) {
    const p = table.Properties as Record<string, never>;
    await new DynamoDBClient(where).send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  await createLakeTable(central, where);
  const [dedupeTable] = tables.find(([name]) => name.includes('AlertDedupe'))!;
  const { queueUrl } = await topicWithReadBackQueue(where, 'logwarden-alerts', 'logwarden-alerts-read-back');
  return { alertsQueueUrl: queueUrl, dedupeTable };
}
