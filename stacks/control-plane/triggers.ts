import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { asRulePattern, scheduledSweepTrigger, triggers } from '../../events/patterns';
import type { LogwardenConfig } from '../../contracts/config';
import { acknowledge, functionVersionsFinding } from '../../workflows/acknowledge';
import { NodeFunction } from '../node-function';
import { dispatchEnv } from '../../functions/dispatch/env';

export interface TriggersProps {
  readonly config: LogwardenConfig;
  readonly bus: events.IEventBus;
  readonly stateMachines: sfn.IStateMachine[];
  readonly logKey: kms.IKey;
}

/**
 * Every trigger in events/ becomes a rule on the control bus that hands the event to the
 * dispatcher, which names the execution after the event (EventBridge cannot), so a duplicate
 * event starts nothing new. The daily sweep is an EventBridge Scheduler schedule.
 */
export class Triggers extends Construct {
  readonly dispatch: NodeFunction;

  constructor(scope: Construct, id: string, props: TriggersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dispatch = new NodeFunction(this, 'Dispatch', {
      name: 'dispatch',
      description: 'Starts the workflow an event calls for, named after the event',
      timeout: Duration.seconds(30),
      logKey: props.logKey,
      environment: dispatchEnv.environment({
        governedRegions: props.config.governedRegions.join(','),
        controlAccount: stack.account,
      }),
    });
    for (const sm of props.stateMachines) sm.grantStartExecution(this.dispatch);

    for (const trigger of triggers) {
      new events.Rule(this, `On-${trigger.id}`, {
        ruleName: `logwarden-${trigger.id}`,
        description: `logwarden: ${trigger.description} → ${trigger.workflow}`,
        eventBus: props.bus,
        eventPattern: asRulePattern(trigger.pattern),
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
