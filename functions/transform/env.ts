import { defineEnv, envWholeNumber } from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';

export const transformEnv = defineEnv({
  maxReingestHops: envWholeNumber(),
  flowLogFormats: envFlowLogFormats(),
});
