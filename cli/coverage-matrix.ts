import { controlNames, type ControlName } from '../contracts/coverage';
import {
  cellStatusOf,
  isCovered,
  neverStale,
  percentOf,
  type CellStatus,
  type Staleness,
} from '../contracts/coverage-cells';
import type { LedgerRow } from '../contracts/ledger';
import type { OrgDirectory } from './org-directory';

export { isCovered, type CellStatus, type Staleness } from '../contracts/coverage-cells';

export interface CoverageMatrix {
  accounts: string[];
  regions: string[];
  controls: readonly ControlName[];
  /** The ledger row of each cell, if any. */
  cells: Record<string, LedgerRow | undefined>;
  /** What each cell shows. */
  shown: Record<string, CellStatus>;
  /** With a status filter: the cells whose status was asked for (the others are shown `-`). */
  matching?: Set<string>;
  /** Account names and OUs, when the organization's tree was read. */
  directory?: OrgDirectory;
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

/** What a view shows beyond the accounts and regions it is given (`logwarden coverage` filters). */
export interface MatrixView {
  controls?: readonly ControlName[];
  statuses?: readonly CellStatus[];
  directory?: OrgDirectory;
  /** The accounts were filtered: the active accounts left out are not named one by one. */
  accountsFiltered?: boolean;
}

/**
 * The account × region × control matrix over the given accounts (the CLI passes the
 * organization's, as the sweep lists them) and regions. An account with no ledger
 * row is all gaps; a row not verified within `staleness.staleAfterMs` is stale (contracts/coverage-cells.ts).
 */
export function buildMatrix(
  rows: LedgerRow[],
  governedRegions: readonly string[],
  accounts: readonly string[],
  staleness: Staleness = neverStale(),
  /** The organization's active accounts, when the matrix shows only some of them (default: all shown). */
  activeAccounts: readonly string[] = accounts,
  view: MatrixView = {},
): CoverageMatrix {
  const accountList = [...new Set(accounts)].sort();
  const controls = view.controls ?? controlNames;
  const shownAccounts = new Set(accountList);
  const inOrg = new Set([...activeAccounts, ...accountList]);
  const byKey = new Map<string, LedgerRow>();
  for (const r of rows) byKey.set(cellKey(r.account, r.region, r.control), r);
  const ledgerAccounts = new Set(rows.map((r) => r.account));
  const cells: CoverageMatrix['cells'] = {};
  const shown: CoverageMatrix['shown'] = {};
  const matching = view.statuses ? new Set<string>() : undefined;
  let covered = 0;
  let total = 0;
  let staleCells = 0;
  for (const a of accountList)
    for (const region of governedRegions)
      for (const c of controls) {
        const key = cellKey(a, region, c);
        const row = byKey.get(key);
        const status = cellStatusOf(row, staleness);
        cells[key] = row;
        shown[key] = status;
        if (matching && view.statuses!.includes(status)) matching.add(key);
        if (status === 'stale') staleCells++;
        if (status === 'excluded') continue;
        total++;
        if (isCovered(status)) covered++;
      }
  return {
    accounts: accountList,
    regions: [...governedRegions],
    controls,
    cells,
    shown,
    matching,
    directory: view.directory,
    covered,
    total,
    percent: percentOf(covered, total),
    accountsWithoutRows: accountList.filter((a) => !ledgerAccounts.has(a)),
    accountsNotInOrganization: [...ledgerAccounts].filter((a) => !inOrg.has(a)).sort(),
    accountsNotShown: view.accountsFiltered
      ? []
      : [...ledgerAccounts].filter((a) => inOrg.has(a) && !shownAccounts.has(a)).sort(),
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

/** The OU an account is shown in: its name (and id when they differ), or `?` when not read. */
export function ouOf(m: CoverageMatrix, account: string): { id: string; name: string } | undefined {
  const entry = m.directory?.accounts.get(account);
  if (!entry) return undefined;
  return { id: entry.ou, name: m.directory?.ous.get(entry.ou) ?? entry.ou };
}

/** The rows (account × region) a view shows: with a status filter, those with a matching cell. */
function shownRows(m: CoverageMatrix): [string, string][] {
  const rows = m.accounts.flatMap((a) => m.regions.map((r) => [a, r] as [string, string]));
  if (!m.matching) return rows;
  return rows.filter(([a, r]) => m.controls.some((c) => m.matching!.has(cellKey(a, r, c))));
}

const isShown = (m: CoverageMatrix, key: string) => !m.matching || m.matching.has(key);

/** Why a cell shows what it shows, for failed, excluded and stale cells. */
function reasonOf(m: CoverageMatrix, key: string): string | undefined {
  const [status, row] = [m.shown[key], m.cells[key]];
  if (status === 'stale')
    return `recorded ${row?.status}, last verified ${row?.lastVerified ?? 'never'}: not verified in ${m.staleAfterHours} h`;
  if (status === 'failed' || status === 'excluded') return row?.reason ?? 'no reason recorded';
  return undefined;
}

/**
 * The reasons below the table: per account, one line per status and reason, naming the cells
 * (or "every cell shown" when they all share it, as an excluded account's do).
 */
function reasonLines(m: CoverageMatrix, rows: [string, string][]): string[] {
  const lines: string[] = [];
  const byAccount = new Map<string, string[]>();
  for (const [a, r] of rows) byAccount.set(a, [...(byAccount.get(a) ?? []), r]);
  for (const [account, regions] of byAccount) {
    const keys = regions
      .flatMap((r) => m.controls.map((c) => cellKey(account, r, c)))
      .filter((k) => isShown(m, k));
    const groups = new Map<string, string[]>();
    for (const key of keys) {
      const reason = reasonOf(m, key);
      if (reason === undefined) continue;
      const group = `${symbol[m.shown[key]]}: ${reason}`;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    for (const [group, cells] of groups) {
      const where =
        cells.length === keys.length && keys.length > 1
          ? 'every cell shown'
          : cells.map((k) => k.split('|').slice(1).join(' ')).join(', ');
      lines.push(`  ${account} ${where}: ${group}`);
    }
  }
  return lines.length ? ['', 'reasons:', ...lines] : [];
}

/**
 * A plain-text table: one row per account and region, one column per control (and the OU when
 * the organization's tree was read), then the reason of every failed, excluded or stale cell.
 */
export function renderTable(m: CoverageMatrix): string {
  const withOu = !!m.directory?.accounts.size;
  const header = ['account', 'region', ...m.controls, ...(withOu ? ['ou'] : [])];
  const shown = shownRows(m);
  const rows = shown.map(([a, r]) => [
    a,
    r,
    ...m.controls.map((c) => {
      const key = cellKey(a, r, c);
      return isShown(m, key) ? symbol[m.shown[key]] : '-';
    }),
    ...(withOu ? [ouOf(m, a)?.name ?? '?'] : []),
  ]);
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
    ...reasonLines(m, shown),
    '',
    `${m.covered}/${m.total} covered (${m.percent}%)`,
    ...(m.matching ? [`${m.matching.size} cell(s) match the status filter`] : []),
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

/** The account's name and OU, when known. */
function accountInfo(m: CoverageMatrix, account: string) {
  const ou = ouOf(m, account);
  const name = m.directory?.accounts.get(account)?.name;
  return { ...(name ? { accountName: name } : {}), ...(ou ? { ou: ou.id, ouName: ou.name } : {}) };
}

export function renderJson(m: CoverageMatrix): string {
  return JSON.stringify(
    {
      percentCovered: m.percent,
      covered: m.covered,
      total: m.total,
      ...(m.matching ? { matchingCells: m.matching.size } : {}),
      staleAfterHours: m.staleAfterHours,
      staleCells: m.staleCells,
      accountsWithoutRows: m.accountsWithoutRows,
      accountsNotInOrganization: m.accountsNotInOrganization,
      matrix: shownRows(m).map(([account, region]) => ({
        account,
        ...accountInfo(m, account),
        region,
        controls: Object.fromEntries(
          m.controls
            .filter((c) => isShown(m, cellKey(account, region, c)))
            .map((c) => [c, cellJson(m, cellKey(account, region, c))]),
        ),
      })),
    },
    null,
    2,
  );
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a leading
 * `=`, `+`, `-` or `@` (a reason is free text) is prefixed with `'` so that a spreadsheet shows
 * it instead of evaluating it as a formula.
 */
function csvField(value: string | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const csvHeader = [
  'account',
  'accountName',
  'ou',
  'ouName',
  'region',
  'control',
  'status',
  'recordedStatus',
  'lastVerified',
  'reason',
] as const;

/** One line per cell shown, with the reason of failed, excluded and stale cells. */
export function renderCsv(m: CoverageMatrix): string {
  const lines = [csvHeader.join(',')];
  for (const [a, r] of shownRows(m))
    for (const c of m.controls) {
      const key = cellKey(a, r, c);
      if (!isShown(m, key)) continue;
      const row = m.cells[key];
      const info = accountInfo(m, a);
      lines.push(
        [
          a,
          info.accountName,
          info.ou,
          info.ouName,
          r,
          c,
          m.shown[key],
          row?.status,
          row?.lastVerified,
          m.shown[key] === 'stale' ? reasonOf(m, key) : row?.reason,
        ]
          .map(csvField)
          .join(','),
      );
    }
  return lines.join('\n');
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
