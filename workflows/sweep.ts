import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ControlFunctions } from './control-functions';
import { childName } from './cover-account';
import { lambdaStep } from './lambda-step';
import { LedgerSteps } from './ledger-step';
import { retryTransient } from './resilience';
import { workflowStateMachine } from './state-machine';

export interface SweepProps {
  /** The control functions and the ledger writer. */
  readonly functions: ControlFunctions;
  /** The cover-account workflow, started for each account. */
  readonly coverAccount: sfn.IStateMachine;
  /** Accounts covered at the same time (config `sweep.maxConcurrency`). */
  readonly maxConcurrency: number;
  /** Accounts per wave (config `sweep.accountsPerWave`): one wave after the other. */
  readonly accountsPerWave: number;
  /** Stop after a wave once more than this percentage of the accounts failed (config `sweep.stopAtFailurePercent`). */
  readonly stopAtFailurePercent: number;
  /** `mode: enforce`: only then does a failure rate stop the rollout (observe writes nothing). */
  readonly enforce: boolean;
  /**
   * The share of accounts that may fail before the sweep itself fails.
   * @default 10
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * How long one sweep may run: it covers the whole organization.
   * @default Duration.hours(12)
   */
  readonly timeout?: Duration;
}

/**
 * sweep: the daily backstop. A Distributed Map over every active account of the organization
 * runs cover-account for each, a bounded number at a time, tolerating some failures.
 */
export class Sweep extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const { functions: fns, coverAccount } = props;
    const ledger = new LedgerSteps(this, fns, 'sweep');
    const summarize = (label: string, payload: Record<string, unknown>) => ledger.step(label, payload, true);
    const listAccounts = lambdaStep(this, 'ListAccounts', fns.listAccounts, { resultPath: '$.listed' });
    listAccounts.addCatch(summarize('SummarizeListFailure', { results: [], 'error.$': '$.error' }), {
      resultPath: '$.error',
    });

    const coverOne = retryTransient(
      new tasks.StepFunctionsStartExecution(this, 'CoverAccount', {
        stateMachine: coverAccount,
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        name: sfn.JsonPath.stringAt(childName('$.account')),
        input: sfn.TaskInput.fromObject({ 'account.$': '$.account', trigger: 'sweep' }),
        // Only the counts: the Distributed Map collects one result per account into the
        // sweep's state, and Step Functions fails an execution whose state exceeds 256 KiB
        // (States.DataLimitExceeded, "Step Functions service quotas"). A child's failed cells
        // (up to MAX_FAILED_IN_SUMMARY, each with a reason of up to 1,000 characters) made a few
        // dozen failing accounts enough; its counts still carry how many failed, and the cells
        // are in the ledger and in the child's own summary. About 80 bytes per account.
        resultSelector: { 'counts.$': '$.Output.counts', failed: [] },
      }),
    );
    coverOne.addCatch(
      // The error's name only: a failed child's Cause (its execution's description) can be
      // tens of kilobytes, which the collected results cannot carry for many accounts.
      new sfn.Pass(this, 'AccountFailed', {
        parameters: { 'account.$': '$.account', error: { 'Error.$': '$.error.Error' } },
      }),
      { resultPath: '$.error' },
    );
    // The rollout: the listed accounts in waves of accountsPerWave, one wave after the other.
    // After each wave the ledger writer adds it up (functions/write-ledger/rollout.ts) and says
    // whether the failure rate so far stops the rollout; the last step records how it went.
    // The listing is kept only as its waves: the execution's state holds about 27 bytes per
    // account in that form, and Step Functions fails an execution whose state passes 256 KiB
    // with States.DataLimitExceeded, which no Catch catches ("can't catch
    // States.DataLimitExceeded terminal error", Step Functions Developer Guide, "Handling
    // errors"). Listing and waves side by side halved the organization that fits
    // (SWEEP_STATE_BYTES_PER_ACCOUNT, test/workflows/sweep-state.test.ts).
    const planWaves = new sfn.Pass(this, 'PlanWaves', {
      parameters: {
        plan: {
          'waves.$': `States.ArrayPartition($.listed.accounts, ${props.accountsPerWave})`,
          'total.$': 'States.ArrayLength($.listed.accounts)',
        },
      },
    });
    const startRollout = new sfn.Pass(this, 'StartRollout', {
      parameters: {
        next: 0,
        'waveCount.$': 'States.ArrayLength($.plan.waves)',
        'total.$': '$.plan.total',
        accounts: 0,
        failedAccounts: 0,
        counts: {},
        failed: [],
        stopAtFailurePercent: props.stopAtFailurePercent,
        enforce: props.enforce,
        halted: false,
      },
      resultPath: '$.progress',
    });
    const selectWave = new sfn.Pass(this, 'SelectWave', {
      parameters: { 'accounts.$': 'States.ArrayGetItem($.plan.waves, $.progress.next)' },
      resultPath: '$.wave',
    });
    const accounts = new sfn.DistributedMap(this, 'Accounts', {
      itemsPath: '$.wave.accounts',
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage ?? 10,
      resultPath: '$.waveResults',
    });
    accounts.itemProcessor(coverOne);
    accounts.addCatch(summarize('SummarizeSweepFailure', { results: [], 'error.$': '$.error' }), {
      resultPath: '$.error',
    });
    const afterWave = ledger.step(
      'AfterWave',
      { 'results.$': '$.waveResults', afterWave: { 'progress.$': '$.progress' } },
      true,
      '$.progress',
    );
    const done = summarize('Summarize', {
      'results.$': '$.progress',
      'rollout.$': '$.progress',
      coverage: { 'waves.$': '$.plan.waves' },
    });
    const nextWave = new sfn.Choice(this, 'NextWave')
      .when(
        sfn.Condition.and(
          sfn.Condition.booleanEquals('$.progress.halted', false),
          sfn.Condition.numberLessThanJsonPath('$.progress.next', '$.progress.waveCount'),
        ),
        selectWave.next(accounts).next(afterWave),
      )
      .otherwise(done);
    afterWave.next(nextWave);
    this.stateMachine = workflowStateMachine(
      this,
      'sweep',
      listAccounts.next(planWaves).next(startRollout).next(nextWave),
      {
        logKey: fns.logKey,
        timeout: props.timeout ?? Duration.hours(12),
        functions: [fns.listAccounts, fns.writeLedger],
        children: [coverAccount],
      },
    );
  }
}
