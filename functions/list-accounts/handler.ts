import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClient } from '../shared/clients';
import { listAccountsEnv } from './env';
import { activeAccounts, SweepAccount } from './list-accounts';

export interface ListAccountsDeps {
  orgs: OrganizationsClient;
  managementAccount: string;
  coverManagementAccount?: boolean;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): ListAccountsDeps {
  const settings = listAccountsEnv.parse(env);
  return {
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
    managementAccount: settings.managementAccount,
    coverManagementAccount: settings.coverManagementAccount,
  };
}

/**
 * sweep's first step: the accounts to cover. Accounts out of scope are listed too: cover-account
 * writes their cells as `excluded`, with the rule, instead of covering them.
 */
export function makeHandler(deps: ListAccountsDeps) {
  return async (): Promise<{ accounts: SweepAccount[] }> => ({
    accounts: await activeAccounts(
      deps.orgs,
      deps.coverManagementAccount ? undefined : deps.managementAccount,
    ),
  });
}
