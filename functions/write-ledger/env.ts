import { defineEnv, envText } from '../shared/env';

export const writeLedgerEnv = defineEnv({
  ledgerTable: envText(),
  summaryTopicArn: envText(),
});
