import { defineEnv, envText } from '../shared/env';

export const opensearchSetupEnv = defineEnv({
  opensearchEndpoint: envText().regex(/^https?:\/\//, 'must be an http(s) URL'),
});
