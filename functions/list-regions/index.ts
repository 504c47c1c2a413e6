import { AccountClient } from '@aws-sdk/client-account';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { governedEnabledRegions } from './list-regions';

const account = createClient(AccountClient, { region: 'us-east-1' });

/** cover-account's first step: which regions to cover for this account. */
export async function handler(event: { account: string }): Promise<{ account: string; regions: string[] }> {
  const own = event.account === process.env.CONTROL_ACCOUNT;
  const regions = await governedEnabledRegions(
    account,
    own ? undefined : event.account,
    requiredEnv('GOVERNED_REGIONS').split(','),
  );
  return { account: event.account, regions };
}
