import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { decodeLedgerItem, type LedgerRow } from '../../contracts/ledger';

/** Every row of the coverage ledger. */
export async function readLedger(ddb: DynamoDBClient, table: string): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }),
    );
    rows.push(...(res.Items ?? []).map(decodeLedgerItem));
    ExclusiveStartKey = res.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return rows;
}
