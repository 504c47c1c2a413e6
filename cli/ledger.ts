import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ControlName, CoverageStatus } from '../functions/shared/coverage';
import type { LedgerRow } from './coverage-matrix';

/** Every row of the coverage ledger. */
export async function readLedger(ddb: DynamoDBClient, table: string): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }),
    );
    for (const item of res.Items ?? []) {
      rows.push({
        account: item.account.S as string,
        region: item.region?.S ?? (item.regionControl.S as string).split('#')[0],
        control: (item.control?.S ?? (item.regionControl.S as string).split('#')[1]) as ControlName,
        status: item.status.S as CoverageStatus,
        lastVerified: item.lastVerified?.S,
        reason: item.reason?.S,
      });
    }
    ExclusiveStartKey = res.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return rows;
}
