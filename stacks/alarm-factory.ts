import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** One alarm, as every logwarden stack declares it (after cdk-monitoring-constructs' typed options). */
export interface LogwardenAlarmOptions {
  /** The alarm is named `logwarden-<name>`; also its construct id. */
  readonly name: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** What the on-call engineer reads first: what is wrong and where the evidence is. */
  readonly description: string;
  /** @default GREATER_THAN_THRESHOLD */
  readonly comparison?: cloudwatch.ComparisonOperator;
  /** @default NOT_BREACHING: no data means nothing happened */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /** @default 1 */
  readonly evaluationPeriods?: number;
}

export interface AlarmFactoryProps {
  /** Receives every alarm's ALARM and OK transitions. */
  readonly topic: sns.ITopic;
}

/**
 * Creates alarms with one naming, one default comparison and one notification pattern, in the
 * scope it is given (the alarms' construct ids stay `<name>` there).
 */
export class AlarmFactory {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: actions.SnsAction;

  constructor(
    private readonly scope: Construct,
    props: AlarmFactoryProps,
  ) {
    this.action = new actions.SnsAction(props.topic);
  }

  addAlarm(options: LogwardenAlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this.scope, options.name, {
      alarmName: `logwarden-${options.name}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
