import { defineEnv, envAccountId } from '../shared/env';

export const listAccountsEnv = defineEnv({ managementAccount: envAccountId() });
