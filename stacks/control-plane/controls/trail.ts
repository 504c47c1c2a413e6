import { CfnCondition, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accountTrailArn, names, organizationTrailArn, trailLogsRoleArn } from '../../../contracts/names';
import { ensureTrailEnv } from '../../../functions/ensure-trail/env';
import { acknowledge } from '../../../workflows/acknowledge';
import { NodeFunction } from '../../node-function';
import { controlModeEnv } from '../../../functions/shared/control-handler';
import { grantAssumeMemberRole, controlFunctionProps, type ControlProps, type MemberScope } from './control';

/** CloudTrail's service-linked role, which CreateTrail and UpdateTrail depend on (SAR). */
function cloudTrailServiceLinkedRole(account: string): string {
  return `arn:aws:iam::${account}:role/aws-service-role/cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail`;
}

/**
 * What creating and repairing a trail needs besides the trail itself. SAR: CreateTrail with
 * TagsList depends on cloudtrail:AddTags (granted with the trail); CreateTrail and UpdateTrail
 * depend on CloudTrail's service-linked role (iam:GetRole, iam:CreateServiceLinkedRole) and on
 * organizations:ListAWSServiceAccessForOrganization; a CloudWatchLogsRoleArn is passed to CloudTrail.
 */
function trailDependencies(account: string): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'CloudTrailServiceLinkedRole',
      actions: ['iam:GetRole', 'iam:CreateServiceLinkedRole'],
      resources: [cloudTrailServiceLinkedRole(account)],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeTrailsAndOrganization',
      actions: ['cloudtrail:DescribeTrails', 'organizations:ListAWSServiceAccessForOrganization'],
      resources: ['*'],
    }),
  ];
  // The trail's CloudWatch Logs role, of the calling account (IAM passes only its own roles).
  statements.push(
    new iam.PolicyStatement({
      sid: 'PassTrailCloudWatchLogsRole',
      actions: ['iam:PassRole'],
      resources: [trailLogsRoleArn(account)],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
    }),
  );
  return statements;
}

export interface TrailLogsProps {
  /** The trail's home region, where its group is (the stack's region, or the StackSet's home instance). */
  readonly homeRegion: string;
  /** The trail's ARN, which CloudTrail names as aws:SourceArn when it assumes the role. */
  readonly trailArn: string;
  /** Encrypts the group (the control plane's log key); CloudWatch Logs' own encryption without it. */
  readonly key?: kms.IKey;
  /** In a StackSet: only where this holds (the home region's instance). */
  readonly condition?: CfnCondition;
}

/**
 * The trail's CloudWatch Logs group and the role CloudTrail delivers with, in the account that
 * calls CreateTrail/UpdateTrail: "Both the CloudWatch Logs log group and log role must exist in
 * the calling account" (CloudTrail User Guide, "Organization delegated administrator", footnote
 * 1). The control plane creates the organization trail's (security-tooling), the member
 * baseline each account trail's. The account subscription policy sends the group to the
 * pipeline like any other group of the account.
 */
export class TrailLogs extends Construct {
  constructor(scope: Construct, id: string, props: TrailLogsProps) {
    super(scope, id);
    const { account } = Stack.of(this);
    const region = props.homeRegion;
    const group = new logs.LogGroup(this, 'Group', {
      logGroupName: names.trailLogGroup,
      encryptionKey: props.key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudTrail User Guide, "Sending events to CloudWatch Logs": the role allows
    // logs:CreateLogStream and logs:PutLogEvents on the group's streams.
    const role = new iam.Role(this, 'Role', {
      roleName: names.trailLogsRole,
      description: 'Assumed by CloudTrail to deliver the logwarden trail to its CloudWatch Logs group',
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', {
        // Only for logwarden's trail whenever CloudTrail names its source.
        conditions: { ArnLikeIfExists: { 'aws:SourceArn': props.trailArn } },
      }),
      inlinePolicies: {
        deliver: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [`arn:aws:logs:${region}:${account}:log-group:${names.trailLogGroup}:log-stream:*`],
            }),
          ],
        }),
      },
    });
    if (props.condition) {
      (group.node.defaultChild as logs.CfnLogGroup).cfnOptions.condition = props.condition;
      (role.node.defaultChild as iam.CfnRole).cfnOptions.condition = props.condition;
    }
    // cdk-nag writes an unresolved account (the StackSet's body) as <AWS::AccountId>.
    const findingAccount = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    acknowledge(
      role,
      'CloudTrail names the streams it creates in the trail’s group; the grant is limited to that one group.',
      `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:${findingAccount}:log-group:${names.trailLogGroup}:log-stream:*]`,
    );
  }
}

const TRAIL_ACTIONS = [
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  'cloudtrail:StartLogging',
  'cloudtrail:PutEventSelectors',
  'cloudtrail:UpdateTrail',
  'cloudtrail:CreateTrail',
  'cloudtrail:AddTags',
];

/**
 * The trail control. The organization trail is managed from the control plane as CloudTrail
 * delegated admin; an account trail in the member, through the member execution role.
 */
export class TrailControl extends NodeFunction {
  constructor(scope: Construct, id: string, props: ControlProps) {
    const { config } = props;
    super(
      scope,
      id,
      controlFunctionProps(
        'ensure-trail',
        'Control: the organization or account trail, logging management events',
        {
          ...ensureTrailEnv.environment({
            trailMode: config.trail.mode,
            trailOwner: config.trail.owner,
            trailName: config.trail.name,
            homeRegion: config.homeRegion,
            managementAccount: config.accounts.management,
            trailS3Bucket: config.trail.s3BucketName,
            trailKmsKeyArn: config.trail.kmsKeyArn,
            securityToolingAccount: config.accounts.securityTooling,
          }),
          ...controlModeEnv.environment({ logwardenMode: config.mode }),
        },
        props.logKey,
      ),
    );
    grantAssumeMemberRole(this, config);
    if (config.trail.mode === 'external') {
      // Someone else's trail: read it, never change it (no write is granted at all).
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'VerifyExternalTrail',
          actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
          resources: [organizationTrailArn(config.homeRegion, config.accounts.management, config.trail.name)],
        }),
      );
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeTrails',
          actions: ['cloudtrail:DescribeTrails'],
          resources: ['*'],
        }),
      );
      acknowledge(
        this.role!,
        'cloudtrail:DescribeTrails takes no resource-level permission (SAR).',
        'AwsSolutions-IAM5[Resource::*]',
      );
      return;
    }
    if (config.trail.mode !== 'organization') return;
    // The organization trail's group and role, in this (the calling) account.
    new TrailLogs(this, 'OrganizationTrailLogs', {
      homeRegion: config.homeRegion,
      trailArn: organizationTrailArn(config.homeRegion, config.accounts.management, config.trail.name),
      key: props.logKey,
    });

    // CloudTrail: "the management account remains the owner of any CloudTrail organization
    // resources the delegated administrator creates", so the trail's ARN carries the management
    // account's id, not this one's.
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationTrailAsDelegatedAdmin',
        actions: TRAIL_ACTIONS,
        resources: [organizationTrailArn(config.homeRegion, config.accounts.management, config.trail.name)],
      }),
    );
    // Registering the delegated admin with `aws cloudtrail register-organization-delegated-admin`
    // creates the service-linked role in this account.
    for (const s of trailDependencies(Stack.of(this).account)) this.addToRolePolicy(s);
    acknowledge(
      this.role!,
      'DescribeTrails and the Organizations reads CloudTrail depends on take no resource-level permission (SAR).',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }

  /** In account mode the member role repairs the account's own trail; otherwise it writes none. */
  static memberStatements({ config, account }: MemberScope): iam.PolicyStatement[] {
    const read = new iam.PolicyStatement({
      sid: 'DescribeTrails',
      actions: ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
      resources: ['*'],
    });
    if (config.trail.mode !== 'account') return [read];
    return [
      read,
      new iam.PolicyStatement({
        sid: 'RepairAccountTrail',
        actions: TRAIL_ACTIONS.filter((a) => !a.startsWith('cloudtrail:Get')),
        resources: [accountTrailArn(config.homeRegion, account, config.trail.name)],
      }),
      ...trailDependencies(account),
    ];
  }
}
