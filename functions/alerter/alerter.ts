import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { decodeCwlBase64, isControlMessage } from '../shared/cwl-payload';
import type { FlowLogFormatRegistry } from '../shared/flow-log-formats';
import { normalizePayload } from '../shared/normalize';
import type { OcsfDocument } from '../shared/ocsf/document';
import { executionName, startNamedExecution } from '../shared/start-execution';
import { isCoverageTamper } from '../shared/tamper';
import { describeTamper } from './describe-tamper';

export interface AlerterDeps {
  sns: SNSClient;
  sfn: SFNClient;
  ddb: DynamoDBClient;
  topicArn: string;
  /** The cover-account-region state machine in the control-plane account. */
  stateMachineArn: string;
  dedupeTable: string;
  /** How long a delivery can repeat: the stream retention. */
  dedupeHours: number;
  formats: FlowLogFormatRegistry;
  now?: () => number;
}

export interface AlertOutcome {
  alerted: string[];
  duplicates: string[];
}

export function executionNameFor(eventId: string): string {
  return executionName('tamper', eventId);
}

async function alreadyAlerted(deps: AlerterDeps, eventId: string): Promise<boolean> {
  const res = await deps.ddb.send(
    new GetItemCommand({
      TableName: deps.dedupeTable,
      Key: { eventId: { S: eventId } },
      ConsistentRead: true,
    }),
  );
  return res.Item?.alerted?.BOOL === true;
}

async function startHeal(deps: AlerterDeps, doc: OcsfDocument): Promise<string> {
  const started = await startNamedExecution(
    deps.sfn,
    deps.stateMachineArn,
    executionNameFor(doc.metadata.uid),
    {
      account: doc.cloud.account.uid,
      region: doc.cloud.region,
      trigger: 'tamper',
      eventName: (doc.api as { operation?: string } | undefined)?.operation,
      eventId: doc.metadata.uid,
    },
  );
  return started.executionArn;
}

/**
 * For every tamper event in one stream record: start the self-heal workflow, publish one alert
 * that names the execution, and remember the event id for the stream's retention so that a
 * re-delivery alerts no one twice. Errors propagate, so the record is retried.
 */
export async function alertOnStreamRecord(data: string, deps: AlerterDeps): Promise<AlertOutcome> {
  const outcome: AlertOutcome = { alerted: [], duplicates: [] };
  const decoded = decodeCwlBase64(data);
  // Undecodable records are kept by the archive (error prefix) and the indexer (rejected/).
  if (!decoded.ok || isControlMessage(decoded.payload)) return outcome;
  const now = deps.now ?? Date.now;
  for (const doc of normalizePayload(decoded.payload, deps.formats)) {
    if (!isCoverageTamper(doc)) continue;
    const eventId = doc.metadata.uid;
    if (await alreadyAlerted(deps, eventId)) {
      outcome.duplicates.push(eventId);
      continue;
    }
    const executionArn = await startHeal(deps, doc);
    const alert = describeTamper(doc, executionArn);
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: alert.subject,
        Message: alert.text,
        MessageAttributes: Object.fromEntries(
          Object.entries(alert.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
    await deps.ddb.send(
      new PutItemCommand({
        TableName: deps.dedupeTable,
        Item: {
          eventId: { S: eventId },
          alerted: { BOOL: true },
          executionArn: { S: executionArn },
          expiresAt: { N: String(Math.ceil(now() / 1000) + (deps.dedupeHours + 24) * 3600) },
        },
      }),
    );
    outcome.alerted.push(eventId);
  }
  return outcome;
}
