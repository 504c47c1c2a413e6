import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { flowLogsFirehoseSourceRoleArn, names } from '../../../contracts/names';
import { ensureFlowLogsEnv } from '../../../functions/ensure-flow-logs/env';
import { NodeFunction } from '../../node-function';
import { controlModeEnv } from '../../../functions/shared/control-handler';
import { grantAssumeMemberRole, controlFunctionProps, type ControlProps, type MemberScope } from './control';

/** Retention of the log groups logwarden creates in members (flow logs, GuardDuty findings). */
export const OWN_LOG_GROUP_RETENTION_DAYS = 365;

/**
 * The flow-log control: an active logwarden flow log on every VPC. It acts only in the member,
 * through the member execution role ({@link FlowLogsControl.memberStatements}).
 */
export class FlowLogsControl extends NodeFunction {
  constructor(scope: Construct, id: string, props: ControlProps) {
    super(
      scope,
      id,
      controlFunctionProps(
        'ensure-flow-logs',
        'Control: an active logwarden flow log on every VPC of an account and region',
        {
          ...ensureFlowLogsEnv.environment({
            acceptForeignFlowLogs: String(props.config.flowLogs.acceptForeignFlowLogs),
            flowLogRetentionDays: String(OWN_LOG_GROUP_RETENTION_DAYS),
            flowLogRequiredFields: props.config.flowLogs.requiredFields?.join(','),
            logArchiveAccount: props.config.accounts.logArchive,
            flowLogDelivery: props.config.flowLogs.delivery,
          }),
          ...controlModeEnv.environment({ logwardenMode: props.config.mode }),
        },
        props.logKey,
      ),
    );
    grantAssumeMemberRole(this, props.config);
  }

  /** What the member execution role grants this control. */
  static memberStatements({ config, account, inGoverned }: MemberScope): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'DescribeFlowLogs',
        actions: ['ec2:DescribeVpcs', 'ec2:DescribeFlowLogs', 'logs:DescribeLogGroups'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'RepairFlowLogs',
        actions: ['ec2:CreateFlowLogs', 'ec2:CreateTags'],
        resources: [
          ...inGoverned((r) => `arn:aws:ec2:${r}:${account}:vpc/*`),
          ...inGoverned((r) => `arn:aws:ec2:${r}:${account}:vpc-flow-log/*`),
        ],
      }),
      // SAR: CreateFlowLogs depends on these when the format has ECS fields. lw-vpc-v8 has every
      // field of v2–v8, the ECS ones (v7) included, so that a connection can be traced to the
      // cluster, service and task that made it. ListClusters, ListServices and
      // ListTaskDefinitions have no resource type (only "*" grants them); ListContainerInstances
      // acts on a cluster and ListTasks on a container instance, named here in the member's own
      // account.
      new iam.PolicyStatement({
        sid: 'FlowLogEcsFields',
        actions: ['ecs:ListClusters', 'ecs:ListServices', 'ecs:ListTaskDefinitions'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'FlowLogEcsClusterFields',
        actions: ['ecs:ListContainerInstances'],
        resources: inGoverned((r) => `arn:aws:ecs:${r}:${account}:cluster/*`),
      }),
      new iam.PolicyStatement({
        sid: 'FlowLogEcsTaskFields',
        actions: ['ecs:ListTasks'],
        resources: inGoverned((r) => `arn:aws:ecs:${r}:${account}:container-instance/*`),
      }),
      new iam.PolicyStatement({
        sid: 'RepairOwnLogGroups',
        actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
        resources: inGoverned((r) => `arn:aws:logs:${r}:${account}:log-group:${names.ownLogGroupPrefix}*`),
      }),
      new iam.PolicyStatement({
        sid: 'PassFlowLogsDeliveryRole',
        actions: ['iam:PassRole'],
        resources: [`arn:aws:iam::${account}:role/${names.flowLogsDeliveryRole}`],
        conditions: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
      }),
      ...(config.flowLogs.delivery === 'firehose'
        ? [
            // flowLogs.delivery firehose: the source role goes to the log delivery service, only
            // for this account's VPCs ("The condition statements ensure that this role is passed
            // only to the log delivery service, and only when monitoring the specified
            // resource", VPC User Guide, "IAM roles for cross account delivery").
            new iam.PolicyStatement({
              sid: 'PassFlowLogsFirehoseSourceRole',
              actions: ['iam:PassRole'],
              resources: [flowLogsFirehoseSourceRoleArn(account)],
              conditions: {
                StringEquals: { 'iam:PassedToService': 'delivery.logs.amazonaws.com' },
                StringLike: { 'iam:AssociatedResourceARN': `arn:aws:ec2:*:${account}:vpc/*` },
              },
            }),
            // "To be able to set up sending any of these types of logs to Firehose for the first
            // time, you must be logged into an account with the following permissions.
            // logs:CreateLogDelivery ..." (CloudWatch Logs User Guide, "Logs sent to Firehose");
            // the SAR gives these actions no resource type.
            new iam.PolicyStatement({
              sid: 'FlowLogsFirehoseDelivery',
              actions: ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery'],
              resources: ['*'],
            }),
          ]
        : []),
    ];
  }
}
