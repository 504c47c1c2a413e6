import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { names } from '../../../contracts/names';
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
          }),
          ...controlModeEnv.environment({ logwardenMode: props.config.mode }),
        },
        props.logKey,
      ),
    );
    grantAssumeMemberRole(this, props.config);
  }

  /** What the member execution role grants this control. */
  static memberStatements({ account, inGoverned }: MemberScope): iam.PolicyStatement[] {
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
      // cluster, service and task that made it; the actions only list names in the member's own
      // account, and listing has no resource type narrower than "*".
      new iam.PolicyStatement({
        sid: 'FlowLogEcsFields',
        actions: [
          'ecs:ListClusters',
          'ecs:ListContainerInstances',
          'ecs:ListServices',
          'ecs:ListTaskDefinitions',
          'ecs:ListTasks',
        ],
        resources: ['*'],
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
    ];
  }
}
