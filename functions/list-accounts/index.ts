import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { activeAccounts, SweepAccount } from './list-accounts';

const orgs = createClient(OrganizationsClient, { region: 'us-east-1' });

/** sweep's first step: the accounts to cover. */
export async function handler(): Promise<{ accounts: SweepAccount[] }> {
  return { accounts: await activeAccounts(orgs, requiredEnv('MANAGEMENT_ACCOUNT')) };
}
