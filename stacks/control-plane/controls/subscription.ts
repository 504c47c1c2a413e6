import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { destinationArn, subscriptionRoleArn } from '../../../contracts/names';
import { ensureSubscriptionEnv } from '../../../functions/ensure-subscription/env';
import { NodeFunction } from '../../node-function';
import { controlModeEnv } from '../../../functions/shared/control-handler';
import { grantAssumeMemberRole, controlFunctionProps, type ControlProps, type MemberScope } from './control';

/**
 * The subscription control: the account subscription policy to the region's central
 * destination. It acts only in the member ({@link SubscriptionControl.memberStatements}).
 */
export class SubscriptionControl extends NodeFunction {
  constructor(scope: Construct, id: string, props: ControlProps) {
    super(
      scope,
      id,
      controlFunctionProps(
        'ensure-subscription',
        'Control: the account subscription policy to the central destination',
        {
          ...ensureSubscriptionEnv.environment({
            logArchiveAccount: props.config.accounts.logArchive,
            besideForeignPolicy: props.config.subscription.besideForeignPolicy,
          }),
          ...controlModeEnv.environment({ logwardenMode: props.config.mode }),
        },
        props.logKey,
      ),
    );
    grantAssumeMemberRole(this, props.config);
  }

  static memberStatements({ config, account, inGoverned }: MemberScope): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'DescribeSubscriptions',
        actions: [
          'logs:DescribeLogGroups',
          'logs:DescribeAccountPolicies',
          'logs:DescribeSubscriptionFilters',
        ],
        resources: ['*'],
      }),
      // PutAccountPolicy has no resource type (SAR): only "*" grants it. The API reference also
      // requires PutSubscriptionFilter for a subscription filter policy, which stays scoped to
      // the account's log groups and the central destinations.
      new iam.PolicyStatement({
        sid: 'RepairSubscriptionPolicy',
        actions: ['logs:PutAccountPolicy'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'SubscribeToCentralDestination',
        actions: ['logs:PutSubscriptionFilter'],
        resources: [
          ...inGoverned((r) => `arn:aws:logs:${r}:${account}:log-group:*`),
          ...inGoverned((r) => destinationArn(r, config.accounts.logArchive)),
        ],
      }),
      // The policy document names the member's subscription role (RoleArn), which the
      // CloudWatch Logs guide requires when the destination policy grants the organization.
      new iam.PolicyStatement({
        sid: 'PassSubscriptionRole',
        actions: ['iam:PassRole'],
        resources: [subscriptionRoleArn(account)],
        conditions: { StringEquals: { 'iam:PassedToService': 'logs.amazonaws.com' } },
      }),
    ];
  }
}
