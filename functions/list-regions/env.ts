import { defineEnv, envAccountId, envRegionList } from '../shared/env';

export const listRegionsEnv = defineEnv({
  governedRegions: envRegionList(),
  controlAccount: envAccountId(),
});
