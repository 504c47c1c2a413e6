import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  flowLogsCrossAccountRoleArn,
  flowLogsFirehoseArn,
  flowLogsFirehoseSourceRoleArn,
  names,
} from '../../contracts/names';
import { controlDepsFromEnv, controlHandler, type ControlDeps } from '../shared/control-handler';
import { memberCredentials } from '../shared/member-clients';
import { ensureFlowLogsEnv } from './env';
import { ensureFlowLogs } from './ensure-flow-logs';

export interface EnsureFlowLogsDeps extends ControlDeps {
  acceptForeignFlowLogs: boolean;
  flowLogRetentionDays: number;
  /** config flowLogs.requiredFields (AWS's default format's fields when absent). */
  flowLogRequiredFields?: string[];
  /** The log-archive account, whose search VPC has logwarden's pipeline flow log. */
  logArchiveAccount: string;
  /** config flowLogs.delivery. */
  flowLogDelivery?: 'cloudwatch-logs' | 'firehose';
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): EnsureFlowLogsDeps {
  return { ...controlDepsFromEnv(env), ...ensureFlowLogsEnv.parse(env) };
}

/** Step Functions task: flow logs on every VPC (or the given VPCs) of one account and region. */
export function makeHandler(deps: EnsureFlowLogsDeps) {
  return controlHandler(deps, ({ account, region, vpcIds, execution }, clients) => {
    // One assumed session for both clients: one AssumeRole per invocation, not one per client.
    const session = memberCredentials(account, region);
    return ensureFlowLogs(
      {
        ec2: clients.member(EC2Client, account, region, session),
        logs: clients.member(CloudWatchLogsClient, account, region, session),
      },
      { account, region },
      {
        deliveryRoleArn: `arn:aws:iam::${account}:role/${names.flowLogsDeliveryRole}`,
        firehose:
          deps.flowLogDelivery === 'firehose'
            ? {
                streamArn: flowLogsFirehoseArn(region, deps.logArchiveAccount),
                sourceRoleArn: flowLogsFirehoseSourceRoleArn(account),
                crossAccountRoleArn: flowLogsCrossAccountRoleArn(deps.logArchiveAccount),
              }
            : undefined,
        acceptForeignFlowLogs: deps.acceptForeignFlowLogs,
        requiredFields: deps.flowLogRequiredFields,
        retentionDays: deps.flowLogRetentionDays,
        vpcIds,
        execution,
        logArchiveAccount: deps.logArchiveAccount,
      },
    );
  });
}
