import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ControlFunctions } from '../../workflows/control-functions';
import { acknowledge, checkovSkip } from '../../workflows/acknowledge';
import type { LogwardenConfig } from '../../contracts/config';
import { controlRoleName, names } from '../../contracts/names';
import { NodeFunction } from '../node-function';
import { ensureFlowLogsEnv } from '../../functions/ensure-flow-logs/env';
import { ensureGuardDutyEnv } from '../../functions/ensure-guardduty/env';
import { ensureSubscriptionEnv } from '../../functions/ensure-subscription/env';
import { ensureTrailEnv } from '../../functions/ensure-trail/env';
import { listAccountsEnv } from '../../functions/list-accounts/env';
import { listRegionsEnv } from '../../functions/list-regions/env';
import { writeLedgerEnv } from '../../functions/write-ledger/env';

/** Retention of the log groups logwarden creates in members (flow logs, GuardDuty findings). */
const OWN_LOG_GROUP_RETENTION_DAYS = 365;

export interface CoverageFunctionsProps {
  readonly config: LogwardenConfig;
  readonly ledger: dynamodb.ITable;
  readonly summaryTopic: sns.ITopic;
  readonly logKey: kms.IKey;
}

/** CloudTrail's service-linked role, which organization trails use (SAR dependent actions). */
function cloudTrailServiceLinkedRole(account: string): string {
  return `arn:aws:iam::${account}:role/aws-service-role/cloudtrail.amazonaws.com/AWSServiceRoleForCloudTrail`;
}

/**
 * The control functions. Their roles have fixed names (`controlRoleName`): the member execution
 * role's trust names the four that act in members by ARN, within the organization.
 */
export class CoverageFunctions extends Construct implements ControlFunctions {
  readonly ensureFlowLogs: NodeFunction;
  readonly ensureTrail: NodeFunction;
  readonly ensureGuardDuty: NodeFunction;
  readonly ensureSubscription: NodeFunction;
  readonly writeLedger: NodeFunction;
  readonly listRegions: NodeFunction;
  readonly listAccounts: NodeFunction;
  readonly logKey: kms.IKey;

  constructor(scope: Construct, id: string, props: CoverageFunctionsProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    this.logKey = props.logKey;
    const fn = (name: string, description: string, environment: Record<string, string> = {}) =>
      new NodeFunction(this, name, {
        name,
        description,
        roleName: controlRoleName(name),
        timeout: Duration.minutes(5),
        logKey: props.logKey,
        environment,
      });
    const assumeMemberRole = new iam.PolicyStatement({
      sid: 'AssumeMemberExecutionRole',
      actions: ['sts:AssumeRole'],
      resources: [`arn:aws:iam::*:role/${names.memberExecutionRole}`],
      conditions: { StringEquals: { 'aws:ResourceOrgID': config.organizationId } },
    });

    this.ensureFlowLogs = fn(
      'ensure-flow-logs',
      'Control: an active logwarden flow log on every VPC of an account and region',
      ensureFlowLogsEnv.environment({
        acceptForeignFlowLogs: String(config.flowLogs.acceptForeignFlowLogs),
        flowLogRetentionDays: String(OWN_LOG_GROUP_RETENTION_DAYS),
      }),
    );
    this.ensureSubscription = fn(
      'ensure-subscription',
      'Control: the account subscription policy to the central destination',
      ensureSubscriptionEnv.environment({ logArchiveAccount: config.accounts.logArchive }),
    );
    this.ensureTrail = fn(
      'ensure-trail',
      'Control: the organization or account trail, logging management events',
      ensureTrailEnv.environment({
        trailMode: config.trail.mode,
        trailName: config.trail.name,
        homeRegion: config.homeRegion,
        trailS3Bucket: config.trail.s3BucketName,
        trailKmsKeyArn: config.trail.kmsKeyArn,
        trailCwlGroupArn: config.trail.cloudWatchLogsGroupArn,
        trailCwlRoleArn: config.trail.cloudWatchLogsRoleArn,
      }),
    );
    this.ensureGuardDuty = fn(
      'ensure-guardduty',
      'Control: GuardDuty admin, membership, detector and findings forwarding',
      ensureGuardDutyEnv.environment({
        securityToolingAccount: config.accounts.securityTooling,
        findingsRetentionDays: String(OWN_LOG_GROUP_RETENTION_DAYS),
      }),
    );
    for (const f of [this.ensureFlowLogs, this.ensureSubscription, this.ensureTrail, this.ensureGuardDuty])
      f.addToRolePolicy(assumeMemberRole);
    acknowledge(
      this,
      'Any member account of the organization may need repair; the statement is limited to the logwarden execution role name and to resources of this organization (aws:ResourceOrgID).',
      `AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/${names.memberExecutionRole}]`,
    );

    if (config.trail.mode === 'organization') {
      // CloudTrail: "the management account remains the owner of any CloudTrail organization
      // resources the delegated administrator creates", so the trail's ARN carries the
      // management account's id, not this one's.
      const trailArn = `arn:aws:cloudtrail:${config.homeRegion}:${config.accounts.management}:trail/${config.trail.name}`;
      this.ensureTrail.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'OrganizationTrailAsDelegatedAdmin',
          actions: [
            'cloudtrail:GetTrailStatus',
            'cloudtrail:GetEventSelectors',
            'cloudtrail:StartLogging',
            'cloudtrail:PutEventSelectors',
            'cloudtrail:UpdateTrail',
            'cloudtrail:CreateTrail',
            'cloudtrail:AddTags',
          ],
          resources: [trailArn],
        }),
      );
      this.ensureTrail.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeTrailsAndOrganization',
          actions: [
            'cloudtrail:DescribeTrails',
            'organizations:DescribeOrganization',
            'organizations:ListAWSServiceAccessForOrganization',
          ],
          resources: ['*'],
        }),
      );
      // SAR: CreateTrail and UpdateTrail of an organization trail depend on CloudTrail's
      // service-linked role (iam:GetRole, iam:CreateServiceLinkedRole); registering the delegated
      // administrator with `aws cloudtrail register-organization-delegated-admin` creates it.
      this.ensureTrail.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'CloudTrailServiceLinkedRole',
          actions: ['iam:GetRole', 'iam:CreateServiceLinkedRole'],
          resources: [cloudTrailServiceLinkedRole(stack.account)],
        }),
      );
      if (config.trail.cloudWatchLogsRoleArn) {
        this.ensureTrail.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'PassTrailCloudWatchLogsRole',
            actions: ['iam:PassRole'],
            resources: [config.trail.cloudWatchLogsRoleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'cloudtrail.amazonaws.com' } },
          }),
        );
      }
    }

    const findingsLogGroup = names.guardDutyFindingsLogGroup;
    const region = (r: string) => `arn:aws:logs:${r}:${stack.account}:log-group:${findingsLogGroup}`;
    this.ensureGuardDuty.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadGuardDutyAndOrganization',
        actions: [
          'guardduty:ListDetectors',
          'guardduty:DescribeOrganizationConfiguration',
          'guardduty:GetMembers',
          'guardduty:GetDetector',
          'organizations:DescribeAccount',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
        ],
        resources: ['*'],
      }),
    );
    this.ensureGuardDuty.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RepairAdminDetector',
        actions: ['guardduty:UpdateDetector'],
        resources: config.governedRegions.map((r) => `arn:aws:guardduty:${r}:${stack.account}:detector/*`),
      }),
    );
    // No resource type in the SAR: scoped to a detector ARN they would be denied on every call.
    this.ensureGuardDuty.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RepairGuardDutyAsDelegatedAdmin',
        actions: [
          'guardduty:UpdateOrganizationConfiguration',
          'guardduty:CreateMembers',
          'guardduty:StartMonitoringMembers',
          'guardduty:CreateDetector',
        ],
        resources: ['*'],
      }),
    );
    this.ensureGuardDuty.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindingsLogGroupResourcePolicy',
        actions: ['logs:PutResourcePolicy'],
        resources: ['*'],
      }),
    );
    checkovSkip(
      this.ensureGuardDuty.role as iam.Role,
      'logs:PutResourcePolicy takes no resource-level permission; it only writes the policy that lets EventBridge deliver findings to the findings log group.',
      'CKV_AWS_111',
    );
    acknowledge(
      this,
      'GuardDuty detector ids are generated by GuardDuty; there is one detector per account and region.',
      ...config.governedRegions.map(
        (r) => `AwsSolutions-IAM5[Resource::arn:aws:guardduty:${r}:${stack.account}:detector/*]`,
      ),
    );
    this.ensureGuardDuty.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindingsLogGroup',
        actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
        resources: config.governedRegions.flatMap((r) => [region(r), `${region(r)}:*`]),
      }),
    );
    this.ensureGuardDuty.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindingsRule',
        actions: ['events:PutRule', 'events:PutTargets', 'events:ListTargetsByRule'],
        resources: config.governedRegions.map(
          (r) => `arn:aws:events:${r}:${stack.account}:rule/${names.guardDutyFindingsRule}`,
        ),
      }),
    );

    this.writeLedger = fn(
      'write-ledger',
      'Writes the coverage ledger and sends one summary when something failed',
      writeLedgerEnv.environment({
        ledgerTable: props.ledger.tableName,
        summaryTopicArn: props.summaryTopic.topicArn,
      }),
    );
    props.ledger.grant(this.writeLedger, 'dynamodb:PutItem');
    props.summaryTopic.grantPublish(this.writeLedger);

    this.listRegions = fn(
      'list-regions',
      'Lists an account’s enabled regions that are governed (Account API)',
      listRegionsEnv.environment({
        governedRegions: config.governedRegions.join(','),
        controlAccount: stack.account,
      }),
    );
    this.listRegions.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['account:ListRegions'], resources: ['*'] }),
    );
    this.listAccounts = fn(
      'list-accounts',
      'Lists the active accounts of the organization for the sweep',
      listAccountsEnv.environment({
        managementAccount: config.accounts.management,
      }),
    );
    this.listAccounts.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['organizations:ListAccounts'], resources: ['*'] }),
    );

    acknowledge(
      this,
      'DescribeTrails, GuardDuty organization and member calls, Organizations reads, Account ListRegions and the CloudWatch Logs resource-policy calls take no resource-level permissions (or act on the organization as a whole).',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      this,
      'Log streams of the findings log group are created by EventBridge with generated names.',
      ...config.governedRegions.map(
        (r) =>
          `AwsSolutions-IAM5[Resource::arn:aws:logs:${r}:${stack.account}:log-group:${findingsLogGroup}:*]`,
      ),
    );
  }
}
