import { z } from 'zod';
import { defineEnv, envWholeNumber } from '../shared/env';

export const archiveLockEnv = defineEnv({
  lockMode: z.enum(['COMPLIANCE', 'GOVERNANCE'], { error: 'must be COMPLIANCE or GOVERNANCE' }),
  lockDays: envWholeNumber(),
});
