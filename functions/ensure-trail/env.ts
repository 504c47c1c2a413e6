import { z } from 'zod';
import { defineEnv, envAccountId, envOptionalText, envRegion, envText } from '../shared/env';

export const ensureTrailEnv = defineEnv({
  trailMode: z.enum(['organization', 'account', 'external'], {
    error: 'must be organization, account or external',
  }),
  /** trail.mode external: who owns the trail, named in drift reports. */
  trailOwner: envOptionalText(),
  trailName: envText(),
  homeRegion: envRegion(),
  /** Owner of the organization trail (contracts/names.ts organizationTrailArn). */
  managementAccount: envAccountId(),
  trailS3Bucket: envOptionalText(),
  trailKmsKeyArn: envOptionalText(),
  /** The organization trail's group and role are in this account (contracts/names.ts trailLogsAccount). */
  securityToolingAccount: envAccountId(),
});
