import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTemplate } from '../../local/asl';
import { coveredCalls, limits } from '../../scale/model';
import { formatReport } from '../../scale/report';
import { simulateSweep } from '../../scale/simulate';
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

  it('12 accounts × 2 regions: every cell covered, the Map limits honoured, every count as the definitions imply', async () => {
    const report = await simulateSweep({
      ...organization,
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
    // 96 ledger rows written through the real write-ledger core.
    expect(report.apiCallsByService.dynamodb).toBe(96);
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

  it('a run is repeatable: the same seed gives the same figures', async () => {
    const run = () =>
      simulateSweep({
        ...organization,
        accounts: 3,
        seed: 7,
      });
    const [a, b] = [await run(), await run()];
    expect(a.simulatedSeconds).toBe(b.simulatedSeconds);
    expect(a.stateTransitions).toBe(b.stateTransitions);
  }, 300_000);
});
