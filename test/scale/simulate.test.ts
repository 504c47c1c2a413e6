import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTemplate } from '../../local/asl';
import fc from 'fast-check';
import {
  coveredCalls,
  defaultTiming,
  latencySampler,
  limits,
  seventeenRegions,
  withFailureRate,
  withoutFailures,
} from '../../scale/model';
import { formatReport, verdict } from '../../scale/report';
import { random, simulateSweep } from '../../scale/simulate';
import { VirtualClock } from '../../scale/virtual-clock';
import { buildExample, exampleConfig } from '../stacks/example-app';

describe('VirtualClock', () => {
  it('runs sleepers in simulated time, in order, without waiting for real time', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const started = Date.now();
    const result = await clock.run(async () => {
      await Promise.all([
        clock.sleep(3_600_000).then(() => seen.push(`b@${clock.now}`)),
        clock.sleep(1_000).then(() => seen.push(`a@${clock.now}`)),
        clock.sleep(3_600_000).then(() => seen.push(`c@${clock.now}`)),
      ]);
      return clock.now;
    });
    expect(result).toBe(3_600_000);
    expect(seen).toEqual(['a@1000', 'b@3600000', 'c@3600000']);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('the simulated sweep over the synthesized definitions', () => {
  // The example config: two governed regions, the default sweep.maxConcurrency.
  const config = exampleConfig();
  const { controlPlane } = buildExample(config);
  const template = Template.fromStack(controlPlane).toJSON() as CfnTemplate;
  /** The organization every simulation here runs: the example's definitions, accounts and regions. */
  const organization = {
    template,
    homeRegion: config.homeRegion,
    securityToolingAccount: config.accounts.securityTooling,
    managementAccount: config.accounts.management,
    regions: config.governedRegions,
  };
  /** The default latency distributions, no failure injected: every cell's result is known in advance. */
  const noFailures = withoutFailures(defaultTiming);

  it('12 accounts × 2 regions: every cell covered, the Map limits honoured, every count as the definitions imply', async () => {
    const report = await simulateSweep({
      ...organization,
      timing: noFailures,
      accounts: 12,
    });
    expect(report.executions).toMatchObject({ sweep: 1, 'cover-account': 12, 'cover-account-region': 24 });
    expect(report.executionsFailed).toBe(0);
    expect(report.distributedMapChildren).toBe(12);
    // The sweep's summary adds up every child's counts: 12 × 2 × 4 controls.
    expect(report.sweepCounts).toEqual({ covered: 96 });
    expect(report.lambdaInvocations).toEqual({
      'list-accounts': 1,
      'list-regions': 12,
      'ensure-flow-logs': 24,
      'ensure-trail': 24,
      'ensure-guardduty': 24,
      'ensure-subscription': 24,
      // one per cover-account-region, one per cover-account, one after the sweep's one wave
      // (12 accounts, sweep.accountsPerWave 50), one for the sweep
      'write-ledger': 24 + 12 + 1 + 1,
    });
    // At most maxConcurrency accounts at a time, each with its regions at once and 4 controls each.
    expect(report.sweepMaxConcurrency).toBe(config.sweep.maxConcurrency);
    // (throttled ListRegions calls stagger the accounts' starts, so the bound is not reached).
    expect(report.lambdaPeakConcurrency).toBeLessThanOrEqual(config.sweep.maxConcurrency * 2 * 4);
    expect(report.lambdaPeakConcurrency).toBeGreaterThan(config.sweep.maxConcurrency);
    expect(report.lambdaThrottles).toBe(0);
    // 96 ledger rows written through the real write-ledger core, and each subscription cell's
    // previous row read by ensure-subscription (24).
    expect(report.apiCallsByService.dynamodb).toBe(96 + 24);
    expect(report.simulatedSeconds).toBeGreaterThan(0);
    // The organization trail is checked in each account's home-region cell only: 12 calls per
    // API, all in the home region; the organization's GuardDuty settings in the security-tooling
    // account's 2 cells only.
    const quota = (bucket: string, payer = 'security-tooling') =>
      report.quotas.find((q) => q.bucket === bucket && q.payer === payer);
    expect(quota('cloudtrail DescribeTrails')).toMatchObject({
      region: config.homeRegion,
      quotaPerSecond: 10,
    });
    expect(quota('cloudtrail DescribeTrails')!.calls - quota('cloudtrail DescribeTrails')!.throttled).toBe(
      12,
    );
    expect(quota('guardduty DescribeOrganizationConfiguration')!.calls).toBe(2);
    expect(quota('ec2 Describe*', 'member')).toMatchObject({ quotaPerSecond: 20, burst: 100, throttled: 0 });
    // Every throttled request was retried by the SDK or turned into a Task retry: none is lost.
    const throttled = report.quotas.reduce((a, q) => a + q.throttled, 0);
    expect(report.throttlesAbsorbedBySdk + report.throttlesFailingInvocation).toBe(throttled);
    expect(report.taskRetries).toBeGreaterThanOrEqual(report.throttlesFailingInvocation);
    expect(report.largestStateBytes.sweep).toBeLessThan(limits.payloadBytes);
    const text = formatReport(report);
    expect(text).toContain(
      `simulated sweep: 12 accounts × 2 regions, sweep.maxConcurrency ${config.sweep.maxConcurrency}`,
    );
    expect(text).toMatch(/ec2 Describe\* +member +eu-west-1 +\d+\/s of +20\/s \(burst 100\)/);
    expect(text).toMatch(/guardduty GetMembers .*\[ASSUMED rate\]/);
  }, 300_000);

  it('a systematic failure in every account keeps the sweep within the 256 KiB state limit', async () => {
    // Every flow-logs control fails with a long reason: before the sweep kept only its children's
    // counts, 150 accounts made its collected results 314,551 bytes (States.DataLimitExceeded).
    // The rollout never stops here (stopAtFailurePercent 100), so every wave runs.
    const neverStop = exampleConfig({
      sweep: { ...config.sweep, stopAtFailurePercent: 100 },
    });
    const report = await simulateSweep({
      ...organization,
      template: Template.fromStack(buildExample(neverStop).controlPlane).toJSON() as CfnTemplate,
      timing: noFailures,
      accounts: 150,
      failing: {
        fn: 'ensure-flow-logs',
        error: 'AccessDeniedException',
        message: 'not authorized '.repeat(60),
      },
    });
    expect(report.executionsFailed).toBe(0);
    expect(report.sweepCounts).toEqual({ failed: 300, covered: 900 });
    expect(report.largestStateBytes.sweep).toBeLessThan(limits.payloadBytes / 16);
    // Bounded per account whatever failed: about 50 bytes each.
    expect(report.sweepMapResultBytes / 150).toBeLessThan(100);
    expect(report.sweepRollout).toEqual({
      waves: 3,
      wavesRun: 3,
      accounts: 150,
      accountsSwept: 150,
      failedAccounts: 150,
      stopAtFailurePercent: 100,
    });
  }, 300_000);

  it('enforce mode: the sweep rolls out in waves of sweep.accountsPerWave and stops once the failure rate is above sweep.stopAtFailurePercent (issue 23 §2)', async () => {
    const waves = exampleConfig({
      sweep: { ...config.sweep, accountsPerWave: 10, stopAtFailurePercent: 20 },
    });
    const report = await simulateSweep({
      ...organization,
      template: Template.fromStack(buildExample(waves).controlPlane).toJSON() as CfnTemplate,
      timing: noFailures,
      accounts: 35,
      failing: { fn: 'ensure-trail', error: 'AccessDeniedException', message: 'not authorized' },
    });
    // Every account fails its trail: the first wave's 10 accounts are 100 % failed, so the
    // rollout stops there and 25 accounts are never written to.
    expect(report.executions).toMatchObject({ sweep: 1, 'cover-account': 10, 'cover-account-region': 20 });
    expect(report.sweepRollout).toMatchObject({
      waves: 4,
      wavesRun: 1,
      accounts: 35,
      accountsSwept: 10,
      failedAccounts: 10,
      stopAtFailurePercent: 20,
    });
    expect(report.sweepRollout?.stopped).toMatch(
      /^sweep rollout stopped after wave 1 of 4: 10 of 10 account\(s\) failed \(100%\), above sweep\.stopAtFailurePercent 20; 25 account\(s\) not swept\./,
    );
    expect(report.sweepCounts).toEqual({ failed: 20, covered: 60 });

    // Without failures, every wave runs, one after the other.
    const clean = await simulateSweep({
      ...organization,
      template: Template.fromStack(buildExample(waves).controlPlane).toJSON() as CfnTemplate,
      timing: noFailures,
      accounts: 35,
    });
    expect(clean.executions).toMatchObject({ 'cover-account': 35 });
    expect(clean.sweepRollout).toEqual({
      waves: 4,
      wavesRun: 4,
      accounts: 35,
      accountsSwept: 35,
      failedAccounts: 0,
      stopAtFailurePercent: 20,
    });
    expect(clean.lambdaInvocations['write-ledger']).toBe(70 + 35 + 4 + 1);
  }, 300_000);

  it('a call model per cell: the home region, other regions and the security-tooling account can differ', async () => {
    // As if the trail were read only in the home region's cell.
    const report = await simulateSweep({
      ...organization,
      timing: noFailures,
      accounts: 5,
      calls: (fn, cell) =>
        fn === 'ensure-trail' && !cell.home
          ? []
          : fn === 'ensure-guardduty' && !cell.administrator
            ? []
            : coveredCalls[fn],
    });
    const calls = (bucket: string) => report.quotas.find((q) => q.bucket === bucket)?.calls ?? 0;
    expect(calls('cloudtrail GetTrailStatus')).toBe(5);
    // The security-tooling account is one of the 5 accounts: its 2 cells check GuardDuty.
    expect(calls('guardduty GetMembers')).toBe(2);
    expect(report.sweepCounts).toEqual({ covered: 5 * 2 * 4 });
  }, 300_000);

  /** Failures 50 to 100 times the default rates, so that 20 accounts × 2 regions see some of each. */
  const failing = withFailureRate(defaultTiming, 0.05);
  /** What a run's outcome is made of, to compare two runs. */
  const figures = (r: Awaited<ReturnType<typeof simulateSweep>>) => ({
    simulatedSeconds: r.simulatedSeconds,
    stateTransitions: r.stateTransitions,
    sweepCounts: r.sweepCounts,
    injected: r.injected,
    taskRetries: r.taskRetries,
    coldStarts: r.coldStarts,
    apiCalls: r.apiCalls,
    lambdaInvocations: r.lambdaInvocations,
  });

  it('a run is repeatable: the same seed gives the same figures, latencies and failures included; another seed others', async () => {
    const run = (seed: number) => simulateSweep({ ...organization, accounts: 20, seed, timing: failing });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(figures(a)).toEqual(figures(b));
    expect(
      a.injected.controlPermanent + a.injected.lambdaTransient + a.injected.apiTransient,
    ).toBeGreaterThan(0);
    expect(figures(c)).not.toEqual(figures(a));
  }, 300_000);

  it('controls that fail: transient errors are retried (SDK, then the ASL Retry), permanent ones recorded by the Catch, and the report counts both', async () => {
    const report = await simulateSweep({ ...organization, accounts: 20, seed: 3, timing: failing });
    // Some of each kind happened at these rates (20 accounts × 2 regions × 4 controls = 160 cells).
    expect(report.injected.apiTransient).toBeGreaterThan(0);
    expect(report.injected.lambdaTransient).toBeGreaterThan(0);
    expect(report.injected.controlPermanent).toBeGreaterThan(0);
    // Every permanent failure is a failed cell in the ledger, and nothing else failed.
    expect(report.sweepCounts.failed).toBe(report.injected.controlPermanent);
    expect(report.sweepCounts.covered).toBe(160 - report.injected.controlPermanent);
    expect(report.executionsFailed).toBe(0);
    // Every 5xx answer was retried by the SDK or failed the invocation; every failed invocation
    // with a transient error (Lambda's 5xx, an API's after 3 attempts, throttling) is one Task retry.
    expect(report.transientAbsorbedBySdk + report.transientFailingInvocation).toBe(
      report.injected.apiTransient,
    );
    expect(report.transientAbsorbedBySdk).toBeGreaterThan(0);
    expect(report.taskRetries).toBe(
      report.injected.lambdaTransient + report.transientFailingInvocation + report.throttlesFailingInvocation,
    );
    const v = verdict(report);
    expect(v).toMatchObject({
      failedCells: report.injected.controlPermanent,
      unexpectedFailedCells: 0,
      noFailures: true,
    });
    const text = formatReport(report);
    expect(text).toContain(
      `${report.injected.controlPermanent} of 160 failed (${report.injected.controlPermanent} injected permanent failures the Catch recorded, 0 otherwise)`,
    );
    expect(text).toContain(
      `${report.injected.apiTransient} API 5xx (${report.transientAbsorbedBySdk} retried by the SDK, ${report.transientFailingInvocation} failed an invocation); ${report.injected.lambdaTransient} Lambda 5xx; ${report.injected.controlPermanent} permanent control failures`,
    );
    expect(text).toMatch(new RegExp(`${report.taskRetries} Task retries`));
    // The assumptions name every distribution and rate with its source.
    expect(text).toMatch(/API call: median 60 ms, p99 240 ms \(log-normal\)\. ASSUMED/);
    expect(text).toContain('cold starts typically occur in under 1% of invocations');
    expect(text).toMatch(
      /Lambda 5xx, per invocation: 5 % \(Lambda\.ServiceException\)\. AWS Lambda Service Level Agreement/,
    );
  }, 300_000);

  it('the sweep of 1,000 accounts × 17 regions at 200 ms per API call (median) stays under 30 minutes with the default latencies and failures', async () => {
    const report = await simulateSweep({
      ...organization,
      regions: seventeenRegions,
      accounts: 1000,
      timing: { ...defaultTiming, callMs: 200 },
    });
    const v = verdict(report);
    expect(v.minutes).toBeLessThan(30);
    expect(v.noFailures).toBe(true);
    expect(report.executions['cover-account-region']).toBe(17_000);
    // The default rates do produce failures at this scale, and retries absorb the transient ones.
    expect(report.injected.controlPermanent).toBeGreaterThan(0);
    expect(report.injected.lambdaTransient).toBeGreaterThan(0);
    expect(report.taskRetries).toBeGreaterThan(0);
    expect(report.sweepCounts.failed).toBe(report.injected.controlPermanent);
  }, 900_000);
});

describe('latency distributions', () => {
  it('samples have the configured median and 99th percentile (log-normal, seeded)', () => {
    const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 1, max: 20, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (medianMs, ratio, seed) => {
          const sample = latencySampler({ medianMs, p99Ms: medianMs * ratio, source: 'test' }, random(seed));
          const xs = Array.from({ length: 40_000 }, sample).sort((a, b) => a - b);
          expect(xs[0]).toBeGreaterThan(0);
          expect(Math.abs(quantile(xs, 0.5) / medianMs - 1)).toBeLessThan(0.04);
          expect(Math.abs(quantile(xs, 0.99) / (medianMs * ratio) - 1)).toBeLessThan(0.12);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a p99 equal to the median is a fixed latency; one below it is refused', () => {
    const fixed = latencySampler({ medianMs: 60, p99Ms: 60, source: 'test' }, random(1));
    expect([fixed(), fixed(), fixed()]).toEqual([60, 60, 60]);
    expect(() => latencySampler({ medianMs: 60, p99Ms: 30, source: 'test' }, random(1))).toThrow(
      /median <= p99/,
    );
  });

  it('the default distributions are the documented or marked-assumed figures', () => {
    for (const d of [
      defaultTiming.lambdaWarm,
      defaultTiming.lambdaCold,
      defaultTiming.transition,
      defaultTiming.childStart,
    ])
      expect(d.source).toMatch(/ASSUMED|Guide/);
    // The Lambda Operator Guide's range for a cold start: "from under 100 ms to over 1 second".
    expect(defaultTiming.lambdaCold.medianMs).toBeGreaterThanOrEqual(100);
    expect(defaultTiming.lambdaCold.p99Ms).toBeGreaterThan(1000);
    for (const f of Object.values(defaultTiming.failures))
      expect(f.source).toMatch(/ASSUMED|Service Level Agreement/);
  });
});
