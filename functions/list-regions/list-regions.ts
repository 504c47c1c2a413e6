import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';

/**
 * The account's enabled regions (Account API) that are also governed. Regions the account has
 * not opted into are left out: nothing can run there until the opt-in event arrives.
 */
export async function governedEnabledRegions(
  account: AccountClient,
  /** Undefined for the caller's own account: the Account API refuses its own id there. */
  accountId: string | undefined,
  governed: readonly string[],
): Promise<string[]> {
  const enabled = new Set<string>();
  let NextToken: string | undefined;
  do {
    const res = await account.send(
      new ListRegionsCommand({
        AccountId: accountId,
        RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
        NextToken,
      }),
    );
    for (const r of res.Regions ?? []) if (r.RegionName) enabled.add(r.RegionName);
    NextToken = res.NextToken;
  } while (NextToken);
  return governed.filter((r) => enabled.has(r));
}
