/**
 * The sweep's execution state stays under Step Functions' 256 KiB for large organizations: "Maximum
 * input or output size for a task, state, or execution: 256 KiB of data as a UTF-8 encoded
 * string" (Step Functions Developer Guide, "Step Functions service quotas"), and past it the
 * execution fails with States.DataLimitExceeded, which "can't be caught by the States.ALL error
 * type" ("Handling errors in Step Functions workflows"). The sweep keeps the listing only as its
 * waves (PlanWaves replaces the state), and a wave's accounts and results are bounded by
 * `sweep.accountsPerWave` (at most 1,000).
 */
import { aslFromTemplate } from '../../local/asl';
import { parseConfig } from '../../contracts/config';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from '../stacks/example-app';

const LIMIT = 256 * 1024;
const config = exampleConfig();
const definition = aslFromTemplate(
  templateOf(buildExample(config).controlPlane).toJSON() as never,
  'logwarden-sweep',
  config.homeRegion,
  config.accounts.securityTooling,
) as { States: Record<string, { Parameters?: Record<string, unknown>; ResultPath?: string | null }> };

const accounts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ account: String(100_000_000_000 + i) }));
const partition = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
/** What the Distributed Map collects per account: cover-account's counts, no failed cells. */
const result = { counts: { covered: 15, healed: 1, failed: 1, excluded: 0, planned: 0, gap: 0 }, failed: [] };

/** The largest state of a sweep over `n` accounts in waves of `wave`, as the ASL builds it. */
function largestState(n: number, wave: number, listingKept: boolean): number {
  const listed = accounts(n);
  const waves = partition(listed, wave);
  const state = {
    ...(listingKept ? { listed: { accounts: listed } } : {}),
    plan: { waves, total: n },
    progress: {
      next: 1,
      waveCount: waves.length,
      total: n,
      accounts: wave,
      failedAccounts: 1,
      counts: result.counts,
      failed: [],
      stopAtFailurePercent: 10,
      enforce: true,
      halted: false,
    },
    wave: { accounts: waves[0] },
    waveResults: waves[0].map(() => result),
  };
  return Buffer.byteLength(JSON.stringify(state));
}

describe('the sweep state for a large organization', () => {
  it('PlanWaves replaces the state with the waves: the listing is not kept beside them', () => {
    const plan = definition.States.PlanWaves;
    expect(plan.ResultPath).toBeUndefined(); // "$": the Parameters become the whole state
    expect(Object.keys(plan.Parameters ?? {})).toEqual(['plan']);
    const after = Object.entries(definition.States).filter(
      ([name]) => !['ListAccounts', 'PlanWaves', 'SummarizeListFailure'].includes(name),
    );
    expect(JSON.stringify(after)).not.toContain('$.listed');
  });

  it('fits 9,000 accounts in waves of 50 and 5,000 in waves of 1,000; listing and waves side by side did not', () => {
    expect(largestState(9_000, 50, false)).toBeLessThanOrEqual(LIMIT);
    expect(largestState(5_000, 1_000, false)).toBeLessThanOrEqual(LIMIT);
    expect(largestState(9_000, 50, true)).toBeGreaterThan(LIMIT);
  });

  it('the config refuses waves past 1,000 accounts', () => {
    const raw = exampleConfigRaw();
    expect(() =>
      parseConfig({ ...raw, sweep: { ...(raw.sweep as Record<string, unknown>), accountsPerWave: 1_001 } }),
    ).toThrow(/accountsPerWave/);
  });
});
