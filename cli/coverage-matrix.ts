import { controlNames, type ControlName, type CoverageStatus } from '../contracts/coverage';
import type { LedgerRow } from '../contracts/ledger';

/** A cell as shown: the ledger's status, `gap` (no row), or `stale` (not verified in two sweeps). */
export type CellStatus = CoverageStatus | 'gap' | 'stale';

export interface CoverageMatrix {
  accounts: string[];
  regions: string[];
  controls: readonly ControlName[];
  /** The ledger row of each cell, if any. */
  cells: Record<string, LedgerRow | undefined>;
  /** What each cell shows. */
  shown: Record<string, CellStatus>;
  covered: number;
  total: number;
  percent: number;
  /** Active accounts of the organization with no ledger row at all. */
  accountsWithoutRows: string[];
  /** Ledger accounts that are no longer active in the organization (closed, suspended, gone). */
  accountsNotInOrganization: string[];
  /** Ledger accounts active in the organization but not among the accounts shown. */
  accountsNotShown: string[];
  staleCells: number;
  staleAfterHours: number;
}

export const cellKey = (account: string, region: string, control: string) =>
  `${account}|${region}|${control}`;

/** A cell counts as covered when it is covered or healed and was verified recently enough. */
export const isCovered = (shown: CellStatus | undefined) => shown === 'covered' || shown === 'healed';

/** When rows grow stale: `now` minus two sweep periods. Without it nothing is stale. */
export interface Staleness {
  now: Date;
  staleAfterMs: number;
}

/**
 * The account × region × control matrix over the given accounts (the CLI passes the
 * organization's, as the sweep lists them) and the governed regions. An account with no ledger
 * row is all gaps; a row not verified within `staleness.staleAfterMs` is stale (failed and excluded rows keep their status: they claim no coverage).
 */
export function buildMatrix(
  rows: LedgerRow[],
  governedRegions: readonly string[],
  accounts: readonly string[],
  staleness: Staleness = { now: new Date(), staleAfterMs: Infinity },
  /** The organization's active accounts, when the matrix shows only some of them (default: all shown). */
  activeAccounts: readonly string[] = accounts,
): CoverageMatrix {
  const accountList = [...new Set(accounts)].sort();
  const shownAccounts = new Set(accountList);
  const inOrg = new Set([...activeAccounts, ...accountList]);
  const byKey = new Map<string, LedgerRow>();
  for (const r of rows) byKey.set(cellKey(r.account, r.region, r.control), r);
  const ledgerAccounts = new Set(rows.map((r) => r.account));
  const oldest = staleness.now.getTime() - staleness.staleAfterMs;
  const cells: CoverageMatrix['cells'] = {};
  const shown: CoverageMatrix['shown'] = {};
  let covered = 0;
  let total = 0;
  let staleCells = 0;
  for (const a of accountList)
    for (const region of governedRegions)
      for (const c of controlNames) {
        const key = cellKey(a, region, c);
        const row = byKey.get(key);
        const verified = row?.lastVerified ? Date.parse(row.lastVerified) : NaN;
        const stale =
          row !== undefined &&
          row.status !== 'failed' &&
          row.status !== 'excluded' &&
          !(verified >= oldest || staleness.staleAfterMs === Infinity);
        const status: CellStatus = row ? (stale ? 'stale' : row.status) : 'gap';
        cells[key] = row;
        shown[key] = status;
        if (stale) staleCells++;
        if (status === 'excluded') continue;
        total++;
        if (isCovered(status)) covered++;
      }
  return {
    accounts: accountList,
    regions: [...governedRegions],
    controls: controlNames,
    cells,
    shown,
    covered,
    total,
    percent: total ? Math.round((covered / total) * 1000) / 10 : 100,
    accountsWithoutRows: accountList.filter((a) => !ledgerAccounts.has(a)),
    accountsNotInOrganization: [...ledgerAccounts].filter((a) => !inOrg.has(a)).sort(),
    accountsNotShown: [...ledgerAccounts].filter((a) => inOrg.has(a) && !shownAccounts.has(a)).sort(),
    staleCells,
    staleAfterHours: Math.round((staleness.staleAfterMs / 3_600_000) * 10) / 10,
  };
}

const symbol: Record<CellStatus, string> = {
  covered: 'ok',
  healed: 'healed',
  failed: 'FAILED',
  excluded: 'excl',
  gap: 'gap',
  stale: 'stale',
};

/** What the summary line adds about accounts and staleness, for the table and the HTML. */
function notes(m: CoverageMatrix): string[] {
  return [
    ...(m.accountsWithoutRows.length
      ? [
          `${m.accountsWithoutRows.length} account(s) with no ledger row (gaps): ${m.accountsWithoutRows.join(', ')}`,
        ]
      : []),
    ...(m.staleCells
      ? [`${m.staleCells} cell(s) stale: not verified in the last ${m.staleAfterHours} h (two sweeps)`]
      : []),
    ...(m.accountsNotInOrganization.length
      ? [`not shown, no longer active in the organization: ${m.accountsNotInOrganization.join(', ')}`]
      : []),
    ...(m.accountsNotShown.length
      ? [`not shown here, active in the organization: ${m.accountsNotShown.join(', ')}`]
      : []),
  ];
}

/** A plain-text table: one row per account and region, one column per control. */
export function renderTable(m: CoverageMatrix): string {
  const header = ['account', 'region', ...m.controls];
  const rows = m.accounts.flatMap((a) =>
    m.regions.map((r) => [a, r, ...m.controls.map((c) => symbol[m.shown[cellKey(a, r, c)]])]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${m.covered}/${m.total} covered (${m.percent}%)`,
    ...notes(m),
  ].join('\n');
}

/** A cell in JSON: the ledger row with the status as shown; a stale row keeps what it recorded. */
function cellJson(m: CoverageMatrix, key: string) {
  const row = m.cells[key];
  const status = m.shown[key];
  if (!row) return { status };
  return { ...row, status, ...(status === 'stale' ? { recordedStatus: row.status } : {}) };
}

export function renderJson(m: CoverageMatrix): string {
  return JSON.stringify(
    {
      percentCovered: m.percent,
      covered: m.covered,
      total: m.total,
      staleAfterHours: m.staleAfterHours,
      staleCells: m.staleCells,
      accountsWithoutRows: m.accountsWithoutRows,
      accountsNotInOrganization: m.accountsNotInOrganization,
      matrix: m.accounts.flatMap((account) =>
        m.regions.map((region) => ({
          account,
          region,
          controls: Object.fromEntries(m.controls.map((c) => [c, cellJson(m, cellKey(account, region, c))])),
        })),
      ),
    },
    null,
    2,
  );
}

const colour: Record<CellStatus, string> = {
  covered: '#2e7d32',
  healed: '#66bb6a',
  failed: '#c62828',
  excluded: '#9e9e9e',
  gap: '#ef6c00',
  stale: '#6d4c41',
};
const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** A self-contained HTML heatmap a person can open: rows are accounts × regions, columns controls. */
export function renderHtml(m: CoverageMatrix, generatedAt: string): string {
  const head = m.controls.map((c) => `<th>${c}</th>`).join('');
  const body = m.accounts
    .flatMap((a) =>
      m.regions.map((r) => {
        const cells = m.controls
          .map((c) => {
            const key = cellKey(a, r, c);
            const [status, row] = [m.shown[key], m.cells[key]];
            const title = escape(
              [
                status === 'stale'
                  ? `stale: recorded ${row?.status}, not verified in ${m.staleAfterHours} h`
                  : status,
                row?.lastVerified ? `verified ${row.lastVerified}` : 'never verified',
                row?.reason ?? '',
              ]
                .filter(Boolean)
                .join(' · '),
            );
            return `<td style="background:${colour[status]}" title="${title}">${status}</td>`;
          })
          .join('');
        return `<tr><th>${a}</th><th>${r}</th>${cells}</tr>`;
      }),
    )
    .join('\n');
  const legend = Object.entries(colour)
    .map(([s, c]) => `<span style="background:${c}">${s}</span>`)
    .join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logwarden coverage</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}th,td{padding:.4rem .8rem;border:1px solid #fff}td{color:#fff;text-align:center}span{color:#fff;padding:.2rem .5rem;margin-right:.3rem}</style>
</head><body>
<h1>logwarden coverage: ${m.percent}% (${m.covered}/${m.total})</h1>
<p>Generated ${escape(generatedAt)}. Hover a cell for when it was last verified and why it failed.</p>
${notes(m)
  .map((n) => `<p>${escape(n)}</p>`)
  .join('\n')}
<p>${legend}</p>
<table><thead><tr><th>account</th><th>region</th>${head}</tr></thead><tbody>
${body}
</tbody></table></body></html>
`;
}
