/**
 * `npm run scale -- [--accounts N] [--regions M] [--concurrency a,b,…] [--seed S]`: measures the API budget
 * of cover-account-region on the stand-ins, synthesizes the app for M governed regions,
 * simulates the daily sweep over N accounts in simulated time at the configured
 * sweep.maxConcurrency with the measured calls, prints the report and the monthly cost estimate
 * from the same run. `--concurrency` also simulates other sweep.maxConcurrency values (each synthesized) and
 * prints one line for each, to choose the default. `--seed` (default 1) seeds the simulated
 * latencies, failures and jitter: the same seed gives the same run.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig, searchSizeOf, type LogwardenConfig } from '../contracts/config';
import { describeCluster } from '../contracts/search-sizing';
import { synthesizeToCdkOut } from '../local/emulated-org';
import { formatApiBudget, measureApiBudget } from './api-budget';
import { callModelFromBudget } from './calibrate';
import { estimateMonthlyCost, formatCost } from './cost';
import { formatResidency, residencyCost } from './residency';
import { defaultTiming, seventeenRegions, type CallModel, type Timing } from './model';
import { formatReport, verdict } from './report';
import { simulateSweep } from './simulate';

/** A mistake in the command line: reported by its message alone, never with a stack trace. */
class UsageError extends Error {}

function option(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer`);
  return n;
}

function listOption(flag: string): number[] {
  const i = process.argv.indexOf(flag);
  if (i < 0) return [];
  const values = String(process.argv[i + 1] ?? '')
    .split(',')
    .map(Number);
  if (!values.length || values.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`${flag} needs positive integers separated by commas`);
  return values;
}

/**
 * The API call latencies the sweep is simulated at (issue 26 §4): each the MEDIAN of the call's
 * log-normal distribution, every other distribution and failure rate as in `defaultTiming`.
 */
export const callLatenciesMs = [60, 120, 200] as const;

async function simulate(
  config: LogwardenConfig,
  accounts: number,
  regions: string[],
  calls: CallModel,
  timing: Timing = defaultTiming,
) {
  const { controlPlane, central } = synthesizeToCdkOut(config);
  const report = await simulateSweep({
    timing,
    template: controlPlane,
    homeRegion: config.homeRegion,
    securityToolingAccount: config.accounts.securityTooling,
    managementAccount: config.accounts.management,
    accounts,
    regions,
    calls,
    seed: option('--seed', 1),
  });
  return { report, controlPlane, central };
}

async function main() {
  const accounts = option('--accounts', 1000);
  const regionCount = option('--regions', 17);
  if (regionCount > seventeenRegions.length)
    throw new UsageError(`--regions: at most ${seventeenRegions.length}`);
  const raw = JSON.parse(readFileSync(path.join(__dirname, '..', 'logwarden.config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const regions = seventeenRegions.slice(0, regionCount);
  // The search cluster sized for these accounts (the scale model's daily ingest), not by hand.
  const openSearch = { ...(raw.openSearch as Record<string, unknown>) };
  delete openSearch.instanceCount;
  delete openSearch.volumeGiB;
  const config = parseConfig({
    ...raw,
    homeRegion: regions[0],
    governedRegions: regions,
    openSearch: { ...openSearch, expectedAccounts: accounts },
  });
  const size = searchSizeOf(config)!;
  console.log(`OpenSearch cluster for ${accounts} accounts (contracts/search-sizing.ts):`);
  for (const line of describeCluster(size)) console.log(`  ${line}`);
  console.log('');
  const started = Date.now();

  // 1. The API budget, measured on the stand-ins; the simulation's calls per cell come from it.
  const budget = await measureApiBudget();
  console.log(formatApiBudget(budget));
  console.log(`(measured in ${((Date.now() - started) / 1000).toFixed(0)} s of wall time)\n`);
  const calls = callModelFromBudget(budget);

  // 2. The sweep, simulated at the configured sweep.maxConcurrency.
  const simulationStarted = Date.now();
  const { report, controlPlane, central } = await simulate(config, accounts, regions, calls);
  console.log(formatReport(report));
  console.log(
    `(simulated in ${((Date.now() - simulationStarted) / 1000).toFixed(0)} s of wall time, synthesis included)\n`,
  );

  const cost = estimateMonthlyCost({ report, controlPlane, central, config, accounts });
  console.log(formatCost(accounts, regionCount, cost));
  // The same organization with a pipeline in every governed region (pipeline.regional).
  console.log(
    `\n${formatResidency(residencyCost(cost, config, parseConfig({ ...config, pipeline: { regional: true } })))}\n`,
  );

  // 3. The same sweep at slower API calls: the 30-minute target must hold at 200 ms per call.
  for (const callMs of callLatenciesMs) {
    const r =
      callMs === defaultTiming.callMs
        ? report
        : (await simulate(config, accounts, regions, calls, { ...defaultTiming, callMs })).report;
    const v = verdict(r);
    console.log(
      `sweep at ${String(callMs).padStart(3)} ms per API call (median): ${v.minutes.toFixed(1)} min (target < 30: ${v.durationMet ? 'met' : 'NOT met'}), ${r.executionsFailed} executions failed, ${v.failedCells} cells failed (${r.injected.controlPermanent} injected permanent, ${v.unexpectedFailedCells} otherwise), ${r.taskRetries} Task retries (${r.injected.lambdaTransient} Lambda 5xx), ${r.transientAbsorbedBySdk + r.throttlesAbsorbedBySdk} SDK retries (${r.injected.apiTransient} API 5xx, ${r.quotas.reduce((a, q) => a + q.throttled, 0)} throttled), ${r.coldStarts} cold starts`,
    );
  }
  console.log('');

  for (const maxConcurrency of listOption('--concurrency')) {
    const other = parseConfig({ ...config, sweep: { ...config.sweep, maxConcurrency } });
    const { report: r } = await simulate(other, accounts, regions, calls);
    const v = verdict(r);
    const throttled = r.quotas.reduce((a, q) => a + q.throttled, 0);
    console.log(
      `sweep.maxConcurrency ${String(maxConcurrency).padStart(3)}: ${v.minutes.toFixed(1)} min, ${r.executionsFailed} executions and ${r.sweepCounts.failed ?? 0} cells failed, ${throttled} requests throttled (${[...v.exceeded, ...v.assumedExceeded].map((q) => `${q.bucket} ${q.throttled}${q.documented ? '' : ' [assumed rate]'}`).join(', ') || 'none'}), binding ${v.binding?.bucket} at ${v.binding?.peakPerSecond}/${v.binding?.quotaPerSecond} per s`,
    );
  }
  console.log(`\n(npm run scale took ${((Date.now() - started) / 1000).toFixed(0)} s of wall time)`);
}

main().catch((err) => {
  if (err instanceof UsageError) {
    console.error(`scale: ${err.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(`scale: ${(err as Error).stack ?? (err as Error).message}`);
  process.exitCode = 1;
});
