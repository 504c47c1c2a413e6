import type { CoverageStatus, FailedCell } from '../../contracts/coverage';
import type { Collected } from './ledger';
import { summarize, summaryCells, toResult } from './ledger';

/**
 * How far the sweep's rollout has come: it covers the organization's accounts in waves of
 * `sweep.accountsPerWave` (workflows/sweep.ts) and, in `enforce` mode, stops after a wave once
 * more than `sweep.stopAtFailurePercent` of the accounts covered so far failed. The sweep's
 * state carries it from wave to wave; its last step records it in the execution's output.
 */
export interface RolloutProgress {
  /** The next wave's index (0-based); after the last wave, `waveCount`. */
  next: number;
  waveCount: number;
  /** Accounts the sweep listed. */
  total: number;
  /** Accounts covered so far (every wave run). */
  accounts: number;
  /** Of those, accounts whose cover-account failed or recorded a failed cell. */
  failedAccounts: number;
  counts: Partial<Record<CoverageStatus, number>>;
  /** The first failed cells (at most MAX_FAILED_IN_SUMMARY), for the summary. */
  failed: FailedCell[];
  stopAtFailurePercent: number;
  /** `mode: enforce`. In `observe` nothing is written, so no failure rate stops the sweep. */
  enforce: boolean;
  /** The rollout stopped: the Choice after each wave reads it. */
  halted: boolean;
  /** Why it stopped, when it did. */
  stopped?: string;
}

export interface AfterWaveInput {
  progress: RolloutProgress;
}

/** The rollout as the sweep's output records it. */
export interface RolloutRecord {
  waves: number;
  wavesRun: number;
  accounts: number;
  accountsSwept: number;
  failedAccounts: number;
  stopAtFailurePercent: number;
  stopped?: string;
}

/**
 * One account's outcome in a wave's results: the cover-account summary (its counts), or the
 * error its Catch recorded when the child execution failed as a whole.
 */
function accountFailed(item: unknown): boolean {
  if (!item || typeof item !== 'object') return true;
  const v = item as { error?: unknown; counts?: { failed?: unknown } };
  if (v.error) return true;
  return typeof v.counts?.failed === 'number' && v.counts.failed > 0;
}

/**
 * After a wave: adds its accounts and failures to the progress and decides whether the next
 * wave may start. A failure rate above the threshold stops the rollout in `enforce` mode;
 * after the last wave there is nothing left to stop.
 */
export function afterWave(
  input: AfterWaveInput,
  collected: Collected[],
  waveResults: unknown,
): RolloutProgress {
  const progress = input.progress;
  const items = Array.isArray(waveResults) ? waveResults : [];
  const entries = collected.map((c) => ('counts' in c && !('control' in c) ? c : toResult(c as never)));
  const wave = summarize(entries);
  const counts = { ...progress.counts };
  for (const [status, n] of Object.entries(wave.counts))
    counts[status as CoverageStatus] = (counts[status as CoverageStatus] ?? 0) + (n ?? 0);
  const accounts = progress.accounts + items.length;
  const failedAccounts = progress.failedAccounts + items.filter(accountFailed).length;
  const next = progress.next + 1;
  const percent = accounts ? (failedAccounts * 100) / accounts : 0;
  const halted = progress.enforce && next < progress.waveCount && percent > progress.stopAtFailurePercent;
  return {
    ...progress,
    next,
    accounts,
    failedAccounts,
    counts,
    failed: summaryCells([...progress.failed, ...wave.failed]),
    halted,
    ...(halted
      ? {
          stopped:
            `sweep rollout stopped after wave ${next} of ${progress.waveCount}: ${failedAccounts} of ${accounts} ` +
            `account(s) failed (${Math.round(percent * 10) / 10}%), above sweep.stopAtFailurePercent ` +
            `${progress.stopAtFailurePercent}; ${progress.total - accounts} account(s) not swept. ` +
            'See logwarden coverage --status failed, fix the cause, then run logwarden sweep again.',
        }
      : {}),
  };
}

export function rolloutRecord(progress: RolloutProgress): RolloutRecord {
  return {
    waves: progress.waveCount,
    wavesRun: progress.next,
    accounts: progress.total,
    accountsSwept: progress.accounts,
    failedAccounts: progress.failedAccounts,
    stopAtFailurePercent: progress.stopAtFailurePercent,
    ...(progress.stopped ? { stopped: progress.stopped } : {}),
  };
}
