import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cfn from 'aws-cdk-lib/aws-cloudformation';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { LogwardenConfig } from '../contracts/config';
import { CoverAccount } from '../workflows/cover-account';
import { CoverAccountRegion } from '../workflows/cover-account-region';
import { CoverVpc } from '../workflows/cover-vpc';
import { Sweep } from '../workflows/sweep';
import { acknowledge } from '../workflows/acknowledge';
import { CoverageFunctions } from './control-plane/coverage-functions';
import { memberBaselineRegions } from './member-baseline-stack';
import { isOptInRegion } from '../contracts/regions';
import { Triggers } from './control-plane/triggers';
import { controlBusArn, healStateMachineArn, names, type WorkflowId } from '../contracts/names';
import { controlNames } from '../contracts/coverage';
import { coverageAlarmName, coverageMetric } from '../contracts/coverage-cells';
import { allowCloudWatchLogs, secureKey } from './secure-key';
import { perAccountName, pipelineRegions } from '../contracts/pipelines';

export interface ControlPlaneStackProps extends StackProps {
  readonly config: LogwardenConfig;
  /** The synthesized member-baseline template, deployed to members by a service-managed StackSet. */
  readonly memberBaselineTemplate: string;
}

/**
 * Where the member baseline goes: the included OUs (the root when none), less the excluded
 * accounts. "DIFFERENCE: StackSets excludes the accounts specified in Accounts parameter"
 * (CloudFormation API Reference, DeploymentTargets), and with SERVICE_MANAGED permissions "if
 * you specify organizational units (OUs) for OrganizationalUnitIds and use either the Accounts
 * or AccountsUrl property, you must also specify the AccountFilterType property" (CloudFormation
 * Template Reference, AWS::CloudFormation::StackSet DeploymentTargets). An excluded OU cannot
 * be subtracted (DeploymentTargets takes accounts as the filter, and a parent OU's targets
 * include its child OUs): an excluded OU nested in an included OU still receives the baseline,
 * and the controls never run there (docs/configuration.md, `scope`).
 */
export function memberBaselineTargets(config: LogwardenConfig): cfn.CfnStackSet.DeploymentTargetsProperty {
  const organizationalUnitIds = config.scope.includeOUs.length
    ? [...config.scope.includeOUs]
    : [config.organizationRootId];
  if (!config.scope.excludeAccounts.length) return { organizationalUnitIds };
  return {
    organizationalUnitIds,
    accounts: [...config.scope.excludeAccounts],
    accountFilterType: 'DIFFERENCE',
  };
}

/**
 * The order in which the member-baseline StackSet deploys Regions, one after another. A Region
 * whose failures pass the tolerance stops the operation: "If the operation is stopped in a Region,
 * CloudFormation doesn't attempt the operation in any subsequent Regions" (CloudFormation API
 * Reference, StackSetOperationPreferences, FailureTolerancePercentage). So the Regions that
 * everything depends on go first: the home Region (its instance holds the global IAM roles, which
 * every other instance uses), then us-east-1 (the Region opt-in forwarding rule), then the
 * Regions every account has, and the opt-in Regions last (contracts/regions.ts), where a member
 * that has not enabled the Region fails. One opt-in Region can then hold back only the opt-in
 * Regions after it, which the config check warns about.
 */
export function memberBaselineRegionOrder(config: LogwardenConfig): string[] {
  const rest = memberBaselineRegions(config).filter((r) => r !== config.homeRegion && r !== 'us-east-1');
  return [
    ...new Set([
      config.homeRegion,
      'us-east-1',
      ...rest.filter((r) => !isOptInRegion(r)),
      ...rest.filter(isOptInRegion),
    ]),
  ];
}

/** The security-tooling account's stack: the control bus, the coverage ledger and the member StackSet. */
export class ControlPlaneStack extends Stack {
  readonly bus: events.EventBus;
  readonly ledger: dynamodb.Table;
  readonly summaryTopic: sns.Topic;
  readonly stateMachines: Record<WorkflowId, sfn.StateMachine>;

  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    const { config } = props;
    const key = secureKey(this, 'ControlKey', 'control plane ledger and topics', 'alias/logwarden-control');

    this.bus = new events.EventBus(this, 'ControlBus', { eventBusName: names.controlBus, kmsKey: key });
    new events.CfnEventBusPolicy(this, 'ControlBusPolicy', {
      eventBusName: this.bus.eventBusName,
      statementId: 'OrganizationMembersForwardTriggers',
      statement: new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': config.organizationId } },
      }).toStatementJson(),
    });
    // The bus's own key statement (EventBridge, conditioned on this bus by aws:SourceArn and the
    // encryption context) comes with `kmsKey`; no rule of this stack targets anything else the
    // key encrypts, so EventBridge gets no further, unconditioned grant. That statement also
    // names kms:DescribeKey, which carries no encryption context and so never matches it: "kms:
    // DescribeKey — EventBridge requires this permission to retrieve the KMS key ARN for the Key
    // Id provided, and to verify that the key is symmetric" (EventBridge User Guide, "Authorizing
    // EventBridge to use a customer managed key"). It gets its own statement, for this bus only.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDescribesTheControlBusKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          // By name, as the bus's own statement does (its ARN would make the key depend on the bus).
          StringEquals: {
            'aws:SourceAccount': this.account,
            'aws:SourceArn': controlBusArn(this.region, this.account),
          },
        },
      }),
    );

    this.ledger = new dynamodb.Table(this, 'CoverageLedger', {
      tableName: names.ledgerTable,
      partitionKey: { name: 'account', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'regionControl', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.summaryTopic = new sns.Topic(this, 'SummaryTopic', {
      topicName: 'logwarden-coverage-summary',
      displayName: 'logwarden coverage summary',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of config.alerts.emails) {
      this.summaryTopic.addSubscription(new subs.EmailSubscription(email));
    }

    // The central alerter starts the self-heal workflow through this role (Step Functions has
    // no resource policies for cross-account StartExecution).
    const alerters = pipelineRegions(config).map(
      (region) =>
        new iam.ArnPrincipal(
          `arn:aws:iam::${config.accounts.logArchive}:role/${perAccountName(config, names.alerterRole, region)}`,
        ),
    );
    const healStarter = new iam.Role(this, 'HealStarterRole', {
      roleName: names.healStarterRole,
      description: 'Assumed by the central tamper alerter to start the cover-account-region workflow',
      // Every pipeline's alerter (one, or one per region with pipeline.regional): by exact ARN.
      assumedBy: (alerters.length === 1
        ? alerters[0]
        : new iam.CompositePrincipal(...alerters)
      ).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
      }),
    });
    healStarter.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [healStateMachineArn(this.region, this.account)],
      }),
    );

    const logKey = secureKey(this, 'LogKey', 'control-plane function logs', 'alias/logwarden-control-logs');
    allowCloudWatchLogs(logKey, this.region, this.account);
    const fns = new CoverageFunctions(this, 'Coverage', {
      config,
      ledger: this.ledger,
      summaryTopic: this.summaryTopic,
      logKey,
    });
    const coverRegion = new CoverAccountRegion(this, 'CoverAccountRegion', { functions: fns });
    const coverAccount = new CoverAccount(this, 'CoverAccount', {
      functions: fns,
      coverRegion: coverRegion.stateMachine,
    });
    const coverVpc = new CoverVpc(this, 'CoverVpc', { functions: fns });
    const sweep = new Sweep(this, 'Sweep', {
      functions: fns,
      coverAccount: coverAccount.stateMachine,
      maxConcurrency: config.sweep.maxConcurrency,
      accountsPerWave: config.sweep.accountsPerWave,
      stopAtFailurePercent: config.sweep.stopAtFailurePercent,
      enforce: config.mode === 'enforce',
    });
    this.stateMachines = {
      'cover-account-region': coverRegion.stateMachine,
      'cover-account': coverAccount.stateMachine,
      'cover-vpc': coverVpc.stateMachine,
      sweep: sweep.stateMachine,
    };
    const alarmAction = new actions.SnsAction(this.summaryTopic);
    new Triggers(this, 'Triggers', {
      config,
      bus: this.bus,
      stateMachines: Object.values(this.stateMachines),
      logKey,
      failuresKey: key,
      alarmAction,
    });
    for (const [workflow, sm] of Object.entries(this.stateMachines)) {
      const alarm = sm
        .metricFailed({ period: Duration.minutes(5), statistic: 'Sum' })
        .createAlarm(this, `${workflow}-failed`, {
          alarmName: `logwarden-${workflow}-failed`,
          alarmDescription: `A ${workflow} execution failed as a whole (not a single control: those are in the summary).`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      alarm.addAlarmAction(alarmAction);
    }
    // The coverage percentage per control, published after each sweep (the write-ledger
    // function, contracts/coverage-cells.ts): an alarm per control when it drops below
    // alerts.coverageBelowPercent. Missing data keeps the state: a datapoint comes once a sweep.
    for (const control of controlNames) {
      const alarm = new cloudwatch.Alarm(this, `coverage-${control}-dropped`, {
        alarmName: coverageAlarmName(control),
        alarmDescription: `The share of ${control} cells covered dropped below ${config.alerts.coverageBelowPercent}% at the last sweep. See: logwarden coverage --control ${control} --status failed,gap,stale`,
        metric: new cloudwatch.Metric({
          namespace: coverageMetric.namespace,
          metricName: coverageMetric.metricName,
          dimensionsMap: { [coverageMetric.dimension]: control },
          statistic: 'Minimum',
          period: Duration.hours(1),
        }),
        threshold: config.alerts.coverageBelowPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      });
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
    }
    // CloudWatch alarms publish to the encrypted summary topic (SNS docs, "Enable compatibility
    // between event sources from AWS services and encrypted topics"): only alarms of this account
    // and region, named logwarden-*, against the confused deputy.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToSummaryTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:logwarden-*` },
        },
      }),
    );
    // ... and the summary topic's policy must let them publish: enforceSSL's topic policy replaces
    // SNS's default one (AWS Knowledge Center, "Why didn't I receive an SNS notification for my
    // CloudWatch alarm trigger?": the statement for cloudwatch.amazonaws.com sns:Publish).
    this.summaryTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.summaryTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:logwarden-*` },
        },
      }),
    );
    acknowledge(
      this,
      'CDK-generated Step Functions and key grants: the wildcard spans one operation’s variants on one named key, or the versions of one named function.',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    );

    const memberBaseline = new cfn.CfnStackSet(this, 'MemberBaseline', {
      stackSetName: names.memberBaselineStackSet,
      description: 'logwarden member baseline, deployed to every member account and governed region',
      permissionModel: 'SERVICE_MANAGED',
      // The security-tooling account is registered as a StackSets delegated administrator.
      callAs: 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionOrder: memberBaselineRegionOrder(config),
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
        regionConcurrencyType: 'SEQUENTIAL',
      },
      stackInstancesGroup: [
        {
          deploymentTargets: memberBaselineTargets(config),
          // us-east-1 too, governed or not: members see their region opt-in events there.
          regions: memberBaselineRegions(config),
        },
      ],
      templateBody: props.memberBaselineTemplate,
    });
    // The member execution role trusts the control functions' roles by ARN, and IAM rejects a
    // trust policy naming a role that does not exist yet: the roles come first.
    memberBaseline.node.addDependency(fns);
  }
}
