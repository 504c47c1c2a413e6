import { controlNames, type ControlName, type CoverageStatus } from './coverage';
import type { LedgerRow } from './ledger';

/**
 * What a cell of the coverage matrix shows, and what counts as covered: one rule for
 * `logwarden coverage`, coverage.html and the coverage-percentage metric the sweep publishes.
 */

/** A cell as shown: the ledger's status, `gap` (no row), or `stale` (not verified in two sweeps). */
export type CellStatus = CoverageStatus | 'gap' | 'stale';
export const cellStatuses: readonly CellStatus[] = [
  'covered',
  'healed',
  'failed',
  'excluded',
  'gap',
  'stale',
];

/** When rows grow stale: `now` minus two sweep periods. Without it nothing is stale. */
export interface Staleness {
  now: Date;
  staleAfterMs: number;
}

export const neverStale = (): Staleness => ({ now: new Date(), staleAfterMs: Infinity });

/** A cell counts as covered when it is covered or healed and was verified recently enough. */
export const isCovered = (shown: CellStatus | undefined) => shown === 'covered' || shown === 'healed';

/**
 * What a cell shows: `gap` without a row; `stale` for a row not verified within
 * `staleAfterMs` (failed and excluded rows keep their status: they claim no coverage).
 */
export function cellStatusOf(row: LedgerRow | undefined, staleness: Staleness): CellStatus {
  if (!row) return 'gap';
  if (row.status === 'failed' || row.status === 'excluded' || staleness.staleAfterMs === Infinity)
    return row.status;
  const verified = row.lastVerified ? Date.parse(row.lastVerified) : NaN;
  return verified >= staleness.now.getTime() - staleness.staleAfterMs ? row.status : 'stale';
}

/** Percent with one decimal; an empty set is fully covered (nothing is owed). */
export const percentOf = (covered: number, total: number) =>
  total ? Math.round((covered / total) * 1000) / 10 : 100;

/**
 * The coverage-percentage metric: one datapoint per control after each sweep, in the
 * security-tooling account's home region (the write-ledger function logs it in CloudWatch's
 * embedded metric format). The alarm on its drop reads the same names.
 */
export const coverageMetric = {
  namespace: 'logwarden',
  metricName: 'CoveragePercent',
  /** The only dimension: the control's name. */
  dimension: 'control',
} as const;

/** The alarm on a control's coverage percentage (`logwarden-*`: it may publish to the summary topic). */
export const coverageAlarmName = (control: ControlName) => `logwarden-coverage-${control}-dropped`;

export interface ControlCoverage {
  control: ControlName;
  covered: number;
  /** In-scope cells: every cell of the accounts × governed regions but the `excluded` ones. */
  total: number;
  percent: number;
}

/**
 * Coverage per control over `accounts` × `regions`, from the ledger rows, as the matrix counts
 * it: a cell without a row is a gap, a stale row is not covered, `excluded` cells are left out.
 */
export function coverageByControl(
  rows: readonly LedgerRow[],
  accounts: readonly string[],
  regions: readonly string[],
  staleness: Staleness,
): ControlCoverage[] {
  const byKey = new Map(rows.map((r) => [`${r.account}|${r.region}|${r.control}`, r]));
  return controlNames.map((control) => {
    let covered = 0;
    let total = 0;
    for (const account of new Set(accounts))
      for (const region of new Set(regions)) {
        const shown = cellStatusOf(byKey.get(`${account}|${region}|${control}`), staleness);
        if (shown === 'excluded') continue;
        total++;
        if (isCovered(shown)) covered++;
      }
    return { control, covered, total, percent: percentOf(covered, total) };
  });
}
