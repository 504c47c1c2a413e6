import { z } from 'zod';
import { defineEnv, envText, envWholeNumber } from '../shared/env';

/** The archive-lock function's settings (the stack builds them from config.archive.objectLock). */
export const archiveLockEnv = defineEnv({
  lockMode: envText().pipe(
    z.enum(['COMPLIANCE', 'GOVERNANCE'], { error: 'must be COMPLIANCE or GOVERNANCE' }),
  ),
  lockDays: envWholeNumber(),
});
