import { z } from 'zod';
import { defineEnv, envAccountId, envWholeNumber } from '../shared/env';

export const ensureGuardDutyEnv = defineEnv({
  securityToolingAccount: envAccountId(),
  findingsRetentionDays: envWholeNumber(),
  /** config guardDuty.mode: verify-only never writes. */
  guardDutyMode: z.enum(['manage', 'verify-only'], { error: 'must be manage or verify-only' }),
  /** config guardDuty.autoEnable: the organization's auto-enable setting logwarden keeps. */
  guardDutyAutoEnable: z.enum(['ALL', 'NEW', 'NONE'], { error: 'must be ALL, NEW or NONE' }),
});
