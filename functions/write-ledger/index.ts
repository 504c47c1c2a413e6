import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { LedgerInput, LedgerSummary, writeLedger } from './ledger';

const deps = {
  ddb: createClient(DynamoDBClient),
  sns: createClient(SNSClient),
  table: requiredEnv('LEDGER_TABLE'),
  summaryTopicArn: requiredEnv('SUMMARY_TOPIC_ARN'),
};

/** Last step of every workflow: the coverage ledger, and one summary when something failed. */
export async function handler(event: LedgerInput): Promise<LedgerSummary> {
  return writeLedger(event, deps);
}
