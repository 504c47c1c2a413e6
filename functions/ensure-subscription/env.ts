import { z } from 'zod';
import { defineEnv, envAccountId } from '../shared/env';

export const ensureSubscriptionEnv = defineEnv({
  logArchiveAccount: envAccountId(),
  /** config subscription.besideForeignPolicy. */
  besideForeignPolicy: z.enum(['per-group-filters', 'report'], {
    error: 'must be per-group-filters or report',
  }),
});
