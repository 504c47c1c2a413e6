import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ControlFunctions } from './control-functions';
import { lambdaStep } from './lambda-step';
import { LedgerSteps } from './ledger-step';
import { retryTransient } from './resilience';
import { workflowStateMachine } from './state-machine';

/**
 * Regions of one account covered at the same time: 17 default Regions in two waves. The
 * per-Region quotas a cell uses do not grow with it; STS (per account) and Lambda concurrency do,
 * well within their limits. The sweep's time is the waves' (issue 26: at 200 ms per API call, 4 at a time took 31.5 minutes at 1,000 ×
 * 17 in `npm run scale`, 9 at a time 13.3, nothing throttled; docs/scale.md).
 */
export const REGION_CONCURRENCY = 9;

/**
 * A child execution name: readable prefix plus a hash of the parent execution and the item,
 * so re-running the parent under its name reuses the children and names stay under 80.
 */
export function childName(prefixPath: string): string {
  return `States.Format('{}-{}', ${prefixPath}, States.Hash(States.Format('{}/{}', $$.Execution.Name, ${prefixPath}), 'SHA-1'))`;
}

export interface CoverAccountProps {
  /** The control functions and the ledger writer. */
  readonly functions: ControlFunctions;
  /** The cover-account-region workflow, started for each region. */
  readonly coverRegion: sfn.IStateMachine;
  /**
   * Regions covered at the same time.
   * @default REGION_CONCURRENCY (9)
   */
  readonly regionConcurrency?: number;
  /**
   * How long one execution may run.
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;
}

/**
 * cover-account: whether the account is in scope (its cells are recorded `excluded` when not),
 * the account's enabled regions (Account API) that are governed, then
 * cover-account-region for each, a bounded number at a time; then one summary.
 */
export class CoverAccount extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: CoverAccountProps) {
    super(scope, id);
    const { functions: fns, coverRegion } = props;
    const ledger = new LedgerSteps(this, fns, 'cover-account');
    const summarize = (label: string, payload: Record<string, unknown>) => ledger.step(label, payload, true);

    const listRegions = lambdaStep(this, 'ListRegions', fns.listRegions, {
      payload: { 'account.$': '$.account' },
      resultPath: '$.listed',
    });
    const listFailed = summarize('SummarizeListFailure', { results: [], 'error.$': '$.error' });
    listRegions.addCatch(listFailed, { resultPath: '$.error' });

    const coverOne = retryTransient(
      new tasks.StepFunctionsStartExecution(this, 'CoverRegion', {
        stateMachine: coverRegion,
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        name: sfn.JsonPath.stringAt(childName('$.region')),
        input: sfn.TaskInput.fromObject({
          'account.$': '$.account',
          'region.$': '$.region',
          trigger: 'cover-account',
        }),
        resultSelector: { 'failed.$': '$.Output.failed', 'counts.$': '$.Output.counts' },
      }),
    );
    coverOne.addCatch(
      new sfn.Pass(this, 'RegionFailed', {
        parameters: { 'account.$': '$.account', 'region.$': '$.region', 'error.$': '$.error' },
      }),
      { resultPath: '$.error' },
    );
    const regions = new sfn.Map(this, 'Regions', {
      itemsPath: '$.listed.regions',
      itemSelector: { 'account.$': '$.listed.account', 'region.$': '$$.Map.Item.Value' },
      maxConcurrency: props.regionConcurrency ?? REGION_CONCURRENCY,
      resultPath: '$.regionResults',
    });
    regions.itemProcessor(coverOne);
    const done = summarize('Summarize', { 'results.$': '$.regionResults' });
    // An account out of scope (config `scope`): its cells are written `excluded`, with the rule
    // list-regions found, and nothing is covered.
    const excluded = ledger.step('RecordExcluded', { 'results.$': '$.listed.excluded' });
    const inScope = new sfn.Choice(this, 'InScope')
      .when(sfn.Condition.isPresent('$.listed.excluded[0]'), excluded)
      .otherwise(regions.next(done));
    this.stateMachine = workflowStateMachine(this, 'cover-account', listRegions.next(inScope), {
      logKey: fns.logKey,
      timeout: props.timeout ?? Duration.hours(2),
      functions: [fns.listRegions, fns.writeLedger],
      children: [coverRegion],
    });
  }
}
