import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { ControlName, ControlResult } from '../contracts/coverage';
import { stateMachineName, type WorkflowId } from '../contracts/names';
import { writeLedger, type LedgerInput } from '../functions/write-ledger/ledger';
import type { RolloutRecord } from '../functions/write-ledger/rollout';
import { aslFromTemplate, forEachState, runLocally, type CfnTemplate, type TaskHandlers } from '../local/asl';
import { templateFunctions } from '../local/template-functions';
import {
  apiCallLatency,
  callsReadFromCode,
  coveredCalls,
  defaultTiming,
  latencySampler,
  regionOf,
  type CallModel,
  limits,
  throttleModelOf,
  type ModelledCall,
  type ThrottleModel,
  type Timing,
} from './model';
import { VirtualClock } from './virtual-clock';

export interface SimulationOptions {
  /** The synthesized control-plane template (what `cdk synth` writes). */
  template: CfnTemplate;
  homeRegion: string;
  securityToolingAccount: string;
  managementAccount: string;
  accounts: number;
  /** The governed regions every account has enabled. */
  regions: readonly string[];
  timing?: Timing;
  /** Seed of the jitter, latencies and injected failures, so that a run is repeatable. */
  seed?: number;
  /**
   * The calls each control makes in a cell.
   * @default the lists read from the code (scale/model.ts coveredCalls)
   */
  calls?: CallModel;
  /**
   * Every invocation of `fn` fails with this error (not a transient one: the Catch records it),
   * to see what many failures do to the workflows' payloads.
   */
  failing?: { fn: string; error: string; message: string };
}

/** One request-rate quota as the run used it: the busiest (account, region) of its kind. */
export interface QuotaUse {
  /** The bucket: service and API (or API group). */
  bucket: string;
  /** Who pays: the security-tooling account (shared by the organization) or a member. */
  payer: 'security-tooling' | 'member';
  /** The region where the peak was (the busiest one for the security-tooling account). */
  region: string;
  peakPerSecond: number;
  quotaPerSecond: number;
  burst: number;
  /** peak ÷ sustained quota: above 1, the quota was exceeded in some second. */
  utilisation: number;
  calls: number;
  throttled: number;
  documented: boolean;
  source: string;
}

export interface SimulationReport {
  accounts: number;
  regions: number;
  sweepMaxConcurrency: number;
  regionConcurrency: number;
  simulatedSeconds: number;
  executions: Record<WorkflowId, number>;
  executionsFailed: number;
  /** The first few failures, with their reasons. */
  failures: string[];
  distributedMapChildren: number;
  stateTransitions: number;
  lambdaInvocations: Record<string, number>;
  /** Simulated milliseconds each function ran in all (what Lambda bills as duration). */
  lambdaBusyMs: Record<string, number>;
  lambdaPeakConcurrency: number;
  lambdaThrottles: number;
  apiCalls: number;
  apiCallsByService: Record<string, number>;
  /** Every quota, busiest first (highest utilisation). */
  quotas: QuotaUse[];
  /** Throttled calls the SDK retried, and throttled calls that failed the Lambda invocation. */
  throttlesAbsorbedBySdk: number;
  throttlesFailingInvocation: number;
  /** Task retries (the ASL Retry policies) of any error, throttling included. */
  taskRetries: number;
  /**
   * Failures injected at the timing's rates (scale/model.ts `failures`): 5xx answers to API
   * calls, Lambda 5xx on invocations, and controls that fail for good (each one a failed cell).
   */
  injected: { apiTransient: number; lambdaTransient: number; controlPermanent: number };
  /** Injected 5xx answers the SDK retried, and those that failed the Lambda invocation after every attempt. */
  transientAbsorbedBySdk: number;
  transientFailingInvocation: number;
  /** Invocations that found no idle execution environment of their function (a cold start). */
  coldStarts: number;
  sweepCounts: Record<string, number>;
  /** How the sweep's waves went (functions/write-ledger/rollout.ts). */
  sweepRollout?: RolloutRecord;
  /** The largest state output (bytes of JSON) per workflow, against limits.payloadBytes. */
  largestStateBytes: Record<string, number>;
  /** The sweep's Distributed Map results as its Summarize step receives them. */
  sweepMapResultBytes: number;
  /** The most events one execution's history held (AWS: at most 25,000). */
  largestHistoryEvents: number;
  timing: Timing;
  /** The seed of the run's latencies, failures and jitter. */
  seed: number;
}

/**
 * aws-local-stepfunctions times Task states out on the real clock, after 60 s when a Task
 * declares no TimeoutSeconds (AWS's default is 99,999,999 s, States Language specification).
 * In simulated time a waiting Task can take minutes of wall time on a busy machine, so the copy
 * that runs here gives every Task 2,000,000 s (setTimeout's limit is 2^31 ms); no Task of
 * logwarden's workflows declares a timeout of its own, which `simulateSweep` checks. The
 * executions' own TimeoutSeconds are enforced on the simulated clock instead.
 */
function withoutRealTimeouts(definition: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(definition)) as Record<string, unknown>;
  forEachState(copy, (name, state) => {
    if (state.Type !== 'Task') return;
    if (state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined)
      throw new Error(`task ${name} declares a timeout, which the simulation does not model yet`);
    state.TimeoutSeconds = 2_000_000;
  });
  return copy;
}

/** A repeatable source of uniform numbers in [0, 1) (mulberry32). */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Bucket {
  private tokens: number;
  private at = 0;
  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.refillPerSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Requests per whole second of simulated time in one bucket: the peak is what a quota is set against. */
interface Meter {
  second: number;
  count: number;
  peak: number;
  calls: number;
  throttled: number;
}

const throttledError = (name: string, message: string) => Object.assign(new Error(message), { name });

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));

/**
 * The daily sweep over an emulated organization, in simulated time: the synthesized `sweep`,
 * `cover-account` and `cover-account-region` definitions run with aws-local-stepfunctions; every
 * Lambda task is a model (the calls of `coveredCalls`, each taking a sample of the API call's
 * latency, throttled by the request-rate quotas of `throttleModels`, failing at the timing's
 * rates and retried as the SDK retries), except write-ledger, whose real core runs over
 * modelled DynamoDB and SNS clients. Lambda invocations take a warm overhead, plus a cold start
 * when no idle execution environment of the function is left; every state transition and child
 * execution start takes a sample of its distribution. Retry waits of the ASL (interval, backoff,
 * full jitter, max delay) are taken from the definitions and spent on the simulated clock.
 */
export async function simulateSweep(options: SimulationOptions): Promise<SimulationReport> {
  const timing = options.timing ?? defaultTiming;
  const clock = new VirtualClock();
  const seed = options.seed ?? 1;
  const jitter = random(seed);
  // One stream per purpose, so that a rate or a distribution changed leaves the others' draws as they were.
  const stream = (k: number) => random((Math.imul(seed, 0x9e3779b1) + k) >>> 0);
  const callLatency = latencySampler(apiCallLatency(timing), stream(1));
  const warmOverhead = latencySampler(timing.lambdaWarm, stream(2));
  const coldInit = latencySampler(timing.lambdaCold, stream(3));
  const transition = latencySampler(timing.transition, stream(4));
  const childStart = latencySampler(timing.childStart, stream(5));
  const failureDraw = { api: stream(6), lambda: stream(7), control: stream(8) };
  const { failures } = timing;
  /** Idle execution environments per function: an invocation that finds none starts cold. */
  const idleEnvironments: Record<string, number> = {};
  const { template, homeRegion, securityToolingAccount: admin } = options;
  const workflows: WorkflowId[] = ['sweep', 'cover-account', 'cover-account-region'];
  const definitions = new Map(
    workflows.map(
      (w) =>
        [w, withoutRealTimeouts(aslFromTemplate(template, stateMachineName(w), homeRegion, admin))] as const,
    ),
  );
  const fnByLogicalId = new Map(
    templateFunctions(template, homeRegion, admin).map((f) => [f.logicalId, f.name]),
  );
  // The security-tooling account is one of the organization's accounts the sweep covers.
  const members = [
    admin,
    ...Array.from({ length: options.accounts - 1 }, (_, i) => String(100_000_000_000 + i)),
  ];

  const report = {
    executions: { sweep: 0, 'cover-account': 0, 'cover-account-region': 0, 'cover-vpc': 0 } as Record<
      WorkflowId,
      number
    >,
    executionsFailed: 0,
    stateTransitions: 0,
    lambdaInvocations: {} as Record<string, number>,
    lambdaBusyMs: {} as Record<string, number>,
    lambdaInFlight: 0,
    lambdaPeakConcurrency: 0,
    lambdaThrottles: 0,
    apiCalls: 0,
    apiCallsByService: {} as Record<string, number>,
    throttlesAbsorbedBySdk: 0,
    throttlesFailingInvocation: 0,
    taskRetries: 0,
    injected: { apiTransient: 0, lambdaTransient: 0, controlPermanent: 0 },
    transientAbsorbedBySdk: 0,
    transientFailingInvocation: 0,
    coldStarts: 0,
    failures: [] as string[],
    largestStateBytes: {} as Record<string, number>,
    sweepMapResultBytes: 0,
    largestHistoryEvents: 0,
  };
  /** Per (bucket, payer account, region). */
  const buckets = new Map<string, { bucket: Bucket; meter: Meter; model: ThrottleModel; name: string }>();

  /**
   * One AWS call as the SDK makes it: throttled calls and 5xx answers are retried with full-jitter
   * backoff (each with its base), up to the SDK's attempts.
   */
  async function api(c: ModelledCall, account: string, cellRegion: string) {
    const region = regionOf(c, cellRegion, homeRegion);
    const quota = throttleModelOf(c.service, c.operation);
    if (!quota) throw new Error(`no throttling model for ${c.service} ${c.operation} (scale/model.ts)`);
    const key = `${quota.bucket}|${c.payer}|${account}|${region}`;
    let b = buckets.get(key);
    if (!b)
      buckets.set(
        key,
        (b = {
          bucket: new Bucket(quota.model.capacity, quota.model.refillPerSecond),
          meter: { second: 0, count: 0, peak: 0, calls: 0, throttled: 0 },
          model: quota.model,
          name: quota.bucket,
        }),
      );
    for (let attempt = 0; ; attempt++) {
      report.apiCalls++;
      report.apiCallsByService[c.service] = (report.apiCallsByService[c.service] ?? 0) + 1;
      const m = b.meter;
      const second = Math.floor(clock.now / 1000);
      if (m.second !== second) Object.assign(m, { second, count: 0 });
      m.count++;
      m.calls++;
      m.peak = Math.max(m.peak, m.count);
      const accepted = b.bucket.take(clock.now);
      await clock.sleep(callLatency());
      // What the SDK retries: an injected 5xx of an accepted call, or the quota's throttling.
      let retry: {
        error: string;
        message: string;
        backoffBaseMs: number;
        absorbed: 'transientAbsorbedBySdk' | 'throttlesAbsorbedBySdk';
        failing: 'transientFailingInvocation' | 'throttlesFailingInvocation';
      };
      if (accepted) {
        if (!(failureDraw.api() < failures.apiTransient.rate)) return;
        report.injected.apiTransient++;
        retry = {
          error: failures.apiTransient.error,
          message: `${c.operation}: internal failure`,
          backoffBaseMs: timing.sdkTransientBackoffMs,
          absorbed: 'transientAbsorbedBySdk',
          failing: 'transientFailingInvocation',
        };
      } else {
        m.throttled++;
        retry = {
          error: quota.model.error,
          message: `${c.operation}: Rate exceeded`,
          backoffBaseMs: timing.sdkThrottleBackoffMs,
          absorbed: 'throttlesAbsorbedBySdk',
          failing: 'throttlesFailingInvocation',
        };
      }
      if (attempt + 1 >= timing.sdkAttempts) {
        report[retry.failing]++;
        throw throttledError(retry.error, retry.message);
      }
      report[retry.absorbed]++;
      await clock.sleep(jitter() * Math.min(20_000, retry.backoffBaseMs * 2 ** attempt));
    }
  }

  const modelledLedgerClients = {
    ddb: {
      send: () =>
        api(
          { service: 'dynamodb', operation: 'PutItem', payer: 'admin', region: 'home' },
          admin,
          homeRegion,
        ).then(() => ({})),
    } as unknown as DynamoDBClient,
    sns: {
      send: () =>
        api({ service: 'sns', operation: 'Publish', payer: 'admin', region: 'home' }, admin, homeRegion).then(
          () => ({}),
        ),
    } as unknown as SNSClient,
  };

  async function lambda(fn: string, input: unknown): Promise<unknown> {
    report.lambdaInvocations[fn] = (report.lambdaInvocations[fn] ?? 0) + 1;
    if (report.lambdaInFlight >= limits.lambdaConcurrency) {
      report.lambdaThrottles++;
      throw throttledError('Lambda.TooManyRequestsException', 'Rate Exceeded.');
    }
    report.lambdaInFlight++;
    report.lambdaPeakConcurrency = Math.max(report.lambdaPeakConcurrency, report.lambdaInFlight);
    const started = clock.now;
    const idle = idleEnvironments[fn] ?? 0;
    idleEnvironments[fn] = Math.max(0, idle - 1);
    try {
      if (idle === 0) {
        report.coldStarts++;
        await clock.sleep(coldInit());
      }
      await clock.sleep(warmOverhead());
      if (failureDraw.lambda() < failures.lambdaTransient.rate) {
        report.injected.lambdaTransient++;
        throw throttledError(
          failures.lambdaTransient.error,
          'Lambda was unable to run the function (injected 5xx).',
        );
      }
      const event = (input ?? {}) as { account?: string; region?: string };
      if (fn === 'list-accounts') {
        const pages = Math.ceil((members.length + 1) / 20);
        for (let p = 0; p < pages; p++)
          await api(
            { service: 'organizations', operation: 'ListAccounts', payer: 'admin', region: 'global' },
            admin,
            'us-east-1',
          );
        return { accounts: members.map((account) => ({ account })) };
      }
      if (fn === 'list-regions') {
        for (const c of coveredCalls[fn]) await api(c, admin, homeRegion);
        return { account: event.account, regions: [...options.regions], excluded: [] };
      }
      if (fn === 'write-ledger') {
        const ledgerInput = input as LedgerInput;
        if (ledgerInput.workflow === 'sweep')
          report.sweepMapResultBytes = Math.max(report.sweepMapResultBytes, bytesOf(ledgerInput.results));
        return writeLedger(ledgerInput, {
          ...modelledLedgerClients,
          table: 'logwarden-coverage',
          summaryTopicArn: `arn:aws:sns:${homeRegion}:${admin}:logwarden-coverage-summary`,
          now: () => new Date(Date.UTC(2026, 10, 29) + clock.now),
        });
      }
      const account = String(event.account);
      const region = String(event.region);
      const calls = (options.calls ?? callsReadFromCode)(fn, {
        account,
        region,
        home: region === homeRegion,
        administrator: account === admin,
      });
      if (!calls) throw new Error(`no model for function ${fn}`);
      for (const c of calls)
        await api(c, c.payer === 'admin' ? admin : String(event.account), String(event.region));
      if (options.failing?.fn === fn) throw throttledError(options.failing.error, options.failing.message);
      if (failureDraw.control() < failures.controlPermanent.rate) {
        report.injected.controlPermanent++;
        throw throttledError(
          failures.controlPermanent.error,
          `${fn}: not authorized (injected permanent failure)`,
        );
      }
      const result: ControlResult = {
        control: fn.replace(/^ensure-/, '') as ControlName,
        account: String(event.account),
        region: String(event.region),
        status: 'covered',
        evidence: {},
        actions: [],
      };
      return result;
    } finally {
      idleEnvironments[fn] = (idleEnvironments[fn] ?? 0) + 1;
      report.lambdaInFlight--;
      report.lambdaBusyMs[fn] = (report.lambdaBusyMs[fn] ?? 0) + clock.now - started;
    }
  }

  /** Retry waits as the state's Retry declares them, spent on the simulated clock. */
  function withRetryWaits(state: Record<string, unknown>, run: (input: unknown) => Promise<unknown>) {
    const retriers = (state.Retry ?? []) as {
      ErrorEquals: string[];
      IntervalSeconds?: number;
      BackoffRate?: number;
      MaxAttempts?: number;
      MaxDelaySeconds?: number;
      JitterStrategy?: string;
    }[];
    const attempts = new Map<string, number>();
    return async (input: unknown) => {
      try {
        return await run(input);
      } catch (err) {
        const name = (err as Error).name;
        const i = retriers.findIndex(
          (r) => r.ErrorEquals.includes(name) || r.ErrorEquals.includes('States.ALL'),
        );
        const r = retriers[i];
        const key = `${i}|${JSON.stringify(input)}`;
        const n = attempts.get(key) ?? 0;
        if (r && n < (r.MaxAttempts ?? 3)) {
          attempts.set(key, n + 1);
          report.taskRetries++;
          const wait = Math.min(
            (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n,
            r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
          );
          await clock.sleep(1000 * (r.JitterStrategy === 'FULL' ? jitter() * wait : wait));
        }
        throw err;
      }
    };
  }

  async function execute(workflow: WorkflowId, name: string, input: unknown): Promise<unknown> {
    report.executions[workflow]++;
    const definition = definitions.get(workflow)!;
    const handlers: TaskHandlers = {};
    forEachState(definition, (stateName, state) => {
      if (state.Type !== 'Task') return;
      const resource = String(state.Resource);
      const fn = /:function:([A-Za-z0-9]+)$/.exec(resource)?.[1];
      if (fn) {
        const fnName = fnByLogicalId.get(fn);
        if (!fnName) throw new Error(`task ${stateName} names ${fn}, not a function of the template`);
        // Each attempt first takes the transition into the Task.
        handlers[stateName] = withRetryWaits(state, async (i) => {
          await clock.sleep(transition());
          return lambda(fnName, i);
        });
      } else if (resource.startsWith('arn:aws:states:::states:startExecution')) {
        handlers[stateName] = withRetryWaits(state, async (params) => {
          const p = params as { StateMachineArn: string; Name: string; Input: unknown };
          const child = p.StateMachineArn.split(':stateMachine:logwarden-')[1] as WorkflowId;
          const childInput = typeof p.Input === 'string' ? JSON.parse(p.Input) : p.Input;
          if (workflow === 'sweep') distributedMapChildren++;
          await clock.sleep(transition() + childStart());
          const output = await execute(child, p.Name, childInput);
          return {
            ExecutionArn: `arn:aws:states:${homeRegion}:${admin}:execution:${p.Name}`,
            Status: 'SUCCEEDED',
            Output: output,
          };
        });
      } else throw new Error(`task ${stateName}: no model for ${resource}`);
    });
    try {
      // The execution's own TimeoutSeconds, on the simulated clock.
      const timeoutMs = Number(definition.TimeoutSeconds ?? 0) * 1000;
      const timedOut = Symbol('timed out');
      const run = await Promise.race([
        runLocally(definition, input, handlers, { executionName: name, retryWaits: 'none' }).then(
          async (done) => {
            // The transitions of the states that are not Tasks (Pass, Choice, Map, Parallel…), spent
            // one after the other once the execution ends: where they ran in parallel branches this
            // over-estimates, never under-estimates, the execution's duration.
            let ms = 0;
            for (const e of done.events as { type: string; state?: { type?: string } }[])
              if (e.type === 'StateEntered' && e.state?.type !== 'Task') ms += transition();
            await clock.sleep(ms);
            return done;
          },
        ),
        ...(timeoutMs ? [clock.sleep(timeoutMs).then(() => timedOut)] : []),
      ]);
      if (typeof run === 'symbol')
        throw Object.assign(new Error('execution timed out'), { name: 'States.Timeout' });
      report.stateTransitions += run.transitions;
      report.largestHistoryEvents = Math.max(report.largestHistoryEvents, run.events.length);
      // Step Functions fails an execution whose state input or output exceeds the payload quota
      // (States.DataLimitExceeded); the local runner does not, so the sizes are checked here.
      let largest = bytesOf(run.output);
      for (const e of run.events as { type: string; state?: { input?: unknown; output?: unknown } }[])
        if (e.type === 'StateExited')
          largest = Math.max(largest, bytesOf(e.state?.input), bytesOf(e.state?.output));
      report.largestStateBytes[workflow] = Math.max(report.largestStateBytes[workflow] ?? 0, largest);
      if (largest > limits.payloadBytes)
        throw Object.assign(new Error(`a state output of ${largest} bytes exceeds ${limits.payloadBytes}`), {
          name: 'States.DataLimitExceeded',
        });
      return run.output;
    } catch (err) {
      report.executionsFailed++;
      if (report.failures.length < 5) report.failures.push(`${workflow} ${name}: ${(err as Error).message}`);
      throw Object.assign(new Error(`${workflow} ${name} failed: ${(err as Error).message}`), {
        name: 'States.TaskFailed',
      });
    }
  }

  let distributedMapChildren = 0;
  const output = (await clock
    .run(() => execute('sweep', 'simulated-sweep', { trigger: 'scale' }))
    .catch(() => undefined)) as { counts?: Record<string, number>; rollout?: RolloutRecord } | undefined;
  let sweepMaxConcurrency = 0;
  let regionConcurrency = 0;
  forEachState(definitions.get('sweep')!, (_, s) => {
    if (s.Type === 'Map') sweepMaxConcurrency = Number(s.MaxConcurrency ?? 0);
  });
  forEachState(definitions.get('cover-account')!, (_, s) => {
    if (s.Type === 'Map') regionConcurrency = Number(s.MaxConcurrency ?? 0);
  });

  // The busiest (account, region) of each bucket and payer, and the throttles of all of them.
  const quotas = new Map<string, QuotaUse>();
  for (const [key, b] of buckets) {
    const [, payer, , region] = key.split('|');
    const group = `${b.name}|${payer}`;
    const q = quotas.get(group) ?? {
      bucket: b.name,
      payer: payer === 'admin' ? 'security-tooling' : 'member',
      region,
      peakPerSecond: 0,
      quotaPerSecond: b.model.refillPerSecond,
      burst: b.model.capacity,
      utilisation: 0,
      calls: 0,
      throttled: 0,
      documented: b.model.documented,
      source: b.model.source,
    };
    if (b.meter.peak > q.peakPerSecond) Object.assign(q, { peakPerSecond: b.meter.peak, region });
    q.calls += b.meter.calls;
    q.throttled += b.meter.throttled;
    q.utilisation = q.peakPerSecond / q.quotaPerSecond;
    quotas.set(group, q);
  }
  return {
    accounts: options.accounts,
    regions: options.regions.length,
    sweepMaxConcurrency,
    regionConcurrency,
    simulatedSeconds: clock.now / 1000,
    executions: report.executions,
    executionsFailed: report.executionsFailed,
    failures: report.failures,
    distributedMapChildren,
    stateTransitions: report.stateTransitions,
    lambdaInvocations: report.lambdaInvocations,
    lambdaBusyMs: report.lambdaBusyMs,
    lambdaPeakConcurrency: report.lambdaPeakConcurrency,
    lambdaThrottles: report.lambdaThrottles,
    apiCalls: report.apiCalls,
    apiCallsByService: report.apiCallsByService,
    quotas: [...quotas.values()].sort((a, b) => b.utilisation - a.utilisation || b.calls - a.calls),
    throttlesAbsorbedBySdk: report.throttlesAbsorbedBySdk,
    throttlesFailingInvocation: report.throttlesFailingInvocation,
    taskRetries: report.taskRetries,
    injected: report.injected,
    transientAbsorbedBySdk: report.transientAbsorbedBySdk,
    transientFailingInvocation: report.transientFailingInvocation,
    coldStarts: report.coldStarts,
    sweepCounts: output?.counts ?? {},
    sweepRollout: output?.rollout,
    largestStateBytes: report.largestStateBytes,
    sweepMapResultBytes: report.sweepMapResultBytes,
    largestHistoryEvents: report.largestHistoryEvents,
    timing,
    seed,
  };
}
