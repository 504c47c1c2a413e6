import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { names } from '../../contracts/names';
import { parseControlEvent, reportControl } from '../shared/control-handler';
import type { ControlResult } from '../../contracts/coverage';
import { memberClient } from '../shared/member-clients';
import { ensureFlowLogs } from './ensure-flow-logs';

/** Step Functions task: flow logs on every VPC (or the given VPCs) of one account and region. */
export async function handler(event: unknown): Promise<ControlResult> {
  const { account, region, vpcIds } = parseControlEvent(event);
  const result = await ensureFlowLogs(
    {
      ec2: memberClient(EC2Client, account, region),
      logs: memberClient(CloudWatchLogsClient, account, region),
    },
    { account, region },
    {
      deliveryRoleArn: `arn:aws:iam::${account}:role/${names.flowLogsDeliveryRole}`,
      acceptForeignFlowLogs: process.env.ACCEPT_FOREIGN_FLOW_LOGS === 'true',
      retentionDays: Number(process.env.FLOW_LOG_RETENTION_DAYS ?? 365),
      vpcIds,
    },
  );
  return reportControl(result);
}
