import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { asRulePattern, busPattern, scheduledSweepTrigger, triggers } from '../../events/patterns';
import type { LogwardenConfig } from '../../contracts/config';
import { acknowledge, functionVersionsFinding } from '../../workflows/acknowledge';
import { names, stateMachineArn, workflowIds } from '../../contracts/names';
import { NodeFunction } from '../node-function';
import { dispatchEnv } from '../../functions/dispatch/env';
import { scopeEnvironment } from '../../functions/shared/scope';
import { grantListParents } from './workflow-steps';

export interface TriggersProps {
  readonly config: LogwardenConfig;
  readonly bus: events.IEventBus;
  readonly stateMachines: sfn.IStateMachine[];
  readonly logKey: kms.IKey;
  /** Encrypts the dispatcher's failure queue; EventBridge may use it for the trigger rules only. */
  readonly failuresKey: kms.Key;
  /**
   * Concurrent dispatcher invocations: a flood of events queues in EventBridge's retries
   * (up to 24 h) instead of starving other functions of the account's concurrency.
   * @default 10
   */
  readonly dispatcherConcurrency?: number;
  /**
   * Executions started per hour, all workflows together, above which the alarm fires.
   * @default 200
   */
  readonly executionsPerHourAlarm?: number;
  /**
   * Where the alarms go.
   * @default no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * Every trigger in events/ becomes a rule on the control bus that hands the event to the
 * dispatcher, which names the execution after the event (EventBridge cannot), so a duplicate
 * event starts nothing new. The daily sweep is an EventBridge Scheduler schedule.
 */
export class Triggers extends Construct {
  readonly dispatch: NodeFunction;
  /** Fires when the workflows start more executions in an hour than a healthy organization does. */
  readonly executionsStartedAlarm: cloudwatch.Alarm;
  /** Trigger events neither EventBridge nor Lambda could hand to the dispatcher, or that it failed on. */
  readonly failures: sqs.Queue;
  /** The dispatcher's Errors, and events waiting in the failure queue. */
  readonly failureAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: TriggersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dispatch = new NodeFunction(this, 'Dispatch', {
      name: 'dispatch',
      description: 'Starts the workflow an event calls for, named after the event',
      timeout: Duration.seconds(30),
      logKey: props.logKey,
      reservedConcurrentExecutions: props.dispatcherConcurrency ?? 10,
      environment: dispatchEnv.environment({
        governedRegions: props.config.governedRegions.join(','),
        controlAccount: stack.account,
        ...scopeEnvironment(props.config),
      }),
    });
    // The account's OU path, for the scope's OU rules (functions/shared/scope.ts).
    grantListParents(this.dispatch, props.config);
    for (const sm of props.stateMachines) sm.grantStartExecution(this.dispatch);
    // An existing name coalesces only while its execution runs (functions/shared/start-execution.ts):
    // the dispatcher reads the status of the executions of logwarden's own state machines.
    const executions = workflowIds.map(
      (w) => `${stateMachineArn(w, stack.region, stack.account).replace(':stateMachine:', ':execution:')}:*`,
    );
    this.dispatch.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: executions }),
    );
    acknowledge(
      this.dispatch,
      'DescribeExecution takes an execution ARN, whose last part is the execution name the dispatcher derives from each event; the ARNs are pinned to logwarden state machines.',
      ...executions.map((arn) => `AwsSolutions-IAM5[Resource::${arn}]`),
    );

    // EventBridge invokes the dispatcher asynchronously: an event it failed on is retried twice by
    // Lambda, then kept here instead of dropped ("When a function returns an error, by default
    // Lambda retries it twice ... configure a destination for events that fail all processing
    // attempts", Lambda developer guide, asynchronous invocation). An event EventBridge itself
    // could not deliver for 24 hours lands here too (the rules' dead-letter queue).
    this.failures = new sqs.Queue(this, 'DispatchFailures', {
      queueName: 'logwarden-dispatch-failures',
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.failuresKey,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    acknowledge(
      this.failures,
      'This queue is itself the dead-letter destination of the trigger rules and the dispatcher.',
      'AwsSolutions-SQS3',
    );
    this.dispatch.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failures),
    });
    // EventBridge writes undeliverable trigger events into the encrypted queue: "If you use a KMS
    // key to encrypt the dead-letter queue, you must grant EventBridge permission to use it" —
    // for the trigger rules on the control bus only.
    props.failuresKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDeadLetterForTriggerRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/${names.controlBus}/logwarden-*`,
          },
        },
      }),
    );
    const five = Duration.minutes(5);
    this.failureAlarms = [
      this.dispatch.metricErrors({ period: five }).createAlarm(this, 'DispatchErrorsAlarm', {
        alarmName: 'logwarden-dispatch-errors',
        alarmDescription:
          'The dispatcher failed on a trigger event (Lambda retries it twice, then it waits in logwarden-dispatch-failures).',
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.failures
        .metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' })
        .createAlarm(this, 'DispatchFailuresAlarm', {
          alarmName: 'logwarden-dispatch-failures',
          alarmDescription:
            'Trigger events wait in logwarden-dispatch-failures: no heal started for them. Read them, then run logwarden remediate for their account and region.',
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    ];
    if (props.alarmAction) for (const a of this.failureAlarms) a.addAlarmAction(props.alarmAction);

    for (const trigger of triggers) {
      new events.Rule(this, `On-${trigger.id}`, {
        ruleName: `logwarden-${trigger.id}`,
        description: `logwarden: ${trigger.description} → ${trigger.workflow}`,
        eventBus: props.bus,
        // The forwarded pattern plus the account checks (events/patterns.ts busPattern).
        eventPattern: asRulePattern(busPattern(trigger, props.config.accounts.management)),
        targets: [
          new targets.LambdaFunction(this.dispatch, {
            event: events.RuleTargetInput.fromObject({
              trigger: trigger.id,
              event: events.EventField.fromPath('$'),
            }),
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
            deadLetterQueue: this.failures,
          }),
        ],
      });
    }

    // One metric over every workflow: a loop of events, even coalesced per account, region and
    // window, shows here first (the dispatcher logs why each event started what it did).
    const started = new cloudwatch.MathExpression({
      label: 'executions started per hour, all logwarden workflows',
      expression: props.stateMachines.map((_, i) => `s${i}`).join(' + '),
      usingMetrics: Object.fromEntries(
        props.stateMachines.map((sm, i) => [
          `s${i}`,
          sm.metricStarted({ period: Duration.hours(1), statistic: 'Sum' }),
        ]),
      ),
      period: Duration.hours(1),
    });
    this.executionsStartedAlarm = started.createAlarm(this, 'ExecutionsStartedAlarm', {
      alarmName: 'logwarden-executions-started-per-hour',
      alarmDescription:
        'More logwarden workflow executions started in an hour than expected: a loop or flood of trigger events.',
      threshold: props.executionsPerHourAlarm ?? 200,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.executionsStartedAlarm.addAlarmAction(props.alarmAction);

    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler start the daily sweep through the dispatcher',
    });
    this.dispatch.grantInvoke(role);
    acknowledge(
      role,
      'The scheduler may invoke any version of the dispatcher it names.',
      functionVersionsFinding(this.dispatch),
    );
    new scheduler.CfnSchedule(this, 'DailySweep', {
      name: 'logwarden-sweep',
      description:
        'logwarden backstop: cover every account of the organization (opt-in events are best effort)',
      scheduleExpression: props.config.sweep.scheduleExpression,
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 30 },
      target: {
        arn: this.dispatch.functionArn,
        roleArn: role.roleArn,
        // The scheduled time names the execution: one sweep per schedule slot.
        input: JSON.stringify({
          trigger: scheduledSweepTrigger,
          event: { id: '<aws.scheduler.scheduled-time>', account: stack.account, region: stack.region },
        }),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}
