import { defineEnv, envText, envWholeNumber } from '../shared/env';

export const silentAccountsEnv = defineEnv({
  lastSeenTable: envText(),
  /** An account is silent after this many minutes without a sighting. */
  silentAfterMinutes: envWholeNumber(),
});
