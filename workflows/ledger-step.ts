import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { WorkflowId } from '../contracts/names';
import type { ControlFunctions } from './control-functions';
import { lambdaStep } from './lambda-step';

const ledgerFailed = new WeakMap<Construct, sfn.Fail>();

/**
 * The last step of a workflow: write the coverage ledger (or, for a parent workflow, only
 * summarize its children) and send one summary when something failed. If even that fails, the
 * execution fails, which the workflow's alarm reports.
 */
export function ledgerStep(
  scope: Construct,
  id: string,
  fns: ControlFunctions,
  workflow: WorkflowId,
  payload: Record<string, unknown>,
  summaryOnly = false,
): tasks.LambdaInvoke {
  const step = lambdaStep(scope, id, fns.writeLedger, {
    payload: {
      workflow,
      'executionArn.$': '$$.Execution.Id',
      ...(summaryOnly ? { summaryOnly: true } : {}),
      ...payload,
    },
  });
  let fail = ledgerFailed.get(scope);
  if (!fail) {
    fail = new sfn.Fail(scope, 'LedgerFailed', {
      error: 'LedgerWriteFailed',
      cause: 'the coverage ledger or its summary could not be written',
    });
    ledgerFailed.set(scope, fail);
  }
  step.addCatch(fail);
  return step;
}
