import { AccountClient } from '@aws-sdk/client-account';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ControlResult } from '../../contracts/coverage';
import type { Scope } from '../../contracts/scope';
import { createClient } from '../shared/clients';
import { excludedCells, scopeFromEnv, scopeRuleFor } from '../shared/scope';
import { listRegionsEnv } from './env';
import { governedEnabledRegions } from './list-regions';

export interface ListRegionsDeps {
  account: AccountClient;
  orgs: OrganizationsClient;
  governedRegions: string[];
  /** The account this function runs in: the Account API refuses its own id as AccountId. */
  controlAccount: string;
  scope: Scope;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): ListRegionsDeps {
  const settings = listRegionsEnv.parse(env);
  return {
    account: createClient(AccountClient, { region: 'us-east-1' }),
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
    governedRegions: settings.governedRegions,
    controlAccount: settings.controlAccount,
    scope: scopeFromEnv(settings),
  };
}

export interface ListedRegions {
  account: string;
  regions: string[];
  /**
   * An out-of-scope account's cells (every governed region × control, `excluded` with the rule),
   * which cover-account writes to the ledger instead of covering anything; empty when in scope.
   */
  excluded: ControlResult[];
}

/**
 * cover-account's first step: whether the account is in scope (config `scope`; an account
 * moved between OUs is re-evaluated here, since MoveAccount starts cover-account), and which
 * regions to cover for it.
 */
export function makeHandler(deps: ListRegionsDeps) {
  return async (event: { account: string }): Promise<ListedRegions> => {
    const rule = await scopeRuleFor(deps.orgs, event.account, deps.scope);
    if (rule)
      return {
        account: event.account,
        regions: [],
        excluded: excludedCells(event.account, deps.governedRegions, rule),
      };
    const own = event.account === deps.controlAccount;
    const regions = await governedEnabledRegions(
      deps.account,
      own ? undefined : event.account,
      deps.governedRegions,
    );
    return { account: event.account, regions, excluded: [] };
  };
}
