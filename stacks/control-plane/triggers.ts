import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { asRulePattern, busPattern, scheduledSweepTrigger, triggers } from '../../events/patterns';
import type { LogwardenConfig } from '../../contracts/config';
import { acknowledge, functionVersionsFinding } from '../../workflows/acknowledge';
import { NodeFunction } from '../node-function';
import { dispatchEnv } from '../../functions/dispatch/env';

export interface TriggersProps {
  readonly config: LogwardenConfig;
  readonly bus: events.IEventBus;
  readonly stateMachines: sfn.IStateMachine[];
  readonly logKey: kms.IKey;
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
        managementAccount: props.config.accounts.management,
      }),
    });
    for (const sm of props.stateMachines) {
      sm.grantStartExecution(this.dispatch);
      // An existing name coalesces only while its execution runs (functions/shared/start-execution.ts).
      sm.grantExecution(this.dispatch, 'states:DescribeExecution');
    }

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
