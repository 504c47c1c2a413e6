import { z } from 'zod';
import { defineEnv, envAccountId, envRegion, envText } from '../shared/env';

export const ensureSubscriptionEnv = defineEnv({
  logArchiveAccount: envAccountId(),
  /** config subscription.besideForeignPolicy. */
  besideForeignPolicy: z.enum(['per-group-filters', 'report'], {
    error: 'must be per-group-filters or report',
  }),
  /**
   * The coverage ledger and its region (the control plane's): the cell's previous row says
   * whether logwarden's own per-group filters may be left from a fallback.
   */
  ledgerTable: envText(),
  ledgerRegion: envRegion(),
});
