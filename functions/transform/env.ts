import { z } from 'zod';
import { defineEnv, envWholeNumber } from '../shared/env';
import { envFlowLogFormats } from '../shared/flow-log-registry-env';
import { envTrustedSources } from '../shared/trusted-sources-env';

export const transformEnv = defineEnv({
  maxReingestHops: envWholeNumber(),
  /** What the stream's records hold (TransformInput); CloudWatch Logs payloads when unset. */
  transformInput: z.enum(['cloudwatch-logs', 'flow-log-text']).default('cloudwatch-logs'),
  flowLogFormats: envFlowLogFormats(),
  trustedSources: envTrustedSources(),
});
