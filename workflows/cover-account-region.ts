import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ControlName } from '../contracts/coverage';
import type { ControlFunctions } from './control-functions';
import { lambdaStep } from './lambda-step';
import { ledgerStep } from './ledger-step';
import { workflowStateMachine } from './state-machine';

/**
 * cover-account-region: every control for one account and region, in parallel (they touch
 * different services), each with its own retries and a Catch that turns its failure into a
 * result; then the ledger. One failing control never stops the others.
 */
export class CoverAccountRegion extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, fns: ControlFunctions) {
    super(scope, id);
    const controls: [ControlName, string, Exclude<keyof ControlFunctions, 'logKey'>][] = [
      ['flow-logs', 'FlowLogs', 'ensureFlowLogs'],
      ['trail', 'Trail', 'ensureTrail'],
      ['guardduty', 'GuardDuty', 'ensureGuardDuty'],
      ['subscription', 'Subscription', 'ensureSubscription'],
    ];
    const parallel = new sfn.Parallel(this, 'Controls', { resultPath: '$.results' });
    for (const [control, label, fn] of controls) {
      const task = lambdaStep(this, `Ensure${label}`, fns[fn], {
        payload: { 'account.$': '$.account', 'region.$': '$.region' },
      });
      task.addCatch(
        new sfn.Pass(this, `${label}Failed`, {
          parameters: { control, 'account.$': '$.account', 'region.$': '$.region', 'error.$': '$.error' },
        }),
        { resultPath: '$.error' },
      );
      parallel.branch(task);
    }
    const ledger = ledgerStep(this, 'WriteLedger', fns, 'cover-account-region', { 'results.$': '$.results' });
    this.stateMachine = workflowStateMachine(this, 'cover-account-region', parallel.next(ledger), {
      logKey: fns.logKey,
      functions: [
        fns.ensureFlowLogs,
        fns.ensureTrail,
        fns.ensureGuardDuty,
        fns.ensureSubscription,
        fns.writeLedger,
      ],
    });
  }
}
