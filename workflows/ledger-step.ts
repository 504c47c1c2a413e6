import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { WorkflowId } from '../contracts/names';
import type { ControlFunctions } from './control-functions';
import { lambdaStep } from './lambda-step';

/**
 * The last steps of one workflow: write the coverage ledger (or, for a parent workflow, only
 * summarize its children) and send one summary when something failed. If even that fails, the
 * execution fails (one Fail state per workflow), which the workflow's alarm reports.
 */
export class LedgerSteps {
  private fail?: sfn.Fail;

  constructor(
    private readonly scope: Construct,
    private readonly fns: ControlFunctions,
    private readonly workflow: WorkflowId,
  ) {}

  /** A ledger step; `summaryOnly` for a parent workflow whose children wrote their own rows. */
  step(
    id: string,
    payload: Record<string, unknown>,
    summaryOnly = false,
    /** Where the result goes (default: it replaces the state, as the last step's output). */
    resultPath?: string,
  ): tasks.LambdaInvoke {
    const step = lambdaStep(this.scope, id, this.fns.writeLedger, {
      resultPath,
      payload: {
        workflow: this.workflow,
        'executionArn.$': '$$.Execution.Id',
        'executionStartTime.$': '$$.Execution.StartTime',
        ...(summaryOnly ? { summaryOnly: true } : {}),
        // A heal started by an event or a person publishes the coverage metric at its end; its
        // input's trigger says who started it (functions/write-ledger/ledger.ts).
        ...(this.workflow === 'sweep' ? {} : { 'executionInput.$': '$$.Execution.Input' }),
        ...payload,
      },
    });
    this.fail ??= new sfn.Fail(this.scope, 'LedgerFailed', {
      error: 'LedgerWriteFailed',
      cause: 'the coverage ledger or its summary could not be written',
    });
    step.addCatch(this.fail);
    return step;
  }
}
