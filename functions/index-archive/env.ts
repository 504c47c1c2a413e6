import { defineEnv, envText } from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';
import { envTrustedSources } from '../shared/trusted-sources-env';

export const indexArchiveEnv = defineEnv({
  opensearchEndpoint: envText().regex(/^https?:\/\//, 'must be an http(s) URL'),
  archiveBucket: envText(),
  flowLogFormats: envFlowLogFormats(),
  trustedSources: envTrustedSources(),
});
