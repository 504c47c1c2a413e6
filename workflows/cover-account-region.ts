import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ControlFunctions } from './control-functions';
import { ControlStep } from './control-step';
import { LedgerSteps } from './ledger-step';
import { subscriptionTestRetry, trailConflictRetry } from './resilience';
import { workflowStateMachine } from './state-machine';

export interface CoverAccountRegionProps {
  /** The control functions and the ledger writer. */
  readonly functions: ControlFunctions;
  /**
   * How long one execution may run.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
}

/**
 * cover-account-region: every control for one account and region, in parallel (they touch
 * different services), each a ControlStep with its own retries and a Catch that turns its
 * failure into a result; then the ledger. One failing control never stops the others.
 */
export class CoverAccountRegion extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: CoverAccountRegionProps) {
    super(scope, id);
    const fns = props.functions;
    const parallel = new sfn.Parallel(this, 'Controls', { resultPath: '$.results' })
      .branch(new ControlStep(this, 'FlowLogs', { fn: fns.ensureFlowLogs, control: 'flow-logs' }))
      .branch(
        new ControlStep(this, 'Trail', {
          fn: fns.ensureTrail,
          control: 'trail',
          retries: [{ ...trailConflictRetry, errors: [...trailConflictRetry.errors] }],
        }),
      )
      .branch(new ControlStep(this, 'GuardDuty', { fn: fns.ensureGuardDuty, control: 'guardduty' }))
      .branch(
        new ControlStep(this, 'Subscription', {
          fn: fns.ensureSubscription,
          control: 'subscription',
          retries: [{ ...subscriptionTestRetry, errors: [...subscriptionTestRetry.errors] }],
        }),
      );
    const ledger = new LedgerSteps(this, fns, 'cover-account-region').step('WriteLedger', {
      'results.$': '$.results',
    });
    this.stateMachine = workflowStateMachine(this, 'cover-account-region', parallel.next(ledger), {
      logKey: fns.logKey,
      timeout: props.timeout ?? Duration.hours(2),
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
