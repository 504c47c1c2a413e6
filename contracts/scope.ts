/**
 * Which accounts logwarden governs: one rule set, read by the config, the StackSet targets, the
 * sweep, cover-account, the dispatcher and the CLI. A verdict names the rule that excluded an
 * account, so the ledger and `logwarden coverage` say why a cell is `excluded`.
 */
export interface Scope {
  /** OUs (or the root) whose accounts are governed, nested OUs included; empty: the whole organization. */
  includeOUs: readonly string[];
  /** OUs whose accounts are not governed, even inside an included OU. */
  excludeOUs: readonly string[];
  excludeAccounts: readonly string[];
  /** Cover the management account too (it has no member baseline unless deployed there by hand). */
  coverManagementAccount: boolean;
  managementAccount: string;
}

/** Whether the verdict needs the account's OU path (ListParents), or the account id alone decides. */
export const scopeNeedsOuPath = (scope: Scope): boolean =>
  scope.includeOUs.length > 0 || scope.excludeOUs.length > 0;

/**
 * The rule that puts `account` out of scope, or undefined when it is governed. `ouPath` is the
 * account's parents from its own OU up to the root (ListParents, one level at a time); it is
 * needed only when `scopeNeedsOuPath`.
 */
export function excludedBy(account: string, ouPath: readonly string[], scope: Scope): string | undefined {
  if (account === scope.managementAccount && !scope.coverManagementAccount)
    return 'scope.coverManagementAccount is false: the management account is not covered';
  if (scope.excludeAccounts.includes(account)) return `scope.excludeAccounts lists ${account}`;
  const excludedOu = ouPath.find((ou) => scope.excludeOUs.includes(ou));
  if (excludedOu) return `scope.excludeOUs: ${account} is in ${excludedOu}`;
  if (scope.includeOUs.length && !ouPath.some((ou) => scope.includeOUs.includes(ou)))
    return `scope.includeOUs: ${account} is in none of ${scope.includeOUs.join(', ')}`;
  return undefined;
}
