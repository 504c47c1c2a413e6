import { defineEnv, envText } from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';

export const indexerEnv = defineEnv({
  opensearchEndpoint: envText().regex(/^https?:\/\//, 'must be an http(s) URL'),
  archiveBucket: envText(),
  flowLogFormats: envFlowLogFormats(),
});
