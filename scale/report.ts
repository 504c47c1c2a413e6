import { limits } from './model';
import type { SimulationReport } from './simulate';

const n = (x: number) => x.toLocaleString('en-US');

/** The simulated sweep as a person reads it. */
export function formatReport(r: SimulationReport): string {
  const minutes = r.simulatedSeconds / 60;
  const lambdas = Object.entries(r.lambdaInvocations)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([fn, count]) => `    ${fn.padEnd(22)} ${n(count)}`);
  const rates = r.peakRates.map(
    (p) =>
      `    ${p.key.padEnd(56)} ${String(p.peakPerSecond).padStart(6)}/s  ${n(p.calls).padStart(9)} calls  ${p.quota ?? 'no documented quota modelled'}`,
  );
  return [
    `simulated sweep: ${n(r.accounts)} accounts × ${r.regions} regions, sweep.maxConcurrency ${r.sweepMaxConcurrency}, ${r.regionConcurrency} regions at a time per account`,
    `  simulated duration          ${minutes.toFixed(1)} min (${r.simulatedSeconds.toFixed(1)} s) (target < 30 min: ${minutes < 30 ? 'met' : 'NOT met'})`,
    `  executions                  sweep ${r.executions.sweep}, cover-account ${n(r.executions['cover-account'])}, cover-account-region ${n(r.executions['cover-account-region'])}; failed ${r.executionsFailed}`,
    ...r.failures.map((f) => `    failed: ${f}`),
    `  Distributed Map children    ${n(r.distributedMapChildren)} (at most ${r.sweepMaxConcurrency} in parallel; limit ${n(limits.distributedMapParallelChildren)} parallel)`,
    `  state transitions           ${n(r.stateTransitions)}`,
    `  Lambda peak concurrency     ${r.lambdaPeakConcurrency} of ${n(limits.lambdaConcurrency)}; throttled invocations ${r.lambdaThrottles}`,
    `  throttles absorbed          ${n(r.throttlesAbsorbedBySdk)} by SDK retries, ${n(r.taskRetries)} by Task retries`,
    `  ledger summary counts       ${JSON.stringify(r.sweepCounts)}`,
    `  Lambda invocations:`,
    ...lambdas,
    `  API calls: ${n(r.apiCalls)} — peak rate per service, account and region:`,
    ...rates,
    `  assumptions: ${r.timing.callMs} ms per API call, ${r.timing.lambdaOverheadMs} ms Lambda overhead, SDK ${r.timing.sdkAttempts} attempts from ${r.timing.sdkBaseBackoffMs} ms backoff; every account × region already covered (scale/model.ts)`,
  ].join('\n');
}
