import { Template } from 'aws-cdk-lib/assertions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import aslValidator from 'asl-validator';
import { aslFromTemplate, runLocally, type TaskHandlers } from '../../local/asl';
import { REGION_CONCURRENCY } from '../../workflows/cover-account';
import {
  memberRoleRetry,
  subscriptionTestRetry,
  trailConflictRetry,
  transientErrors,
} from '../../workflows/resilience';
import { TrailConflict } from '../../functions/ensure-trail/ensure-trail';
import { SubscriptionTestUndelivered } from '../../functions/ensure-subscription/ensure-subscription';
import { MemberRoleUnavailable } from '../../functions/shared/member-clients';
import { buildExample, exampleConfig } from '../stacks/example-app';

const config = exampleConfig();
const built = buildExample(config);
const template = Template.fromStack(built.controlPlane).toJSON() as never;
const asl = (name: string) =>
  aslFromTemplate(template, name, config.homeRegion, config.accounts.securityTooling);
const workflows = [
  'logwarden-cover-account-region',
  'logwarden-cover-account',
  'logwarden-cover-vpc',
  'logwarden-sweep',
];

type State = {
  Type: string;
  Parameters?: Record<string, unknown>;
  Retry?: {
    ErrorEquals: string[];
    JitterStrategy?: string;
    BackoffRate?: number;
    IntervalSeconds?: number;
    MaxAttempts?: number;
    MaxDelaySeconds?: number;
  }[];
  Catch?: unknown[];
  Branches?: { States: Record<string, State> }[];
  ItemProcessor?: { States: Record<string, State>; ProcessorConfig?: { Mode?: string } };
  Iterator?: { States: Record<string, State> };
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
};

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, State],
    ...(s.Branches ?? []).flatMap((b) => allStates(b.States)),
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
    ...(s.Iterator ? allStates(s.Iterator.States) : []),
  ]);
}

describe('workflows (synthesized ASL)', () => {
  it.each(workflows)('%s is a valid Standard state machine (asl-validator)', (name) => {
    const definition = asl(name);
    const result = aslValidator(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    const sm = Object.values(
      Template.fromStack(built.controlPlane).findResources('AWS::StepFunctions::StateMachine'),
    ).find((r) => r.Properties.StateMachineName === name);
    expect(sm?.Properties.StateMachineType).toBe('STANDARD');
    expect(sm?.Properties.LoggingConfiguration.Level).toBe('ALL');
  });

  it('every workflow logs to a group under /aws/vendedlogs/, which leaves the account’s CloudWatch Logs resource policy alone', () => {
    // "When you create a state machine with logging enabled, Step Functions must update your
    // CloudWatch Logs resource policy with the log group you specify. To avoid reaching the
    // CloudWatch Logs resource policy size limit, prefix your CloudWatch Logs log group names with
    // /aws/vendedlogs/" (Step Functions Developer Guide, "Avoiding Amazon CloudWatch Logs
    // resource policy size restrictions"). That policy is shared with everyone's vended logs.
    const template = Template.fromStack(built.controlPlane);
    const groups = template.findResources('AWS::Logs::LogGroup');
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(workflows.length);
    for (const sm of machines) {
      const destinations = sm.Properties.LoggingConfiguration.Destinations as {
        CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } };
      }[];
      expect(destinations).toHaveLength(1);
      const [logicalId] = destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'];
      expect(groups[logicalId].Properties.LogGroupName).toBe(
        `/aws/vendedlogs/states/logwarden/${sm.Properties.StateMachineName.replace(/^logwarden-/, '')}`,
      );
    }
  });

  it.each(workflows)(
    '%s: every Task retries throttling and 5xx with backoff and jitter, and has a Catch',
    (name) => {
      const tasks = allStates((asl(name) as { States: Record<string, State> }).States).filter(
        ([, s]) => s.Type === 'Task',
      );
      expect(tasks.length).toBeGreaterThan(0);
      for (const [taskName, task] of tasks) {
        const retry = task.Retry?.find((r) => r.ErrorEquals.includes('ThrottlingException'));
        expect({ taskName, retry: !!retry }).toEqual({ taskName, retry: true });
        for (const e of [
          'ThrottlingException',
          'TooManyRequestsException',
          'RequestLimitExceeded',
          'Lambda.TooManyRequestsException',
          // Step Functions Developer Guide, "Handle transient Lambda service exceptions": "invoking
          // Lambda results in a 500 error, such as ClientExecutionTimeoutException,
          // ServiceException, AWSLambdaException, or SdkClientException" — retry them.
          'Lambda.ClientExecutionTimeoutException',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'ServiceUnavailable',
          'InternalFailure',
        ]) {
          expect(retry?.ErrorEquals).toContain(e);
        }
        expect(retry?.JitterStrategy).toBe('FULL');
        expect(retry?.BackoffRate).toBeGreaterThan(1);
        // The final summary steps are the catch targets themselves; all others catch.
        if (!/^Summarize/.test(taskName))
          expect({ taskName, catches: (task.Catch ?? []).length > 0 }).toEqual({ taskName, catches: true });
      }
      expect(transientErrors).toContain('Lambda.TooManyRequestsException');
    },
  );

  /** Every control Task (`Ensure…`) of every workflow, with its name. */
  const controlTasks = () =>
    workflows.flatMap((name) =>
      allStates((asl(name) as { States: Record<string, State> }).States).filter(([n]) => /^Ensure/.test(n)),
    );

  /** The longest a retry waits in all, in minutes (each delay before jitter). */
  const waitMinutes = (retry: sfn.RetryProps) => {
    let total = 0;
    for (let i = 0; i < retry.maxAttempts!; i++)
      total += Math.min(retry.interval!.toSeconds() * retry.backoffRate! ** i, retry.maxDelay!.toSeconds());
    return total / 60;
  };

  it('every control Task passes the execution name and retries a member role that is not there yet, long but bounded', () => {
    const controls = controlTasks();
    expect(controls.map(([n]) => n).sort()).toEqual(
      ['EnsureFlowLogs', 'EnsureFlowLogs', 'EnsureGuardDuty', 'EnsureSubscription', 'EnsureTrail'].sort(),
    );
    for (const [name, task] of controls) {
      // payloadResponseOnly: the Parameters are the function's event.
      expect({ name, execution: task.Parameters?.['execution.$'] }).toEqual({
        name,
        execution: '$$.Execution.Name',
      });
      const retry = task.Retry?.find((r) => r.ErrorEquals.includes(MemberRoleUnavailable.errorName));
      expect({ name, retry }).toEqual({
        name,
        retry: {
          ErrorEquals: ['MemberRoleUnavailable'],
          IntervalSeconds: 30,
          BackoffRate: 1.5,
          MaxAttempts: 12,
          MaxDelaySeconds: 300,
          // Without jitter the window is the sum of the delays, not a random share of it.
          JitterStrategy: 'NONE',
        },
      });
    }
    // Bounded: the retries wait 40 minutes in all, under an hour.
    expect(waitMinutes(memberRoleRetry)).toBeGreaterThan(39);
    expect(waitMinutes(memberRoleRetry)).toBeLessThan(60);
  });

  it('the subscription control retries an undelivered test message for about five minutes; no other control has that retry', () => {
    const controls = controlTasks();
    for (const [name, task] of controls) {
      const retry = task.Retry?.find((r) => r.ErrorEquals.includes(SubscriptionTestUndelivered.errorName));
      if (name !== 'EnsureSubscription') {
        expect({ name, retry }).toEqual({ name, retry: undefined });
        continue;
      }
      expect(retry).toEqual({
        ErrorEquals: ['SubscriptionTestUndelivered'],
        IntervalSeconds: 10,
        BackoffRate: 2,
        MaxAttempts: 5,
        MaxDelaySeconds: 120,
        JitterStrategy: 'FULL',
      });
    }
    expect(waitMinutes(subscriptionTestRetry)).toBeGreaterThan(4);
    expect(waitMinutes(subscriptionTestRetry)).toBeLessThan(10);
  });

  // CloudTrail API Reference, ConflictException: "If this exception occurs, wait a few minutes,
  // and then try the operation again." The trail control throws it as TrailConflict.
  it('the trail control retries a CloudTrail ConflictException for a few minutes, without jitter; no other control has that retry', () => {
    const controls = controlTasks();
    for (const [name, task] of controls) {
      const retry = task.Retry?.find((r) => r.ErrorEquals.includes(TrailConflict.errorName));
      if (name !== 'EnsureTrail') {
        expect({ name, retry }).toEqual({ name, retry: undefined });
        continue;
      }
      expect(retry).toEqual({
        ErrorEquals: ['TrailConflict'],
        IntervalSeconds: 30,
        BackoffRate: 2,
        MaxAttempts: 5,
        MaxDelaySeconds: 120,
        JitterStrategy: 'NONE',
      });
    }
    // "a few minutes": the retries wait 7.5 minutes in all.
    expect(waitMinutes(trailConflictRetry)).toBeGreaterThan(5);
    expect(waitMinutes(trailConflictRetry)).toBeLessThan(10);
  });

  it('each workflow has one LedgerFailed state, and its timeout from its construct', () => {
    for (const name of workflows) {
      const states = allStates((asl(name) as { States: Record<string, State> }).States);
      expect(states.filter(([n]) => n === 'LedgerFailed')).toHaveLength(1);
    }
    const timeouts = Object.fromEntries(
      Object.values(
        Template.fromStack(built.controlPlane).findResources('AWS::StepFunctions::StateMachine'),
      ).map((r) => [r.Properties.StateMachineName, JSON.stringify(r.Properties.DefinitionString)]),
    );
    expect(timeouts['logwarden-sweep']).toContain('\\"TimeoutSeconds\\":43200');
    expect(timeouts['logwarden-cover-account-region']).toContain('\\"TimeoutSeconds\\":7200');
  });

  it('Map concurrency is bounded: regions per account, accounts per sweep (a Distributed Map with a failure threshold)', () => {
    const regions = allStates(
      (asl('logwarden-cover-account') as { States: Record<string, State> }).States,
    ).find(([, s]) => s.Type === 'Map');
    expect(regions?.[1].MaxConcurrency).toBe(REGION_CONCURRENCY);
    const accounts = allStates((asl('logwarden-sweep') as { States: Record<string, State> }).States).find(
      ([, s]) => s.Type === 'Map',
    );
    expect(accounts?.[1].MaxConcurrency).toBe(config.sweep.maxConcurrency);
    expect(accounts?.[1].ItemProcessor?.ProcessorConfig?.Mode).toBe('DISTRIBUTED');
    expect(accounts?.[1].ToleratedFailurePercentage).toBe(10);
  });
});

describe('cover-account-region executed (aws-local-stepfunctions)', () => {
  const definition = asl('logwarden-cover-account-region');
  const input = { account: '444444444444', region: 'eu-west-1' };
  const control = (name: string, status: string) => (event: unknown) => ({
    control: name,
    ...(event as object),
    status,
    evidence: {},
    actions: status === 'healed' ? ['did something'] : [],
  });
  let ledgerInput: { results: { control: string; status?: string; error?: unknown }[] } | undefined;
  const handlers = (status: string, overrides: TaskHandlers = {}): TaskHandlers => ({
    EnsureFlowLogs: control('flow-logs', status),
    EnsureTrail: control('trail', status),
    EnsureGuardDuty: control('guardduty', status),
    EnsureSubscription: control('subscription', status),
    WriteLedger: (event) => {
      ledgerInput = event as typeof ledgerInput;
      return { counts: {}, failed: [] };
    },
    ...overrides,
  });

  it('a covered account and a new one: every control runs, the ledger gets four results, at most 30 transitions', async () => {
    const covered = await runLocally(definition, input, handlers('covered'), { executionName: 'covered' });
    expect(ledgerInput?.results.map((r) => [r.control, r.status])).toEqual([
      ['flow-logs', 'covered'],
      ['trail', 'covered'],
      ['guardduty', 'covered'],
      ['subscription', 'covered'],
    ]);
    const fresh = await runLocally(definition, input, handlers('healed'), { executionName: 'new' });
    expect(covered.transitions).toBeLessThanOrEqual(30);
    expect(fresh.transitions).toBeLessThanOrEqual(30);
    // The figures in docs/control-plane.md's table.
    expect([covered.transitions, fresh.transitions]).toEqual([6, 6]);
  });

  it('one failing control never stops the others: its failure becomes a result for the ledger', async () => {
    const failing = async () => {
      throw Object.assign(new Error('AccessDenied: not authorized'), { name: 'AccessDeniedException' });
    };
    const run = await runLocally(definition, input, handlers('covered', { EnsureTrail: failing }), {
      executionName: 'one-fails',
    });
    const results = ledgerInput!.results;
    expect(results.map((r) => r.control)).toEqual(['flow-logs', 'trail', 'guardduty', 'subscription']);
    expect(results[1]).toMatchObject({
      control: 'trail',
      account: '444444444444',
      region: 'eu-west-1',
      error: { Error: 'AccessDeniedException' },
    });
    expect(run.transitions).toBeLessThanOrEqual(30);
    // The Catch enters one Pass state more than the covered run (docs/control-plane.md table).
    expect(run.transitions).toBe(7);
  });

  it('a new account whose member role the StackSet has not created yet is covered once it exists', async () => {
    let attempts = 0;
    const seen: unknown[] = [];
    const roleLate = (event: unknown) => {
      seen.push(event);
      if (++attempts <= 3)
        throw new MemberRoleUnavailable(
          '444444444444',
          Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }),
        );
      return control('flow-logs', 'healed')(event);
    };
    const run = await runLocally(definition, input, handlers('covered', { EnsureFlowLogs: roleLate }), {
      executionName: 'new-account',
    });
    expect(run.retries).toBe(3);
    expect(ledgerInput!.results[0]).toMatchObject({ control: 'flow-logs', status: 'healed' });
    expect(seen[0]).toEqual({ account: '444444444444', region: 'eu-west-1', execution: 'new-account' });
  });

  it('throttling is retried and the execution still succeeds', async () => {
    let calls = 0;
    const flaky = (event: unknown) => {
      if (++calls <= 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return control('flow-logs', 'covered')(event);
    };
    const run = await runLocally(definition, input, handlers('covered', { EnsureFlowLogs: flaky }), {
      executionName: 'throttled',
    });
    expect(run.retries).toBe(2);
    expect(ledgerInput!.results[0]).toMatchObject({ control: 'flow-logs', status: 'covered' });
  });
});

describe('sweep rollout in waves, executed (aws-local-stepfunctions, issue 23 §2)', () => {
  const waves = exampleConfig({ sweep: { ...config.sweep, accountsPerWave: 2, stopAtFailurePercent: 30 } });
  const sweepTemplate = Template.fromStack(buildExample(waves).controlPlane).toJSON() as never;
  const definition = aslFromTemplate(
    sweepTemplate,
    'logwarden-sweep',
    waves.homeRegion,
    waves.accounts.securityTooling,
  );
  const accounts = ['100000000001', '100000000002', '100000000003', '100000000004', '100000000005'];

  /** The sweep with its Tasks bound: the real write-ledger core, children that fail for `failing`. */
  async function sweep(failing: string[]) {
    const { writeLedger } = await import('../../functions/write-ledger/ledger');
    const covered: string[] = [];
    const ledgerDeps = {
      ddb: {} as never,
      sns: { send: async () => ({}) } as never,
      table: 't',
      summaryTopicArn: 'arn',
    };
    const run = await runLocally(
      definition,
      { trigger: 'test' },
      {
        ListAccounts: () => ({ accounts: accounts.map((account) => ({ account })) }),
        CoverAccount: (params: unknown) => {
          const account = (params as { Input: { account: string } }).Input.account;
          covered.push(account);
          return {
            Output: {
              counts: failing.includes(account) ? { failed: 1, covered: 7 } : { covered: 8 },
              failed: [],
            },
          };
        },
        AfterWave: (input) => writeLedger(input as never, ledgerDeps),
        Summarize: (input) => writeLedger(input as never, ledgerDeps),
      },
      { executionName: 'waves' },
    );
    return {
      run,
      covered,
      output: run.output as { counts: Record<string, number>; rollout: Record<string, unknown> },
    };
  }

  it('is valid ASL whose accounts Map runs over one wave at a time', () => {
    expect(aslValidator(definition).errors).toEqual([]);
    const states = (
      definition as { States: Record<string, State & { Parameters?: Record<string, unknown> }> }
    ).States;
    expect((states.PlanWaves.Parameters?.plan as Record<string, unknown>)['waves.$']).toBe(
      'States.ArrayPartition($.listed.accounts, 2)',
    );
    expect((states.Accounts as unknown as { ItemsPath: string }).ItemsPath).toBe('$.wave.accounts');
  });

  it('without failures every wave runs, in order, and the output records the rollout', async () => {
    const { covered, output } = await sweep([]);
    expect(covered).toEqual(accounts);
    expect(output.counts).toEqual({ covered: 40 });
    expect(output.rollout).toEqual({
      waves: 3,
      wavesRun: 3,
      accounts: 5,
      accountsSwept: 5,
      failedAccounts: 0,
      stopAtFailurePercent: 30,
    });
  });

  it('stops after the wave in which the failure rate passes stopAtFailurePercent; later accounts are not touched', async () => {
    // Wave 1: 1 of 2 failed (50 % > 30 %): waves 2 and 3 never start.
    const { covered, output } = await sweep(['100000000002']);
    expect(covered).toEqual(accounts.slice(0, 2));
    expect(output.rollout).toMatchObject({ waves: 3, wavesRun: 1, accountsSwept: 2, failedAccounts: 1 });
    expect(output.rollout.stopped).toContain('3 account(s) not swept');
    // 1 of 4 (25 %) after wave 2 goes on.
    const later = await sweep(['100000000003']);
    expect(later.output.rollout).toMatchObject({ wavesRun: 3, failedAccounts: 1 });
    expect(later.output.rollout.stopped).toBeUndefined();
  });

  it('observe mode never stops the rollout (nothing is written)', async () => {
    const observe = exampleConfig({ mode: 'observe' });
    const t = Template.fromStack(buildExample(observe).controlPlane).toJSON() as never;
    const d = aslFromTemplate(t, 'logwarden-sweep', observe.homeRegion, observe.accounts.securityTooling) as {
      States: Record<string, { Parameters?: Record<string, unknown> }>;
    };
    expect(d.States.StartRollout.Parameters?.enforce).toBe(false);
  });
});
