/**
 * The coverage ledger under concurrent heals of one cell (issue 21 §21), on moto's DynamoDB (its
 * own ConditionExpression evaluation): whatever order the writes land in, the row holds the
 * result of the execution that started last. "A condition expression ... must evaluate to true in
 * order for the operation to succeed" (DynamoDB API Reference, PutItem.ConditionExpression).
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { ledgerSortKey } from '../../contracts/ledger';
import { writeLedger } from '../../functions/write-ledger/ledger';
import { startMoto, type Moto } from '../../local/moto';

let moto: Moto;
let ddb: DynamoDBClient;
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' };

beforeAll(async () => {
  moto = await startMoto({ iam: false });
  ddb = new DynamoDBClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'logwarden-coverage',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'account', KeyType: 'HASH' },
        { AttributeName: 'regionControl', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'account', AttributeType: 'S' },
        { AttributeName: 'regionControl', AttributeType: 'S' },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

it('twenty executions of one cell written in a shuffled order: the newest execution’s result stays', async () => {
  const started = Array.from({ length: 20 }, (_, i) =>
    new Date(Date.UTC(2026, 11, 6, 12, 0, i)).toISOString(),
  );
  // The newest found the flow log in place (covered); the older ones each report their own
  // heal. Written newest first, then the rest: the last writer would be an old one.
  const order = [19, ...Array.from({ length: 19 }, (_, i) => (i * 7) % 19)];
  const deps = {
    ddb,
    sns: new SNSClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials }),
    table: 'logwarden-coverage',
    summaryTopicArn: 'arn:aws:sns:eu-west-1:333333333333:none',
  };
  for (const i of order) {
    await writeLedger(
      {
        workflow: 'cover-account-region',
        executionArn: `arn:aws:states:eu-west-1:333333333333:execution:logwarden-cover-account-region:e${i}`,
        executionStartTime: started[i],
        summaryOnly: false,
        results: [
          {
            control: 'flow-logs',
            account: '444444444444',
            region: 'eu-west-1',
            status: i === 19 ? 'covered' : 'healed',
            evidence: {},
            actions: i === 19 ? [] : [`heal ${i}`],
          },
        ],
      },
      deps,
    );
  }
  const row = await ddb.send(
    new GetItemCommand({
      TableName: 'logwarden-coverage',
      Key: { account: { S: '444444444444' }, regionControl: { S: ledgerSortKey('eu-west-1', 'flow-logs') } },
    }),
  );
  expect(row.Item?.status.S).toBe('covered');
  expect(row.Item?.lastExecutionArn.S).toMatch(/:e19$/);
  expect(row.Item?.executionStartTime.S).toBe(started[19]);
}, 60_000);
