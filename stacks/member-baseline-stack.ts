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
import type { MemberScope } from './control-plane/controls/control';
import { FlowLogsControl } from './control-plane/controls/flow-logs';
import { SubscriptionControl } from './control-plane/controls/subscription';
import { TrailControl, TrailLogs } from './control-plane/controls/trail';
import type { LogwardenConfig } from '../contracts/config';
import {
  accountTrailArn,
  controlBusArn,
  controlRoleArn,
  flowLogsCrossAccountRoleArn,
  flowLogsFirehoseSourceRoleArn,
  memberControls,
  names,
} from '../contracts/names';

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
    const memberScope: MemberScope = { config, account, inGoverned };
    const inEachRegionFinding = (service: string, resource: string) =>
      config.governedRegions.map(
        (r) => `AwsSolutions-IAM5[Resource::arn:aws:${service}:${r}:<AWS::AccountId>:${resource}]`,
      );

    const isHomeRegion = new CfnCondition(this, 'IsHomeRegion', {
      expression: Fn.conditionEquals(this.region, config.homeRegion),
    });
    const homeRegionOnly = (role: iam.Role) => {
      (role.node.defaultChild as iam.CfnRole).cfnOptions.condition = isHomeRegion;
    };

    const execution = new iam.Role(this, 'ExecutionRole', {
      roleName: names.memberExecutionRole,
      description: 'Assumed by the logwarden control-plane functions to verify and repair logging coverage',
      // Exactly the control functions' roles, by ARN: a `logwarden-control-*` pattern would trust
      // any role someone in the security-tooling account names that way. IAM resolves each ARN
      // when the trust is written, so the control plane (which creates these roles) deploys first.
      assumedBy: new iam.PrincipalWithConditions(
        new iam.CompositePrincipal(
          ...memberControls.map((fn) => new iam.ArnPrincipal(controlRoleArn(fn, controlAccount))),
        ),
        { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
      ),
      inlinePolicies: {
        // Each control's own statements (stacks/control-plane/controls/), then one Deny for all.
        coverage: new iam.PolicyDocument({
          statements: [
            ...[FlowLogsControl, TrailControl, SubscriptionControl].flatMap((control) =>
              control.memberStatements(memberScope),
            ),
            // The pipeline's own log groups (log-archive and security-tooling accounts, which the
            // StackSet also covers) never get a subscription or a changed setting from this role:
            // subscribing them would feed the pipeline its own output. A Deny, not an account
            // filter, so those two accounts keep every other repair.
            new iam.PolicyStatement({
              sid: 'NeverTouchPipelineLogGroups',
              effect: iam.Effect.DENY,
              actions: [
                'logs:PutSubscriptionFilter',
                'logs:DeleteSubscriptionFilter',
                'logs:CreateLogGroup',
                'logs:DeleteLogGroup',
                'logs:PutRetentionPolicy',
                'logs:TagResource',
              ],
              resources: [names.pipelineLogGroupPrefix, names.controlLogGroupPrefix].map(
                (prefix) => `arn:aws:logs:*:*:log-group:${prefix}*`,
              ),
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
          // "The IAM policy that's attached to your IAM role must include at least the following
          // permissions" (Amazon VPC User Guide, "IAM role for publishing flow logs to CloudWatch
          // Logs"): these five, here on logwarden's flow-log groups; DescribeLogGroups has no
          // resource type (Service Authorization Reference, CloudWatch Logs).
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:PutLogEvents',
                'logs:DescribeLogStreams',
              ],
              resources: inGoverned(
                (r) => `arn:aws:logs:${r}:${account}:log-group:${names.flowLogGroupPrefix}*`,
              ),
            }),
            new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }),
          ],
        }),
      },
    });
    homeRegionOnly(delivery);

    if (config.scope.coverManagementAccount) {
      // The management account's regions can only be listed in its own standalone context ("The
      // management account can only be managed using the standalone context from the management
      // account"; a delegated administrator's AccountId "must be a member account in the same
      // organization", Account API Reference): list-regions assumes this role, created only where
      // this template is deployed in the management account (by hand: StackSets never deploy there).
      const inManagement = new CfnCondition(this, 'IsManagementAccountHomeRegion', {
        expression: Fn.conditionAnd(
          isHomeRegion,
          Fn.conditionEquals(this.account, config.accounts.management),
        ),
      });
      const regionLister = new iam.Role(this, 'ManagementRegionListerRole', {
        roleName: names.managementRegionListerRole,
        description: "Lets logwarden's list-regions read the management account's enabled regions",
        assumedBy: new iam.PrincipalWithConditions(
          new iam.ArnPrincipal(controlRoleArn('list-regions', controlAccount)),
          { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
        ),
        inlinePolicies: {
          regions: new iam.PolicyDocument({
            statements: [new iam.PolicyStatement({ actions: ['account:ListRegions'], resources: ['*'] })],
          }),
        },
      });
      (regionLister.node.defaultChild as iam.CfnRole).cfnOptions.condition = inManagement;
      acknowledge(
        regionLister,
        'account:ListRegions takes no resource-level permission in the standalone context (SAR).',
        'AwsSolutions-IAM5[Resource::*]',
      );
    }

    if (config.flowLogs.delivery === 'firehose') {
      // flowLogs.delivery firehose: the source account role ("mySourceRole") of the VPC User
      // Guide's "IAM roles for cross account delivery": trusted by the log delivery service,
      // granted the guide's log-delivery actions and to assume the log-archive account's
      // cross-account role, which alone may reach the streams.
      const firehoseSource = new iam.Role(this, 'FlowLogsFirehoseSourceRole', {
        roleName: names.flowLogsFirehoseSourceRole,
        description:
          'Lets VPC Flow Logs deliver to the logwarden Firehose streams of the log-archive account',
        assumedBy: new iam.ServicePrincipal('delivery.logs.amazonaws.com', {
          // The guide's trust has no condition and does not say which source keys the service
          // sets: IfExists keeps the role usable and refuses another account when the key is set.
          conditions: { StringEqualsIfExists: { 'aws:SourceAccount': account } },
        }),
        inlinePolicies: {
          deliver: new iam.PolicyDocument({
            statements: [
              new iam.PolicyStatement({
                actions: [
                  'logs:CreateLogDelivery',
                  'logs:DeleteLogDelivery',
                  'logs:ListLogDeliveries',
                  'logs:GetLogDelivery',
                ],
                resources: ['*'],
              }),
              new iam.PolicyStatement({
                actions: ['sts:AssumeRole'],
                resources: [flowLogsCrossAccountRoleArn(config.accounts.logArchive)],
              }),
              // The guide's first statement of the source role: "The condition statements ensure
              // that this role is passed only to the log delivery service, and only when
              // monitoring the specified resource" (VPC User Guide, "IAM roles for cross account
              // delivery", source account role); here any VPC of this account.
              new iam.PolicyStatement({
                actions: ['iam:PassRole'],
                resources: [flowLogsFirehoseSourceRoleArn(account)],
                conditions: {
                  StringEquals: { 'iam:PassedToService': 'delivery.logs.amazonaws.com' },
                  StringLike: { 'iam:AssociatedResourceARN': `arn:aws:ec2:*:${account}:vpc/*` },
                },
              }),
            ],
          }),
        },
      });
      homeRegionOnly(firehoseSource);
      acknowledge(
        firehoseSource,
        'The log-delivery actions have no resource type in the Service Authorization Reference; the VPC User Guide grants them on "*" to the source role.',
        'AwsSolutions-IAM5[Resource::*]',
      );
    }

    // CloudWatch Logs guide, account-level subscriptions, "Step 2: (Only if using an
    // organization) Create an IAM role": the central destinations' policy grants the
    // organization, so the account subscription policy names a role of the sending account that
    // CloudWatch Logs assumes to validate the sender (the control passes it as RoleArn).
    const subscriptionRole = new iam.Role(this, 'SubscriptionRole', {
      roleName: names.subscriptionRole,
      description:
        'Assumed by CloudWatch Logs to validate the subscription of this account to the logwarden destinations',
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        // The guide's trust has no condition and does not say which source keys CloudWatch Logs
        // sets here: IfExists keeps the role usable and refuses other sources when they are set.
        conditions: {
          StringEqualsIfExists: { 'aws:SourceAccount': account },
          StringLikeIfExists: { 'aws:SourceArn': `arn:aws:logs:*:${account}:*` },
        },
      }),
      inlinePolicies: {
        validate: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:PutLogEvents'],
              resources: inGoverned((r) => `arn:aws:logs:${r}:${account}:log-group:*`),
            }),
          ],
        }),
      },
    });
    homeRegionOnly(subscriptionRole);
    acknowledge(
      subscriptionRole,
      'The account subscription policy covers every log group of the account by design; CloudWatch Logs only validates the sender with it.',
      ...inEachRegionFinding('logs', 'log-group:*'),
    );

    // Account mode: each account's trail delivers to its own account's group through its own
    // role (the caller of CreateTrail/UpdateTrail is the member), created here in the home region.
    if (config.trail.mode === 'account') {
      new TrailLogs(this, 'AccountTrailLogs', {
        homeRegion: config.homeRegion,
        trailArn: accountTrailArn(config.homeRegion, account, config.trail.name),
        condition: isHomeRegion,
      });
    }

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
      'Actions without a resource type in the Service Authorization Reference, which only "*" grants (the IAM gate fails "*" for any other): ec2:DescribeVpcs/DescribeFlowLogs, logs:DescribeLogGroups/DescribeAccountPolicies/PutAccountPolicy, cloudtrail:DescribeTrails, and ecs:ListClusters/ListServices/ListTaskDefinitions (CreateFlowLogs depends on them for the ECS fields).',
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
      "CreateFlowLogs depends on ecs:ListContainerInstances (resource type cluster) and ecs:ListTasks (container-instance) for the ECS fields; any of the member's clusters may run tasks in a logged VPC.",
      ...inEachRegion('ecs', 'cluster/*'),
      ...inEachRegion('ecs', 'container-instance/*'),
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
      delivery,
      'logs:DescribeLogGroups, which the VPC guide requires of the delivery role, has no resource type in the Service Authorization Reference; only "*" grants it, and it reads names only.',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      delivery,
      'Limited to the flow-log groups logwarden creates, one per format.',
      ...inEachRegion('logs', 'log-group:/logwarden/vpc-flow-logs/*'),
    );
  }
}
