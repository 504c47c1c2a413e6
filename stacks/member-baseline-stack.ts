import {
  CfnCondition,
  DefaultStackSynthesizer,
  Fn,
  type ICfnConditionExpression,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { memberForwardedTriggers } from '../events/patterns';
import { acknowledge } from '../workflows/acknowledge';
import type { LogwardenConfig } from '../contracts/config';
import { controlBusArn, names } from '../contracts/names';

/** The regions the member-baseline StackSet deploys to: the governed ones, and us-east-1. */
export function memberBaselineRegions(config: LogwardenConfig): string[] {
  return [...new Set([...config.governedRegions, 'us-east-1'])];
}

/** A condition true in any of the regions (Fn::Or takes 2 to 10 conditions, so they nest). */
function regionIn(scope: Construct, id: string, regions: readonly string[]): CfnCondition {
  const equals = regions.map((r) => Fn.conditionEquals(Stack.of(scope).region, r));
  const or = (list: ICfnConditionExpression[]): ICfnConditionExpression =>
    list.length === 1
      ? list[0]
      : list.length <= 10
        ? Fn.conditionOr(...list)
        : Fn.conditionOr(...chunks(list, 10).map(or));
  return new CfnCondition(scope, id, { expression: or(equals) });
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export interface MemberBaselineStackProps extends StackProps {
  readonly config: LogwardenConfig;
}

/**
 * What every member account carries, deployed by a service-managed StackSet to every governed
 * region. IAM roles are global, so only the home-region instance creates them.
 */
export class MemberBaselineStack extends Stack {
  constructor(scope: Construct, id: string, props: MemberBaselineStackProps) {
    super(scope, id, {
      ...props,
      // StackSet instances run in accounts that were never bootstrapped.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      description:
        'logwarden member baseline: control-plane execution role, flow-log delivery role, event forwarding',
    });
    const { config } = props;
    const controlAccount = config.accounts.securityTooling;
    const inGoverned = (arn: (region: string) => string) => config.governedRegions.map(arn);
    const account = this.account;

    const isHomeRegion = new CfnCondition(this, 'IsHomeRegion', {
      expression: Fn.conditionEquals(this.region, config.homeRegion),
    });
    const homeRegionOnly = (role: iam.Role) => {
      (role.node.defaultChild as iam.CfnRole).cfnOptions.condition = isHomeRegion;
    };

    const execution = new iam.Role(this, 'ExecutionRole', {
      roleName: names.memberExecutionRole,
      description: 'Assumed by the logwarden control-plane functions to verify and repair logging coverage',
      assumedBy: new iam.AccountPrincipal(controlAccount).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
        ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${controlAccount}:role/logwarden-control-*` },
      }),
      inlinePolicies: {
        coverage: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DescribeCoverage',
              actions: [
                'ec2:DescribeVpcs',
                'ec2:DescribeFlowLogs',
                'logs:DescribeLogGroups',
                'logs:DescribeAccountPolicies',
                'logs:DescribeSubscriptionFilters',
                'cloudtrail:DescribeTrails',
                'cloudtrail:GetTrailStatus',
                'cloudtrail:GetEventSelectors',
                'guardduty:ListDetectors',
              ],
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
            new iam.PolicyStatement({
              sid: 'RepairOwnLogGroups',
              actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
              resources: inGoverned(
                (r) => `arn:aws:logs:${r}:${account}:log-group:${names.ownLogGroupPrefix}*`,
              ),
            }),
            new iam.PolicyStatement({
              sid: 'RepairSubscriptionPolicy',
              actions: ['logs:PutAccountPolicy', 'logs:PutSubscriptionFilter'],
              resources: [
                ...inGoverned((r) => `arn:aws:logs:${r}:${account}:log-group:*`),
                ...inGoverned(
                  (r) =>
                    `arn:aws:logs:${r}:${config.accounts.logArchive}:destination:${names.logsDestination}`,
                ),
              ],
            }),
            new iam.PolicyStatement({
              sid: 'PassFlowLogsDeliveryRole',
              actions: ['iam:PassRole'],
              resources: [`arn:aws:iam::${account}:role/${names.flowLogsDeliveryRole}`],
              conditions: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
            }),
            new iam.PolicyStatement({
              sid: 'RepairAccountTrail',
              actions: [
                'cloudtrail:StartLogging',
                'cloudtrail:PutEventSelectors',
                'cloudtrail:CreateTrail',
                'cloudtrail:UpdateTrail',
              ],
              resources: [`arn:aws:cloudtrail:${config.homeRegion}:${account}:trail/${config.trail.name}`],
            }),
            new iam.PolicyStatement({
              sid: 'RepairGuardDuty',
              actions: [
                'guardduty:GetDetector',
                'guardduty:GetAdministratorAccount',
                'guardduty:CreateDetector',
                'guardduty:UpdateDetector',
                'guardduty:AcceptAdministratorInvitation',
              ],
              resources: inGoverned((r) => `arn:aws:guardduty:${r}:${account}:detector/*`),
            }),
          ],
        }),
      },
    });
    homeRegionOnly(execution);

    const delivery = new iam.Role(this, 'FlowLogsDeliveryRole', {
      roleName: names.flowLogsDeliveryRole,
      description: 'Lets VPC Flow Logs deliver to logwarden flow-log groups in this account',
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      inlinePolicies: {
        deliver: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
              resources: inGoverned(
                (r) => `arn:aws:logs:${r}:${account}:log-group:${names.ownLogGroupPrefix}vpc-flow-logs/*`,
              ),
            }),
          ],
        }),
      },
    });
    homeRegionOnly(delivery);

    const forwardRole = new iam.Role(this, 'ForwardEventsRole', {
      roleName: names.forwardEventsRole,
      description: 'Lets EventBridge forward logwarden trigger events to the control-plane bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      inlinePolicies: {
        forward: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['events:PutEvents'],
              resources: [controlBusArn(config.homeRegion, controlAccount)],
            }),
          ],
        }),
      },
    });
    homeRegionOnly(forwardRole);

    // Rules exist in every region of the StackSet; the role they use comes from the home-region
    // instance, which the StackSet deploys first (see its region order). The StackSet also
    // reaches us-east-1 when it is not governed: there only the triggers members see in
    // us-east-1 (region opt-in) are forwarded.
    const isGovernedRegion = regionIn(this, 'IsGovernedRegion', config.governedRegions);
    const isUsEast1 = new CfnCondition(this, 'IsUsEast1', {
      expression: Fn.conditionEquals(this.region, 'us-east-1'),
    });
    for (const trigger of memberForwardedTriggers) {
      const rule = new events.CfnRule(this, `Forward-${trigger.id}`, {
        name: `logwarden-forward-${trigger.id}`,
        description: `logwarden: forward to the control plane: ${trigger.description}`,
        eventPattern: trigger.pattern,
        state: 'ENABLED',
        targets: [
          {
            id: 'ControlBus',
            arn: controlBusArn(config.homeRegion, controlAccount),
            roleArn: `arn:aws:iam::${account}:role/${names.forwardEventsRole}`,
          },
        ],
      });
      rule.cfnOptions.condition = trigger.memberRegions === 'us-east-1' ? isUsEast1 : isGovernedRegion;
    }

    // Resource wildcards, per governed region, each with the reason it cannot be narrower.
    const inEachRegion = (service: string, resource: string) =>
      config.governedRegions.map(
        (r) => `AwsSolutions-IAM5[Resource::arn:aws:${service}:${r}:<AWS::AccountId>:${resource}]`,
      );
    acknowledge(
      execution,
      'Only Describe/List actions of EC2 flow logs, CloudWatch Logs, CloudTrail and GuardDuty, which do not support resource-level permissions.',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      execution,
      'Every VPC of the account must get a flow log, including VPCs created after deployment.',
      ...inEachRegion('ec2', 'vpc/*'),
    );
    acknowledge(
      execution,
      'Flow-log ids are generated by EC2 at creation time; CreateFlowLogs tags the new flow log.',
      ...inEachRegion('ec2', 'vpc-flow-log/*'),
    );
    acknowledge(
      execution,
      'Limited to the log groups logwarden owns, named under its own prefix.',
      ...inEachRegion('logs', 'log-group:/logwarden/*'),
    );
    acknowledge(
      execution,
      'The account-level subscription policy applies to every log group of the account by design.',
      ...inEachRegion('logs', 'log-group:*'),
    );
    acknowledge(
      execution,
      'Detector ids are generated by GuardDuty; there is at most one detector per region.',
      ...inEachRegion('guardduty', 'detector/*'),
    );
    acknowledge(
      delivery,
      'Limited to the flow-log groups logwarden creates, one per format.',
      ...inEachRegion('logs', 'log-group:/logwarden/vpc-flow-logs/*'),
    );
  }
}
