import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { CwlPayload } from './cwl-payload';
import type { OcsfDocument } from './ocsf/document';
import { sourceKindOf } from './normalize';

/**
 * "Last seen per account per source": one DynamoDB item per (account, source) with the latest
 * arrival time of a document from it. Keyed by who is known to have written it:
 * - `cloudtrail`: the account a CloudTrail record is about, for records from a trusted trail
 *   group only (an organization trail's group carries every account's records);
 * - `vpcflow` and `any`: the payload owner, which CloudWatch Logs sets and no writer can forge.
 * GuardDuty findings are events, not a heartbeat, and are not tracked.
 */
export type SeenSource = 'cloudtrail' | 'vpcflow' | 'any';

export interface Sighting {
  account: string;
  source: SeenSource;
  /** Epoch ms of the stream arrival: the writer does not choose it. */
  at: number;
}

/** What one payload's documents say about who is alive. */
export function sightingsOf(payload: CwlPayload, docs: OcsfDocument[], arrivalMs: number): Sighting[] {
  const out = new Map<string, Sighting>();
  const add = (account: string, source: SeenSource) => {
    if (!/^\d{12}$/.test(account)) return;
    out.set(`${account}#${source}`, { account, source, at: arrivalMs });
  };
  add(payload.owner, 'any');
  for (const doc of docs) {
    const kind = sourceKindOf(doc);
    if (kind === 'cloudtrail') add(doc.cloud.account.uid, 'cloudtrail');
    else if (kind === 'vpcflow') add(payload.owner, 'vpcflow');
  }
  return [...out.values()];
}

/** Keeps the latest sighting per (account, source) of a batch, so each is written once. */
export class SightingBuffer {
  private readonly latest = new Map<string, Sighting>();

  add(sightings: Iterable<Sighting>): void {
    for (const s of sightings) {
      const key = `${s.account}#${s.source}`;
      const prev = this.latest.get(key);
      if (!prev || prev.at < s.at) this.latest.set(key, s);
    }
  }

  drain(): Sighting[] {
    const all = [...this.latest.values()];
    this.latest.clear();
    return all;
  }
}

/**
 * Writes sightings; an item only moves forward in time (a replay or an out-of-order batch is a
 * ConditionalCheckFailed, which is fine). Returns how many writes failed otherwise.
 */
export async function recordSightings(
  ddb: DynamoDBClient,
  table: string,
  sightings: Sighting[],
): Promise<{ written: number; failed: { sighting: Sighting; reason: string }[] }> {
  const failed: { sighting: Sighting; reason: string }[] = [];
  let written = 0;
  await Promise.all(
    sightings.map(async (s) => {
      try {
        await ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { account: { S: s.account }, source: { S: s.source } },
            UpdateExpression: 'SET lastSeen = :at',
            ConditionExpression: 'attribute_not_exists(lastSeen) OR lastSeen < :at',
            ExpressionAttributeValues: { ':at': { N: String(s.at) } },
          }),
        );
        written++;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return;
        failed.push({ sighting: s, reason: `${(err as Error).name}: ${(err as Error).message}` });
      }
    }),
  );
  return { written, failed };
}
