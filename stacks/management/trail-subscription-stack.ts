import { Arn, ArnFormat, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LogwardenConfig } from '../../contracts/config';
import { acknowledge } from '../../workflows/acknowledge';
import { destinationArn, subscriptionPolicyName } from '../../contracts/names';

export interface ManagementTrailSubscriptionStackProps extends StackProps {
  readonly config: LogwardenConfig;
  /** The external organization trail's CloudWatch Logs group (`trail.cloudWatchLogsGroupArn`, trail.mode external). */
  readonly logGroupArn: string;
}

/** The region and name of a CloudWatch Logs group, from its ARN (with or without the `:*` suffix). */
export function logGroupOf(arn: string): { region: string; account: string; name: string } {
  const parts = Arn.split(arn.replace(/:\*$/, ''), ArnFormat.COLON_RESOURCE_NAME);
  if (parts.service !== 'logs' || parts.resource !== 'log-group' || !parts.resourceName) {
    throw new Error(`trail.cloudWatchLogsGroupArn: ${arn} is not a CloudWatch Logs group ARN`);
  }
  return { region: parts.region!, account: parts.account!, name: parts.resourceName };
}

/**
 * An external organization trail (trail.mode external: Control Tower's, LZA's), created by the
 * management account, may deliver to a CloudWatch Logs group there, where no member baseline
 * subscribes anything. (logwarden's own trails deliver to its group in the calling account,
 * subscribed by the account policy: stacks/control-plane/controls/trail.ts TrailLogs.) This stack, in the management account and the group's region, subscribes
 * that group to the region's central destination, so the organization's CloudTrail reaches the
 * pipeline, the tamper alerts and the freshness alarm.
 */
export class ManagementTrailSubscriptionStack extends Stack {
  constructor(scope: Construct, id: string, props: ManagementTrailSubscriptionStackProps) {
    super(scope, id, props);
    const { config } = props;
    const group = logGroupOf(props.logGroupArn);
    if (group.account !== config.accounts.management) {
      throw new Error(
        `trail.cloudWatchLogsGroupArn: an organization trail's log group is in the management account (${config.accounts.management}), not ${group.account}`,
      );
    }
    if (group.region !== this.region || group.account !== this.account) {
      throw new Error(
        `the stack subscribing ${props.logGroupArn} must be deployed in its account and region`,
      );
    }
    if (!config.governedRegions.includes(group.region)) {
      throw new Error(
        `trail.cloudWatchLogsGroupArn: ${group.region} is not a governed region, so it has no central destination to subscribe to`,
      );
    }

    // CloudWatch Logs guide, cross-account subscriptions "(Only if using an organization) Create
    // an IAM role": when the destination policy grants the organization rather than accounts,
    // the sender names a role in its own account that CloudWatch Logs assumes to validate it.
    const role = new iam.Role(this, 'SubscriptionRole', {
      description: 'Assumed by CloudWatch Logs to validate the organization trail subscription to logwarden',
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        // The guide's trust has no condition and does not say which source keys CloudWatch Logs
        // sets here: IfExists keeps the role usable either way and refuses any other source
        // whenever the keys are present.
        conditions: {
          StringEqualsIfExists: { 'aws:SourceAccount': this.account },
          StringLikeIfExists: { 'aws:SourceArn': `arn:aws:logs:${this.region}:${this.account}:*` },
        },
      }),
      inlinePolicies: {
        subscription: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:PutLogEvents'],
              resources: [`arn:aws:logs:${this.region}:${this.account}:log-group:${group.name}:*`],
            }),
          ],
        }),
      },
    });

    acknowledge(
      role,
      'The streams of the trail’s log group are created by CloudTrail with generated names; the grant is limited to that one group.',
      `AwsSolutions-IAM5[Resource::arn:aws:logs:${this.region}:${this.account}:log-group:${group.name}:*]`,
    );

    new logs.CfnSubscriptionFilter(this, 'TrailToPipeline', {
      logGroupName: group.name,
      // The pipeline reads the region back from the filter name (contracts/names.ts).
      filterName: subscriptionPolicyName(group.region),
      filterPattern: '',
      destinationArn: destinationArn(group.region, config.accounts.logArchive),
      roleArn: role.roleArn,
    });
  }
}
