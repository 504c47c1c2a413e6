import { defineEnv, envAccountId, envRegionList } from '../shared/env';

export const dispatchEnv = defineEnv({
  governedRegions: envRegionList(),
  controlAccount: envAccountId(),
});
