import { defineEnv, envAccountId, envRegionList } from '../shared/env';
import { scopeEnvShape } from '../shared/scope';

export const dispatchEnv = defineEnv({
  governedRegions: envRegionList(),
  controlAccount: envAccountId(),
  /** config `scope`; managementAccount is also the only account whose events may name another account (events/patterns.ts origins). */
  ...scopeEnvShape,
});
