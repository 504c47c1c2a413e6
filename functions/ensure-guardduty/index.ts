import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClient } from '../shared/clients';
import { parseControlEvent, reportControl } from '../shared/control-handler';
import type { ControlResult } from '../../contracts/coverage';
import { requiredEnv } from '../shared/env';
import { memberClient } from '../shared/member-clients';
import { ensureGuardDuty } from './ensure-guardduty';

/** Step Functions task: GuardDuty membership, detector and findings forwarding for one account and region. */
export async function handler(event: unknown): Promise<ControlResult> {
  const { account, region } = parseControlEvent(event);
  const adminAccount = requiredEnv('SECURITY_TOOLING_ACCOUNT');
  const result = await ensureGuardDuty(
    {
      admin: createClient(GuardDutyClient, { region }),
      member:
        account === adminAccount
          ? createClient(GuardDutyClient, { region })
          : memberClient(GuardDutyClient, account, region),
      adminEvents: createClient(EventBridgeClient, { region }),
      adminLogs: createClient(CloudWatchLogsClient, { region }),
      organizations: createClient(OrganizationsClient, { region: 'us-east-1' }),
    },
    { account, region },
    { adminAccount, retentionDays: Number(process.env.FINDINGS_RETENTION_DAYS ?? 365) },
  );
  return reportControl(result);
}
