import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ControlName } from '../contracts/coverage';
import { lambdaStep } from './lambda-step';
import { retryMemberRoleUnavailable } from './resilience';

export interface ControlStepProps {
  /** The control's function. */
  readonly fn: lambda.IFunction;
  /** The control it runs, named in the result its Catch produces. */
  readonly control: ControlName;
  /**
   * Extra fields of the control's input, beside account, region and the execution name.
   * @default none
   */
  readonly payload?: Record<string, unknown>;
  /**
   * Retries of errors only this control raises, after the member-role and transient ones.
   * @default none
   */
  readonly retries?: sfn.RetryProps[];
  /**
   * Where the control's result (or its failure as a result) goes in the state.
   * @default the result replaces the state (a Parallel branch's output)
   */
  readonly resultPath?: string;
}

/**
 * One control as a fragment: the Lambda task with its retries (transient errors, and a member
 * role that is not there yet), and a Catch that turns any other failure into a result for the
 * ledger, so one failing control never stops the others. The execution name goes into the
 * input: it is deterministic and unique, so a control can derive idempotency tokens from it that
 * repeat within one execution's retries and never across executions. Its states are named
 * `Ensure<id>` and `<id>Failed`.
 */
export class ControlStep extends sfn.StateMachineFragment {
  readonly startState: sfn.State;
  readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: ControlStepProps) {
    super(scope, id);
    const task = retryMemberRoleUnavailable(
      lambdaStep(this, `Ensure${id}`, props.fn, {
        payload: {
          'account.$': '$.account',
          'region.$': '$.region',
          'execution.$': '$$.Execution.Name',
          ...props.payload,
        },
        resultPath: props.resultPath,
      }),
    );
    for (const retry of props.retries ?? []) task.addRetry(retry);
    const failed = new sfn.Pass(this, `${id}Failed`, {
      parameters: {
        control: props.control,
        'account.$': '$.account',
        'region.$': '$.region',
        'error.$': '$.error',
      },
      resultPath: props.resultPath,
    });
    task.addCatch(failed, { resultPath: '$.error' });
    this.startState = task;
    this.endStates = [task, failed];
  }
}
