import { defineEnv, envAccountId, envWholeNumber } from '../shared/env';

export const ensureGuardDutyEnv = defineEnv({
  securityToolingAccount: envAccountId(),
  findingsRetentionDays: envWholeNumber(),
});
