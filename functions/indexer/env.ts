import { defineEnv, envText } from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';
import { envTrustedSources } from '../shared/trusted-sources-env';

export const indexerEnv = defineEnv({
  opensearchEndpoint: envText().regex(/^https?:\/\//, 'must be an http(s) URL'),
  archiveBucket: envText(),
  flowLogFormats: envFlowLogFormats(),
  trustedSources: envTrustedSources(),
  /** "Last seen per account per source" (stacks/central/last-seen.ts). */
  lastSeenTable: envText(),
});
