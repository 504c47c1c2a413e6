import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { decodeLedgerItem, ledgerSortKey, type LedgerRow } from '../../contracts/ledger';

/**
 * The ledger row of one account, region and control, or undefined when there is none yet. A
 * module of its own: a function is granted what its modules send (test/stacks/control-grants),
 * and a control that reads one cell needs no ScanCommand.
 */
export async function readLedgerCell(
  ddb: DynamoDBClient,
  table: string,
  account: string,
  region: string,
  control: string,
): Promise<LedgerRow | undefined> {
  const { Item } = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { account: { S: account }, regionControl: { S: ledgerSortKey(region, control) } },
      ConsistentRead: true,
    }),
  );
  return Item ? decodeLedgerItem(Item) : undefined;
}
