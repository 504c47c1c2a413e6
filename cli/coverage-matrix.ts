import { controlNames, type ControlName } from '../contracts/coverage';
import {
  cellStatuses,
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

/** One OU's line of the heatmap's summary: per control, the in-scope cells and those covered. */
export interface OuSummary {
  /** The OU's id (`?` when the organization's tree was not read). */
  ou: string;
  name: string;
  accounts: number;
  controls: Record<string, { covered: number; total: number; percent: number; failed: number }>;
}

/**
 * The summary per OU (the account's own OU) and control, as the matrix counts: excluded cells
 * are out of scope, gaps and stale cells are not covered. Cells a status filter hides count too:
 * the summary is the OU's coverage, not the view's.
 */
export function summaryByOu(m: CoverageMatrix): OuSummary[] {
  const byOu = new Map<string, OuSummary>();
  for (const a of m.accounts) {
    const ou = ouOf(m, a) ?? { id: '?', name: 'OU not read' };
    let entry = byOu.get(ou.id);
    if (!entry) {
      entry = { ou: ou.id, name: ou.name, accounts: 0, controls: {} };
      for (const c of m.controls) entry.controls[c] = { covered: 0, total: 0, percent: 100, failed: 0 };
      byOu.set(ou.id, entry);
    }
    entry.accounts++;
    for (const c of m.controls)
      for (const r of m.regions) {
        const status = m.shown[cellKey(a, r, c)];
        const counts = entry.controls[c];
        if (status === 'excluded') continue;
        counts.total++;
        if (isCovered(status)) counts.covered++;
        if (status === 'failed') counts.failed++;
      }
  }
  const out = [...byOu.values()].sort((x, y) => x.name.localeCompare(y.name));
  for (const o of out)
    for (const counts of Object.values(o.controls)) counts.percent = percentOf(counts.covered, counts.total);
  return out;
}

/**
 * What the heatmap's script draws from: compact, because 300 accounts × 12 regions × 4 controls
 * are 14,400 cells. Per account, one character per cell (its status's index in `statuses`, `-`
 * when a status filter hides it), in control-major order (cell = control × regions + region);
 * when each cell was verified, as minutes after `base` in base 36; reasons once each, referred to
 * by index.
 */
interface HeatmapData {
  generatedAt: string;
  staleAfterHours: number;
  regions: string[];
  controls: readonly string[];
  statuses: readonly CellStatus[];
  colours: string[];
  /** [id, name] of each OU and root accounts sit in or under. */
  ous: [string, string][];
  /** [id, name, OU index, OU path indices] */
  accounts: [string, string, number, number[]][];
  cells: string[];
  /** Minutes since the epoch of the oldest verification. */
  base: number;
  /** Per account, the cells' verification times (base-36 minutes after `base`, `` when never), comma-separated. */
  verified: string[];
  reasons: string[];
  /** Per account, [cell, reason index] pairs. */
  reasonOf: [number, number][][];
}

function heatmapData(m: CoverageMatrix, generatedAt: string): HeatmapData {
  const statuses = cellStatuses;
  const ous: [string, string][] = [];
  const ouIndex = new Map<string, number>();
  const indexOfOu = (id: string, name: string) => {
    if (!ouIndex.has(id)) {
      ouIndex.set(id, ous.length);
      ous.push([id, name]);
    }
    return ouIndex.get(id)!;
  };
  const reasons: string[] = [];
  const reasonIndex = new Map<string, number>();
  const times = m.accounts.flatMap((a) =>
    m.regions.flatMap((r) =>
      m.controls.map((c) => m.cells[cellKey(a, r, c)]?.lastVerified).filter((t): t is string => !!t),
    ),
  );
  const minutes = (t: string) => Math.floor(Date.parse(t) / 60_000);
  const base = times.reduce((min, t) => Math.min(min, minutes(t)), Infinity);
  const data: HeatmapData = {
    generatedAt,
    staleAfterHours: m.staleAfterHours,
    regions: m.regions,
    controls: m.controls,
    statuses,
    colours: statuses.map((s) => colour[s]),
    ous,
    accounts: [],
    cells: [],
    base: Number.isFinite(base) ? base : 0,
    verified: [],
    reasons,
    reasonOf: [],
  };
  for (const a of m.accounts) {
    const keys = m.controls.flatMap((c) => m.regions.map((r) => cellKey(a, r, c)));
    // A status filter (logwarden coverage --status) shows only the accounts with a matching cell.
    if (m.matching && !keys.some((k) => m.matching!.has(k))) continue;
    const entry = m.directory?.accounts.get(a);
    const ou = ouOf(m, a);
    data.accounts.push([
      a,
      entry?.name ?? '',
      ou ? indexOfOu(ou.id, ou.name) : indexOfOu('?', 'OU not read'),
      (entry?.ouPath ?? []).map((id) => indexOfOu(id, m.directory?.ous.get(id) ?? id)),
    ]);
    data.cells.push(keys.map((k) => (isShown(m, k) ? String(statuses.indexOf(m.shown[k])) : '-')).join(''));
    data.verified.push(
      keys
        .map((k) => {
          const t = m.cells[k]?.lastVerified;
          return t && Number.isFinite(Date.parse(t)) ? (minutes(t) - data.base).toString(36) : '';
        })
        .join(','),
    );
    const pairs: [number, number][] = [];
    keys.forEach((k, i) => {
      const reason = isShown(m, k) ? reasonOf(m, k) : undefined;
      if (reason === undefined) return;
      if (!reasonIndex.has(reason)) {
        reasonIndex.set(reason, reasons.length);
        reasons.push(reason);
      }
      pairs.push([i, reasonIndex.get(reason)!]);
    });
    data.reasonOf.push(pairs);
  }
  return data;
}

/** JSON inside a <script> element: `<` escaped, so no text in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The heatmap's script: draws the accounts × regions grid of every control from the data
 * element, applies the filters, and shows a cell's status, verification and reason on click.
 */
const heatmapScript = String.raw`
const D = JSON.parse(document.getElementById('data').textContent);
const $ = (id) => document.getElementById(id);
const R = D.regions.length;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const ouSel = $('f-ou');
D.ous.forEach(([id, name], i) => { const o = document.createElement('option'); o.value = i; o.textContent = name + (name === id ? '' : ' (' + id + ')'); ouSel.append(o); });
const regSel = $('f-region');
D.regions.forEach((r) => { const o = document.createElement('option'); o.value = r; o.textContent = r; regSel.append(o); });
const checked = (name) => [...document.querySelectorAll('input[name=' + name + ']:checked')].map((e) => e.value);
function view() {
  const text = $('f-account').value.trim().toLowerCase();
  const ou = ouSel.value === '' ? -1 : Number(ouSel.value);
  const regions = regSel.value ? [D.regions.indexOf(regSel.value)] : D.regions.map((_, i) => i);
  const controls = checked('control').map(Number);
  const statuses = checked('status');
  return { text, ou, regions, controls, statuses };
}
function draw() {
  const v = view();
  let head1 = '<tr><th rowspan=2>account</th><th rowspan=2>OU</th>';
  let head2 = '<tr>';
  for (const c of v.controls) {
    head1 += '<th class=ctl colspan=' + v.regions.length + '>' + esc(D.controls[c]) + '</th>';
    for (const r of v.regions) head2 += '<th class=reg title="' + esc(D.regions[r]) + '"><span>' + esc(D.regions[r]) + '</span></th>';
  }
  const rows = [];
  D.accounts.forEach(([id, name, ou, path], a) => {
    if (v.text && !id.includes(v.text) && !name.toLowerCase().includes(v.text)) return;
    if (v.ou >= 0 && ou !== v.ou && !path.includes(v.ou)) return;
    const cells = D.cells[a];
    let any = v.statuses.length === 0;
    let tds = '';
    for (const c of v.controls)
      for (const r of v.regions) {
        const k = c * R + r;
        const code = cells[k];
        const status = code === '-' ? '' : D.statuses[Number(code)];
        const hit = !v.statuses.length || v.statuses.includes(status);
        if (hit && status) any = true;
        tds += '<td class="' + (status ? 's' + code : 'sx') + (hit ? '' : ' dim') + '" data-a=' + a + ' data-k=' + k + ' title="' + (status || 'not shown') + '"></td>';
      }
    if (!any) return;
    rows.push('<tr><th class=acct>' + esc(id) + (name ? ' <small>' + esc(name) + '</small>' : '') + '</th><td class=ou>' + esc(D.ous[ou][1]) + '</td>' + tds + '</tr>');
  });
  $('grid').innerHTML = '<thead>' + head1 + '</tr>' + head2 + '</tr></thead><tbody>' + rows.join('') + '</tbody>';
  $('shown').textContent = rows.length + ' of ' + D.accounts.length + ' accounts shown';
}
$('grid').addEventListener('click', (e) => {
  const td = e.target.closest('td[data-k]');
  if (!td) return;
  const a = Number(td.dataset.a);
  const k = Number(td.dataset.k);
  const [id, name, ou] = D.accounts[a];
  const code = D.cells[a][k];
  const status = code === '-' ? 'not shown' : D.statuses[Number(code)];
  const t = D.verified[a].split(',')[k];
  const verified = t ? new Date((D.base + parseInt(t, 36)) * 60000).toISOString().slice(0, 16) + 'Z' : 'never';
  const pair = D.reasonOf[a].find(([cell]) => cell === k);
  const reason = pair ? D.reasons[pair[1]] : '';
  $('detail').innerHTML = '<b>' + esc(id) + '</b> ' + esc(name) + ' · ' + esc(D.ous[ou][1]) + ' · ' + esc(D.regions[k % R]) + ' · ' + esc(D.controls[Math.floor(k / R)]) +
    '<br>status: <b id=detail-status>' + esc(status) + '</b> · verified ' + verified + (reason ? '<br>reason: <span id=detail-reason>' + esc(reason) + '</span>' : '');
});
document.querySelectorAll('#summary tr[data-ou]').forEach((tr) => tr.addEventListener('click', () => {
  const i = D.ous.findIndex(([id]) => id === tr.dataset.ou);
  ouSel.value = i < 0 ? '' : String(i);
  draw();
}));
$('filters').addEventListener('input', draw);
$('filters').addEventListener('reset', () => setTimeout(draw));
draw();
`;

/**
 * A self-contained HTML heatmap a person can open: the coverage per OU and control, then per
 * control an accounts × regions grid coloured by status, with filters (account id or name, OU,
 * region, controls, statuses) and a cell's reason on click. The cells travel as compact data
 * drawn by the page's script: at 300 accounts × 12 regions the page stays under 300 KB.
 */
export function renderHtml(m: CoverageMatrix, generatedAt: string): string {
  const summary = summaryByOu(m);
  const pct = (c: { covered: number; total: number; percent: number; failed: number }) =>
    c.total
      ? `<td style="background:${c.percent >= 99.95 ? colour.covered : c.failed ? colour.failed : colour.gap}">${c.percent}% <small>${c.covered}/${c.total}</small></td>`
      : `<td style="background:${colour.excluded}">excluded</td>`;
  const summaryRows = summary
    .map(
      (o) =>
        `<tr data-ou="${escape(o.ou)}"><th>${escape(o.name)}</th><td>${o.accounts}</td>${m.controls.map((c) => pct(o.controls[c])).join('')}</tr>`,
    )
    .join('\n');
  const legend = cellStatuses
    .map(
      (s, i) =>
        `<label><input type="checkbox" name="status" value="${s}"><span class="s${i}">${s}</span></label>`,
    )
    .join(' ');
  const controlBoxes = m.controls
    .map((c, i) => `<label><input type="checkbox" name="control" value="${i}" checked>${c}</label>`)
    .join(' ');
  const statusCss = cellStatuses.map((s, i) => `.s${i}{background:${colour[s]}}`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logwarden coverage</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}#summary td,#summary th{padding:.25rem .6rem;border:1px solid #fff;text-align:left}#summary td{color:#fff}#summary tr[data-ou]{cursor:pointer}#grid td,#grid th{border:1px solid #fff;padding:0}#grid td[data-k]{width:12px;height:14px;cursor:pointer}#grid th.acct{text-align:left;font-weight:normal;padding-right:.5rem;white-space:nowrap}#grid td.ou{padding:0 .5rem;white-space:nowrap;font-size:.8rem}#grid th.ctl{border-left:3px solid #333}#grid th.reg span{writing-mode:vertical-rl;font-size:.6rem;font-weight:normal}.sx{background:#eee}.dim{opacity:.15}label span{color:#fff;padding:.1rem .4rem}#filters{margin:1rem 0;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}#detail{position:sticky;top:0;background:#fffde7;border:1px solid #ccc;padding:.5rem;min-height:2.5rem;margin-bottom:.5rem}${statusCss}</style>
</head><body>
<h1>logwarden coverage: ${m.percent}% (${m.covered}/${m.total})</h1>
<p>Generated ${escape(generatedAt)}. ${m.accounts.length} account(s) × ${m.regions.length} region(s) × ${m.controls.length} control(s). Click a cell for its status, when it was verified and why it failed or is excluded; click an OU to show its accounts.</p>
${notes(m)
  .map((n) => `<p>${escape(n)}</p>`)
  .join('\n')}
<h2>Per OU and control</h2>
<table id="summary"><thead><tr><th>OU</th><th>accounts</th>${m.controls.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>
${summaryRows}
</tbody></table>
<h2>Accounts × regions, per control</h2>
<form id="filters" onsubmit="return false">
<input id="f-account" type="search" placeholder="account id or name">
<select id="f-ou"><option value="">every OU</option></select>
<select id="f-region"><option value="">every region</option></select>
<span>${controlBoxes}</span>
<span>status: ${legend}</span>
<button type="reset">clear</button>
<span id="shown"></span>
</form>
<div id="detail">Click a cell.</div>
<table id="grid"></table>
<script type="application/json" id="data">${scriptJson(heatmapData(m, generatedAt))}</script>
<script>${heatmapScript}</script>
</body></html>
`;
}
