import { Duration } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ControlFunctions } from './control-functions';
import { ControlStep } from './control-step';
import { LedgerSteps } from './ledger-step';
import { workflowStateMachine } from './state-machine';

export interface CoverVpcProps {
  /** The control functions and the ledger writer. */
  readonly functions: ControlFunctions;
  /**
   * How long one execution may run.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
}

/** cover-vpc: the fast path for one new VPC, its flow log only, then the ledger. */
export class CoverVpc extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: CoverVpcProps) {
    super(scope, id);
    const fns = props.functions;
    const ensure = new ControlStep(this, 'FlowLogs', {
      fn: fns.ensureFlowLogs,
      control: 'flow-logs',
      payload: { 'vpcIds.$': '$.vpcIds' },
      resultPath: '$.result',
    });
    const ledger = new LedgerSteps(this, fns, 'cover-vpc').step('WriteLedger', {
      'results.$': 'States.Array($.result)',
    });
    this.stateMachine = workflowStateMachine(this, 'cover-vpc', ensure.next(ledger), {
      logKey: fns.logKey,
      timeout: props.timeout ?? Duration.hours(2),
      functions: [fns.ensureFlowLogs, fns.writeLedger],
    });
  }
}
