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

  it('12 accounts × 2 regions: every cell covered, the Map limits honoured, every count as the definitions imply', async () => {
    const report = await simulateSweep({
      template,
      homeRegion: config.homeRegion,
      securityToolingAccount: config.accounts.securityTooling,
      managementAccount: config.accounts.management,
      accounts: 12,
      regions: config.governedRegions,
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
      // one per cover-account-region, one per cover-account, one for the sweep
      'write-ledger': 24 + 12 + 1,
    });
    // At most maxConcurrency accounts at a time, each with its regions at once and 4 controls each.
    expect(report.sweepMaxConcurrency).toBe(config.sweep.maxConcurrency);
    expect(report.lambdaPeakConcurrency).toBe(config.sweep.maxConcurrency * 2 * 4);
    expect(report.lambdaThrottles).toBe(0);
    expect(report.throttlesAbsorbedBySdk + report.taskRetries).toBe(0);
    // 96 ledger rows written through the real write-ledger core.
    expect(report.apiCallsByService.dynamodb).toBe(96);
    expect(report.simulatedSeconds).toBeGreaterThan(0);
    const text = formatReport(report);
    expect(text).toContain('simulated sweep: 12 accounts × 2 regions, sweep.maxConcurrency 10');
    expect(text).toMatch(/ec2 member eu-west-1 \(busiest account\) +\d+\/s .* 20\/s sustained, burst 100/);
  }, 300_000);

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
  }, 300_000);
});
