import { defineEnv, envBoolean, envWholeNumber } from '../shared/env';

export const ensureFlowLogsEnv = defineEnv({
  acceptForeignFlowLogs: envBoolean(),
  flowLogRetentionDays: envWholeNumber(),
});
