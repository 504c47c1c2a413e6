import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { destinationArn, subscriptionRoleArn } from '../../../contracts/names';
import { ensureSubscriptionEnv } from '../../../functions/ensure-subscription/env';
import { NodeFunction } from '../../node-function';
import { grantTableKeyDecrypt } from '../../secure-key';
import { controlModeEnv } from '../../../functions/shared/control-handler';
import { grantAssumeMemberRole, controlFunctionProps, type ControlProps, type MemberScope } from './control';

/**
 * The subscription control: the account subscription policy to the region's central
 * destination. It acts only in the member ({@link SubscriptionControl.memberStatements}).
 */
export interface SubscriptionControlProps extends ControlProps {
  /** The coverage ledger: the control reads its cell's previous row (GetItem only). */
  readonly ledger: dynamodb.ITable;
}

export class SubscriptionControl extends NodeFunction {
  constructor(scope: Construct, id: string, props: SubscriptionControlProps) {
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
            ledgerTable: props.ledger.tableName,
            ledgerRegion: Stack.of(scope).region,
          }),
          ...controlModeEnv.environment({ logwardenMode: props.config.mode }),
        },
        props.logKey,
      ),
    );
    grantAssumeMemberRole(this, props.config);
    // Whether logwarden's own per-group filters may be left from a fallback: the cell's row.
    // The ledger is under a customer managed key: reading an item needs kms:Decrypt through
    // DynamoDB, which Table.grant with a named action does not add (stacks/secure-key.ts).
    props.ledger.grant(this, 'dynamodb:GetItem');
    grantTableKeyDecrypt(props.ledger, this);
  }

  static memberStatements({ config, account, inGoverned }: MemberScope): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'DescribeSubscriptions',
        actions: ['logs:DescribeLogGroups', 'logs:DescribeAccountPolicies'],
        resources: ['*'],
      }),
      // SAR: DescribeSubscriptionFilters acts on a log group; any group of the account may need
      // its filters read (the fallback beside a foreign account policy subscribes each group).
      new iam.PolicyStatement({
        sid: 'DescribeSubscriptionFilters',
        actions: ['logs:DescribeSubscriptionFilters'],
        resources: inGoverned((r) => `arn:aws:logs:${r}:${account}:log-group:*`),
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
      // After a fallback, once logwarden's account policy covers the account, logwarden removes
      // its own per-group filters: account-level and log-group-level filters are additive
      // (CloudWatch Logs API Reference, PutAccountPolicy), so each event would arrive twice. SAR:
      // DeleteSubscriptionFilter acts on a log group. The member role's Deny on the pipeline's
      // own log groups (member-baseline-stack.ts) still applies.
      new iam.PolicyStatement({
        sid: 'RemoveOwnFallbackFilters',
        actions: ['logs:DeleteSubscriptionFilter'],
        resources: inGoverned((r) => `arn:aws:logs:${r}:${account}:log-group:*`),
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
