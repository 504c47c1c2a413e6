import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTemplate } from '../../local/asl';
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
  // The example config: two governed regions, sweep.maxConcurrency 10.
  const config = exampleConfig();
  const { controlPlane } = buildExample(config);
  const template = Template.fromStack(controlPlane).toJSON() as CfnTemplate;

  it('24 accounts × 2 regions: every cell covered, the Map limits honoured, every count as the definitions imply', async () => {
    const report = await simulateSweep({
      template,
      homeRegion: config.homeRegion,
      securityToolingAccount: config.accounts.securityTooling,
      managementAccount: config.accounts.management,
      accounts: 24,
      regions: config.governedRegions,
    });
    expect(report.executions).toMatchObject({ sweep: 1, 'cover-account': 24, 'cover-account-region': 48 });
    expect(report.executionsFailed).toBe(0);
    expect(report.distributedMapChildren).toBe(24);
    // The sweep's summary adds up every child's counts: 24 × 2 × 4 controls.
    expect(report.sweepCounts).toEqual({ covered: 192 });
    expect(report.lambdaInvocations).toEqual({
      'list-accounts': 1,
      'list-regions': 24,
      'ensure-flow-logs': 48,
      'ensure-trail': 48,
      'ensure-guardduty': 48,
      'ensure-subscription': 48,
      // one per cover-account-region, one per cover-account, one for the sweep
      'write-ledger': 48 + 24 + 1,
    });
    // At most maxConcurrency accounts at a time, each with its regions at once and 4 controls each.
    expect(report.sweepMaxConcurrency).toBe(config.sweep.maxConcurrency);
    expect(report.lambdaPeakConcurrency).toBe(config.sweep.maxConcurrency * 2 * 4);
    expect(report.lambdaThrottles).toBe(0);
    expect(report.throttlesAbsorbedBySdk + report.taskRetries).toBe(0);
    // 48 ledger rows written through the real write-ledger core.
    expect(report.apiCallsByService.dynamodb).toBe(192);
    // Three waves of accounts (10, 10, 4), so the run lasts three account-lengths, not 24.
    expect(report.simulatedSeconds).toBeGreaterThan(0);
    const text = formatReport(report);
    expect(text).toContain('simulated sweep: 24 accounts × 2 regions, sweep.maxConcurrency 10');
    expect(text).toMatch(/ec2 member eu-west-1 \(busiest account\) +\d+\/s .* 20\/s sustained, burst 100/);
  });

  it('a run is repeatable: the same seed gives the same figures', async () => {
    const run = () =>
      simulateSweep({
        template,
        homeRegion: config.homeRegion,
        securityToolingAccount: config.accounts.securityTooling,
        managementAccount: config.accounts.management,
        accounts: 3,
        regions: config.governedRegions,
        seed: 7,
      });
    const [a, b] = [await run(), await run()];
    expect(a.simulatedSeconds).toBe(b.simulatedSeconds);
    expect(a.stateTransitions).toBe(b.stateTransitions);
  });
});
