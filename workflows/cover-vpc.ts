import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ControlFunctions } from './control-functions';
import { lambdaStep } from './lambda-step';
import { ledgerStep } from './ledger-step';
import { workflowStateMachine } from './state-machine';

/** cover-vpc: the fast path for one new VPC, its flow log only, then the ledger. */
export class CoverVpc extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, fns: ControlFunctions) {
    super(scope, id);
    const ensure = lambdaStep(this, 'EnsureFlowLogs', fns.ensureFlowLogs, {
      payload: { 'account.$': '$.account', 'region.$': '$.region', 'vpcIds.$': '$.vpcIds' },
      resultPath: '$.result',
    });
    const failed = new sfn.Pass(this, 'FlowLogsFailed', {
      parameters: {
        control: 'flow-logs',
        'account.$': '$.account',
        'region.$': '$.region',
        'error.$': '$.error',
      },
      resultPath: '$.result',
    });
    ensure.addCatch(failed, { resultPath: '$.error' });
    const ledger = ledgerStep(this, 'WriteLedger', fns, 'cover-vpc', {
      'results.$': 'States.Array($.result)',
    });
    this.stateMachine = workflowStateMachine(this, 'cover-vpc', ensure.next(ledger), {
      logKey: fns.logKey,
      functions: [fns.ensureFlowLogs, fns.writeLedger],
    });
    failed.next(ledger);
  }
}
