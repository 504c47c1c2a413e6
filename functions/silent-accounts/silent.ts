import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SeenSource } from '../shared/last-seen';

export interface SilentAccount {
  account: string;
  source: SeenSource;
  /** Epoch ms of the last sighting; absent when the account was never seen. */
  lastSeen?: number;
}

export interface SilenceDeps {
  orgs: OrganizationsClient;
  ddb: DynamoDBClient;
  table: string;
  /** Silent after this long without a sighting. */
  silentAfterMs: number;
  /**
   * Default true: every account must have CloudTrail sightings. False in a regional pipeline
   * that the trail's group does not feed (pipeline.regional): there CloudTrail never arrives.
   */
  expectCloudTrail?: boolean;
  now?: () => number;
}

interface OrgAccount {
  id: string;
  joinedMs: number;
}

/** Every ACTIVE account of the organization (ListAccounts, delegated to this account). */
async function activeAccounts(orgs: OrganizationsClient): Promise<OrgAccount[]> {
  const out: OrgAccount[] = [];
  let NextToken: string | undefined;
  do {
    const res = await orgs.send(new ListAccountsCommand({ NextToken }));
    for (const a of res.Accounts ?? []) {
      const state = a.State ?? a.Status;
      if (a.Id && state === 'ACTIVE') out.push({ id: a.Id, joinedMs: a.JoinedTimestamp?.getTime() ?? 0 });
    }
    NextToken = res.NextToken;
  } while (NextToken);
  return out;
}

async function sightings(ddb: DynamoDBClient, table: string): Promise<Map<string, Map<SeenSource, number>>> {
  const out = new Map<string, Map<SeenSource, number>>();
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }),
    );
    for (const item of res.Items ?? []) {
      const account = item.account?.S;
      const source = item.source?.S as SeenSource | undefined;
      const at = Number(item.lastSeen?.N);
      if (!account || !source || !Number.isFinite(at)) continue;
      const bySource = out.get(account) ?? new Map<SeenSource, number>();
      bySource.set(source, at);
      out.set(account, bySource);
    }
    ExclusiveStartKey = res.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return out;
}

/**
 * Accounts that went silent. Every active account must have CloudTrail sightings: the daily
 * sweep alone makes API calls in each of them, so a day without one means its trail records
 * stopped reaching the pipeline. A source an account did send before (flow logs, anything at
 * all) must not stop either. Accounts younger than the threshold are given time to start.
 */
export async function findSilentAccounts(deps: SilenceDeps): Promise<SilentAccount[]> {
  const now = (deps.now ?? Date.now)();
  const cutoff = now - deps.silentAfterMs;
  const [accounts, seen] = await Promise.all([activeAccounts(deps.orgs), sightings(deps.ddb, deps.table)]);
  const silent: SilentAccount[] = [];
  for (const { id, joinedMs } of accounts) {
    if (joinedMs > cutoff) continue;
    const bySource = seen.get(id) ?? new Map<SeenSource, number>();
    const trail = bySource.get('cloudtrail');
    if (deps.expectCloudTrail !== false && (trail === undefined || trail < cutoff))
      silent.push({ account: id, source: 'cloudtrail', lastSeen: trail });
    for (const source of ['vpcflow', 'any'] as const) {
      const at = bySource.get(source);
      if (at !== undefined && at < cutoff) silent.push({ account: id, source, lastSeen: at });
    }
  }
  return silent;
}
