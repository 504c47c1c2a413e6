import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from '../../workflows/acknowledge';
import { silentAccountsEnv } from '../../functions/silent-accounts/env';
import { NodeFunction } from '../node-function';
import { grantTableKeyDecrypt } from '../secure-key';

export interface LastSeenProps {
  /** The VPC the indexer (which records who it saw) runs in. */
  readonly vpc: ec2.IVpc;
  readonly topic: sns.ITopic;
  /** Encrypts the table. */
  readonly key: kms.IKey;
  readonly logKey: kms.IKey;
  /**
   * An account is silent after this long without a sighting. Default 26 hours: the daily sweep
   * alone makes API calls in every member account, so a day without any CloudTrail record of an
   * account means its records stopped reaching the pipeline.
   */
  readonly silentAfter?: Duration;
  /** How often the checker runs. Default one hour. */
  readonly checkEvery?: Duration;
  /**
   * Whether every account must have CloudTrail sightings here. Default true; false for a
   * regional pipeline the trail's group does not feed (contracts/pipelines.ts), where only a
   * source an account sent before and stopped is silence.
   */
  readonly expectCloudTrail?: boolean;
}

/**
 * "Last seen per account per source" (issue 10 §3): the indexer writes, per batch, the latest
 * arrival per (account, source) into a table; a scheduled checker lists the organization's
 * accounts and alarms on any that went silent, so one noisy account cannot hide a quiet one.
 */
export class LastSeen extends Construct {
  readonly table: dynamodb.Table;
  readonly checker: NodeFunction;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LastSeenProps) {
    super(scope, id);
    const silentAfter = props.silentAfter ?? Duration.hours(26);
    const checkEvery = props.checkEvery ?? Duration.hours(1);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'account', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'source', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The indexer's subnets are isolated: DynamoDB is reached through a gateway endpoint.
    props.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });

    this.checker = new NodeFunction(this, 'Checker', {
      name: 'silent-accounts',
      description:
        'Hourly: organization accounts with no recent CloudTrail (or a source that stopped) → SilentAccounts',
      timeout: Duration.minutes(2),
      logKey: props.logKey,
      environment: silentAccountsEnv.environment({
        lastSeenTable: this.table.tableName,
        silentAfterMinutes: String(silentAfter.toMinutes()),
        expectCloudTrail: props.expectCloudTrail === false ? 'false' : undefined,
      }),
    });
    this.table.grant(this.checker, 'dynamodb:Scan');
    grantTableKeyDecrypt(this.table, this.checker);
    // ListAccounts has no resource type (Service Authorization Reference): only "*" grants it. The
    // management account delegates it to this account with an Organizations resource policy.
    this.checker.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['organizations:ListAccounts'], resources: ['*'] }),
    );
    new events.Rule(this, 'Schedule', {
      description: 'logwarden: look for accounts that went silent',
      schedule: events.Schedule.rate(checkEvery),
      targets: [new targets.LambdaFunction(this.checker, { retryAttempts: 2 })],
    });

    this.alarm = new cloudwatch.Alarm(this, 'SilentAccounts', {
      alarmName: 'logwarden-silent-accounts',
      alarmDescription: `An organization account sent no CloudTrail record for ${silentAfter.toHours()} hours, or a source it sent stopped (the checker logs which).`,
      metric: new cloudwatch.Metric({
        namespace: 'logwarden',
        metricName: 'SilentAccounts',
        dimensionsMap: { service: 'logwarden-silent-accounts' },
        statistic: 'Maximum',
        period: checkEvery,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data means the checker did not run: that is not "all accounts are talking".
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
    acknowledge(
      this.checker,
      'organizations:ListAccounts has no resource type in the Service Authorization Reference; only "*" grants it.',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}
