import { defineEnv, envRegionList, envText, envWholeNumber } from '../shared/env';

export const writeLedgerEnv = defineEnv({
  ledgerTable: envText(),
  summaryTopicArn: envText(),
  /** The coverage metric is computed over these regions (config governedRegions). */
  governedRegions: envRegionList(),
  /** Two sweep periods, in seconds: a row not verified since is stale (contracts/coverage-cells.ts). */
  coverageStaleAfterSeconds: envWholeNumber(),
});
