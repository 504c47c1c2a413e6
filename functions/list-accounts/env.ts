import { defineEnv, envAccountId, envBoolean } from '../shared/env';

export const listAccountsEnv = defineEnv({
  managementAccount: envAccountId(),
  /** config scope.coverManagementAccount: the sweep lists the management account too. */
  coverManagementAccount: envBoolean(),
});
