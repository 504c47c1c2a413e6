import { AccountClient } from '@aws-sdk/client-account';
import { createClient } from '../shared/clients';
import { listRegionsEnv } from './env';
import { governedEnabledRegions } from './list-regions';

export interface ListRegionsDeps {
  account: AccountClient;
  governedRegions: string[];
  /** The account this function runs in: the Account API refuses its own id as AccountId. */
  controlAccount: string;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): ListRegionsDeps {
  const settings = listRegionsEnv.parse(env);
  return { account: createClient(AccountClient, { region: 'us-east-1' }), ...settings };
}

/** cover-account's first step: which regions to cover for this account. */
export function makeHandler(deps: ListRegionsDeps) {
  return async (event: { account: string }): Promise<{ account: string; regions: string[] }> => {
    const own = event.account === deps.controlAccount;
    const regions = await governedEnabledRegions(
      deps.account,
      own ? undefined : event.account,
      deps.governedRegions,
    );
    return { account: event.account, regions };
  };
}
