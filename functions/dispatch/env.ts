import { defineEnv, envAccountId, envRegionList } from '../shared/env';

export const dispatchEnv = defineEnv({
  governedRegions: envRegionList(),
  controlAccount: envAccountId(),
  /** The only account whose events may name another account (events/patterns.ts origins). */
  managementAccount: envAccountId(),
});
