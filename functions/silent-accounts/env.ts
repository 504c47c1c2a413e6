import { defineEnv, envBoolean, envText, envWholeNumber } from '../shared/env';

export const silentAccountsEnv = defineEnv({
  lastSeenTable: envText(),
  /** An account is silent after this many minutes without a sighting. */
  silentAfterMinutes: envWholeNumber(),
  /** Unset or "true": every account must have CloudTrail sightings; "false" in a regional pipeline the trail does not feed. */
  expectCloudTrail: envBoolean().optional(),
});
