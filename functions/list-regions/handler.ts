import { AccountClient } from '@aws-sdk/client-account';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ControlResult } from '../../contracts/coverage';
import type { Scope } from '../../contracts/scope';
import { managementRegionListerRoleArn } from '../../contracts/names';
import { assumedRoleCredentials, createClient } from '../shared/clients';
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
  /**
   * The Account API in the management account's own, standalone context (scope
   * .coverManagementAccount): a delegated administrator cannot name it ("The specified account ID
   * must be a member account in the same organization", Account API Reference, AccountId).
   */
  managementAccountClient: () => AccountClient;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): ListRegionsDeps {
  const settings = listRegionsEnv.parse(env);
  return {
    account: createClient(AccountClient, { region: 'us-east-1' }),
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
    governedRegions: settings.governedRegions,
    controlAccount: settings.controlAccount,
    scope: scopeFromEnv(settings),
    managementAccountClient: () =>
      createClient(AccountClient, {
        region: 'us-east-1',
        credentials: assumedRoleCredentials(
          {
            RoleArn: managementRegionListerRoleArn(settings.managementAccount),
            RoleSessionName: 'logwarden-list-regions',
            DurationSeconds: 900,
          },
          'us-east-1',
        ),
      }),
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
    // The Account API names neither the caller's own account nor the management account by
    // AccountId: the first is the caller's standalone context, the second the management's own.
    const regions =
      event.account === deps.controlAccount
        ? await governedEnabledRegions(deps.account, undefined, deps.governedRegions)
        : event.account === deps.scope.managementAccount
          ? await governedEnabledRegions(deps.managementAccountClient(), undefined, deps.governedRegions)
          : await governedEnabledRegions(deps.account, event.account, deps.governedRegions);
    return { account: event.account, regions, excluded: [] };
  };
}
