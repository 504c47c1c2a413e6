import { ListParentsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { controlNames, type ControlResult } from '../../contracts/coverage';
import { excludedBy, scopeNeedsOuPath, type Scope } from '../../contracts/scope';
import { envAccountId, envBoolean, envOptionalText } from './env';

/** An OU hierarchy is at most five levels below the root (Organizations quotas): a bound on the walk. */
const MAX_OU_DEPTH = 6;

/**
 * Pages of one ListParents call followed before giving up: a child has one parent, so more than
 * a few empty pages means something is wrong, and a wrong OU path would put the account in or
 * out of scope wrongly.
 */
const MAX_PARENT_PAGES = 10;

/**
 * The one parent of `child`, following NextToken: "These operations can occasionally return an
 * empty set of results even when there are more results available. The NextToken response
 * parameter value is null only when there are no more results to display." (Organizations API
 * Reference, ListParents). Undefined only when the last page came without one.
 */
async function parentOf(
  orgs: OrganizationsClient,
  child: string,
): Promise<{ Id?: string; Type?: string } | undefined> {
  let NextToken: string | undefined;
  for (let page = 0; page < MAX_PARENT_PAGES; page++) {
    const res = await orgs.send(new ListParentsCommand({ ChildId: child, NextToken }));
    // "In the current release, a child can have only a single parent" (Organizations API Reference, ListParents).
    const parent = res.Parents?.[0];
    if (parent) return parent;
    NextToken = res.NextToken;
    if (!NextToken) return undefined;
  }
  throw new Error(`ListParents of ${child}: no parent in ${MAX_PARENT_PAGES} pages, and still a NextToken`);
}

/** The account's parents, its own OU first and the root last: ListParents, one level at a time. */
export async function ouPathOf(orgs: OrganizationsClient, account: string): Promise<string[]> {
  const path: string[] = [];
  let child = account;
  for (let depth = 0; depth < MAX_OU_DEPTH; depth++) {
    const parent = await parentOf(orgs, child);
    if (!parent?.Id) break;
    path.push(parent.Id);
    if (parent.Type === 'ROOT') break;
    child = parent.Id;
  }
  return path;
}

/** The rule that puts the account out of scope, or undefined; Organizations is asked only when an OU rule needs it. */
export async function scopeRuleFor(
  orgs: OrganizationsClient,
  account: string,
  scope: Scope,
): Promise<string | undefined> {
  const direct = excludedBy(account, [], { ...scope, includeOUs: [], excludeOUs: [] });
  if (direct || !scopeNeedsOuPath(scope)) return direct;
  return excludedBy(account, await ouPathOf(orgs, account), scope);
}

/** The ledger cells of an out-of-scope account: every control in every region, `excluded` with the rule. */
export function excludedCells(account: string, regions: readonly string[], rule: string): ControlResult[] {
  return regions.flatMap((region) =>
    controlNames.map((control) => ({
      control,
      account,
      region,
      status: 'excluded' as const,
      evidence: {},
      actions: [],
      reason: rule,
    })),
  );
}

const list = () => envOptionalText().transform((v) => (v ? v.split(',') : []));

/** The scope settings a function reads (the stack writes them from config.scope with `scopeEnvironment`). */
export const scopeEnvShape = {
  scopeIncludeOus: list(),
  scopeExcludeOus: list(),
  scopeExcludeAccounts: list(),
  scopeCoverManagementAccount: envBoolean(),
  managementAccount: envAccountId(),
};

export function scopeFromEnv(settings: {
  scopeIncludeOus: string[];
  scopeExcludeOus: string[];
  scopeExcludeAccounts: string[];
  scopeCoverManagementAccount: boolean;
  managementAccount: string;
}): Scope {
  return {
    includeOUs: settings.scopeIncludeOus,
    excludeOUs: settings.scopeExcludeOus,
    excludeAccounts: settings.scopeExcludeAccounts,
    coverManagementAccount: settings.scopeCoverManagementAccount,
    managementAccount: settings.managementAccount,
  };
}

/** config.scope as the functions' environment (the inverse of `scopeFromEnv`). */
export function scopeEnvironment(config: {
  scope: {
    includeOUs: string[];
    excludeOUs: string[];
    excludeAccounts: string[];
    coverManagementAccount: boolean;
  };
  accounts: { management: string };
}) {
  return {
    scopeIncludeOus: config.scope.includeOUs.join(',') || undefined,
    scopeExcludeOus: config.scope.excludeOUs.join(',') || undefined,
    scopeExcludeAccounts: config.scope.excludeAccounts.join(',') || undefined,
    scopeCoverManagementAccount: String(config.scope.coverManagementAccount),
    managementAccount: config.accounts.management,
  };
}

/** The scope of a config (for the CLI and the local run, which read the config itself). */
export const scopeOfConfig = (config: Parameters<typeof scopeEnvironment>[0]): Scope => ({
  ...config.scope,
  managementAccount: config.accounts.management,
});
