import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { LogwardenConfig } from '../../../contracts/config';
import { accountTrailArn, organizationTrailArn } from '../../../contracts/names';
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
function trailDependencies(config: LogwardenConfig, account: string): iam.PolicyStatement[] {
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
  if (config.trail.cloudWatchLogsRoleArn) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'PassTrailCloudWatchLogsRole',
        actions: ['iam:PassRole'],
        resources: [config.trail.cloudWatchLogsRoleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
      }),
    );
  }
  return statements;
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
            trailCwlGroupArn: config.trail.cloudWatchLogsGroupArn,
            trailCwlRoleArn: config.trail.cloudWatchLogsRoleArn,
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
    for (const s of trailDependencies(config, Stack.of(this).account)) this.addToRolePolicy(s);
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
      ...trailDependencies(config, account),
    ];
  }
}
