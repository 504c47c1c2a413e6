import { defineEnv, envAccountId, envRegionList } from '../shared/env';
import { scopeEnvShape } from '../shared/scope';

export const listRegionsEnv = defineEnv({
  governedRegions: envRegionList(),
  controlAccount: envAccountId(),
  ...scopeEnvShape,
});
