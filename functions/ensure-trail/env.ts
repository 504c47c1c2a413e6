import { z } from 'zod';
import { defineEnv, envOptionalText, envRegion, envText } from '../shared/env';

export const ensureTrailEnv = defineEnv({
  trailMode: z.enum(['organization', 'account'], { error: 'must be organization or account' }),
  trailName: envText(),
  homeRegion: envRegion(),
  trailS3Bucket: envOptionalText(),
  trailKmsKeyArn: envOptionalText(),
  trailCwlGroupArn: envOptionalText(),
  trailCwlRoleArn: envOptionalText(),
});
