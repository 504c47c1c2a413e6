import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';

export interface SweepAccount {
  account: string;
}

/**
 * Every ACTIVE account of the organization but `leaveOut`: the management account, which
 * service-managed StackSets cannot reach (it has no member baseline unless deployed there by
 * hand, config scope.coverManagementAccount).
 */
export async function activeAccounts(
  orgs: OrganizationsClient,
  leaveOut: string | undefined,
): Promise<SweepAccount[]> {
  const out: SweepAccount[] = [];
  let NextToken: string | undefined;
  do {
    const res = await orgs.send(new ListAccountsCommand({ NextToken }));
    for (const a of res.Accounts ?? []) {
      const state = a.State ?? a.Status;
      if (a.Id && state === 'ACTIVE' && a.Id !== leaveOut) out.push({ account: a.Id });
    }
    NextToken = res.NextToken;
  } while (NextToken);
  return out;
}
