import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ledgerSortKey } from '../../contracts/ledger';

/** One cell's row as the next run of its control reads it: its status and evidence. */
export interface PreviousCell {
  status: string;
  evidence: Record<string, string>;
}

/** The ledger row of one account, region and control, or undefined when there is none yet. */
export async function readLedgerCell(
  ddb: DynamoDBClient,
  table: string,
  account: string,
  region: string,
  control: string,
): Promise<PreviousCell | undefined> {
  const { Item } = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { account: { S: account }, regionControl: { S: ledgerSortKey(region, control) } },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return {
    status: Item.status?.S ?? '',
    evidence: Object.fromEntries(
      Object.entries(Item.evidence?.M ?? {}).flatMap(([k, v]) => (v.S === undefined ? [] : [[k, v.S]])),
    ),
  };
}
