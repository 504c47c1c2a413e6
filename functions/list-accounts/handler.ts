import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClient } from '../shared/clients';
import { listAccountsEnv } from './env';
import { activeAccounts, SweepAccount } from './list-accounts';

export interface ListAccountsDeps {
  orgs: OrganizationsClient;
  managementAccount: string;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): ListAccountsDeps {
  const settings = listAccountsEnv.parse(env);
  return {
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
    managementAccount: settings.managementAccount,
  };
}

/** sweep's first step: the accounts to cover. */
export function makeHandler(deps: ListAccountsDeps) {
  return async (): Promise<{ accounts: SweepAccount[] }> => ({
    accounts: await activeAccounts(deps.orgs, deps.managementAccount),
  });
}
