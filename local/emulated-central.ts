import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { physicalName, resolveValue, type CfnTemplate } from './asl';

/** Where clients act: a region, and an account's credentials (the environment's when absent). */
export interface Where {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** An SQS queue subscribed to a topic (raw delivery), so what it publishes can be read back. */
export async function readBackQueue(where: Where, topicArn: string, queueName: string): Promise<string> {
  const sns = new SNSClient(where);
  const sqs = new SQSClient(where);
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
  return queueUrl;
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
 * What the local run reads back from the central stack once it is deployed from its template
 * (local/template-deployer.ts): a queue subscribed to the alert topic (raw delivery) to read the
 * alerts back, and the alert dedupe table's name as the stack named it.
 */
export async function centralReadBack(
  central: CfnTemplate,
  where: Where & { region: string },
  account: string,
): Promise<{ alertsQueueUrl: string; dedupeTable: string }> {
  const ofType = (type: string) => Object.entries(central.Resources).filter(([, r]) => r.Type === type);
  const [topic] = ofType('AWS::SNS::Topic');
  if (!topic) throw new Error('the central template has no SNS topic');
  const topicArn = resolveValue(central, { Ref: topic[0] }, where.region, account);
  const queueUrl = await readBackQueue(where, topicArn, 'logwarden-alerts-read-back');
  const dedupe = ofType('AWS::DynamoDB::Table').find(([id]) => id.includes('AlertDedupe'));
  if (!dedupe) throw new Error('the central template has no alert dedupe table');
  return { alertsQueueUrl: queueUrl, dedupeTable: physicalName(central, dedupe[0]) };
}
