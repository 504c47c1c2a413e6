import { defineEnv, envWholeNumber } from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';
import { envTrustedSources } from '../shared/trusted-sources-env';

export const transformEnv = defineEnv({
  maxReingestHops: envWholeNumber(),
  flowLogFormats: envFlowLogFormats(),
  trustedSources: envTrustedSources(),
});
