import { z } from 'zod';
import { defineEnv, envAccountId, envBoolean, envOptionalText, envWholeNumber } from '../shared/env';

export const ensureFlowLogsEnv = defineEnv({
  acceptForeignFlowLogs: envBoolean(),
  flowLogRetentionDays: envWholeNumber(),
  /** config flowLogs.requiredFields, comma-separated; AWS's default format's fields when absent. */
  flowLogRequiredFields: envOptionalText().transform((v) => v?.split(',')),
  /** The log-archive account, whose search VPC logwarden logs to an excluded pipeline group. */
  logArchiveAccount: envAccountId(),
  /** config flowLogs.delivery: where logwarden's flow logs deliver. */
  flowLogDelivery: z.enum(['cloudwatch-logs', 'firehose']).default('cloudwatch-logs'),
});
