import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { createClient } from '../shared/clients';
import { parseControlEvent, reportControl } from '../shared/control-handler';
import type { ControlResult } from '../../contracts/coverage';
import { requiredEnv } from '../shared/env';
import { memberClient } from '../shared/member-clients';
import { ensureTrail } from './ensure-trail';

/**
 * Step Functions task: the trail covering one account and region. The organization trail is
 * managed from this (the CloudTrail delegated admin) account; an account trail from the member.
 * Trails are multi-region and live in the home region.
 */
export async function handler(event: unknown): Promise<ControlResult> {
  const { account, region } = parseControlEvent(event);
  const mode = requiredEnv('TRAIL_MODE') as 'organization' | 'account';
  const home = requiredEnv('HOME_REGION');
  const cloudtrail =
    mode === 'organization'
      ? createClient(CloudTrailClient, { region: home })
      : memberClient(CloudTrailClient, account, home);
  const result = await ensureTrail(
    cloudtrail,
    { account, region },
    {
      mode,
      name: requiredEnv('TRAIL_NAME'),
      s3BucketName: process.env.TRAIL_S3_BUCKET || undefined,
      kmsKeyArn: process.env.TRAIL_KMS_KEY_ARN || undefined,
      cloudWatchLogsGroupArn: process.env.TRAIL_CWL_GROUP_ARN || undefined,
      cloudWatchLogsRoleArn: process.env.TRAIL_CWL_ROLE_ARN || undefined,
    },
  );
  return reportControl(result);
}
