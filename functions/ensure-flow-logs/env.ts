import { defineEnv, envBoolean, envOptionalText, envWholeNumber } from '../shared/env';

export const ensureFlowLogsEnv = defineEnv({
  acceptForeignFlowLogs: envBoolean(),
  flowLogRetentionDays: envWholeNumber(),
  /** config flowLogs.requiredFields, comma-separated; AWS's default format's fields when absent. */
  flowLogRequiredFields: envOptionalText().transform((v) => v?.split(',')),
});
