import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { destinationArn, pipelineLogGroups, subscriptionPolicyName } from '../../contracts/names';
import { parseControlEvent, reportControl } from '../shared/control-handler';
import type { ControlResult } from '../../contracts/coverage';
import { requiredEnv } from '../shared/env';
import { memberClient } from '../shared/member-clients';
import { ensureSubscription } from './ensure-subscription';

/** Step Functions task: the account subscription policy of one account and region. */
export async function handler(event: unknown): Promise<ControlResult> {
  const { account, region } = parseControlEvent(event);
  const result = await ensureSubscription(
    memberClient(CloudWatchLogsClient, account, region),
    { account, region },
    {
      destinationArn: destinationArn(region, requiredEnv('LOG_ARCHIVE_ACCOUNT')),
      policyName: subscriptionPolicyName(region),
      excludedLogGroups: pipelineLogGroups,
    },
  );
  return reportControl(result);
}
