import { controlNames, type ControlName, type CoverageStatus } from '../contracts/coverage';
import type { LedgerRow } from '../contracts/ledger';

export interface CoverageMatrix {
  accounts: string[];
  regions: string[];
  controls: readonly ControlName[];
  cells: Record<string, LedgerRow | undefined>;
  covered: number;
  total: number;
  percent: number;
}

export const cellKey = (account: string, region: string, control: string) =>
  `${account}|${region}|${control}`;

/** A cell counts as covered when it is covered or healed; a missing cell is a gap. */
export const isCovered = (row: LedgerRow | undefined) =>
  row?.status === 'covered' || row?.status === 'healed';

/** The account × region × control matrix for the given (or every ledgered) account and the governed regions. */
export function buildMatrix(
  rows: LedgerRow[],
  governedRegions: readonly string[],
  accounts?: string[],
): CoverageMatrix {
  const accountList = accounts ?? [...new Set(rows.map((r) => r.account))].sort();
  const cells: CoverageMatrix['cells'] = {};
  for (const r of rows) cells[cellKey(r.account, r.region, r.control)] = r;
  let covered = 0;
  let total = 0;
  for (const a of accountList)
    for (const region of governedRegions)
      for (const c of controlNames) {
        const row = cells[cellKey(a, region, c)];
        if (row?.status === 'excluded') continue;
        total++;
        if (isCovered(row)) covered++;
      }
  return {
    accounts: accountList,
    regions: [...governedRegions],
    controls: controlNames,
    cells,
    covered,
    total,
    percent: total ? Math.round((covered / total) * 1000) / 10 : 100,
  };
}

const symbol: Record<CoverageStatus | 'gap', string> = {
  covered: 'ok',
  healed: 'healed',
  failed: 'FAILED',
  excluded: 'excl',
  'not-emulated': 'n/e',
  gap: 'gap',
};

/** A plain-text table: one row per account and region, one column per control. */
export function renderTable(m: CoverageMatrix): string {
  const header = ['account', 'region', ...m.controls];
  const rows = m.accounts.flatMap((a) =>
    m.regions.map((r) => [
      a,
      r,
      ...m.controls.map((c) => symbol[m.cells[cellKey(a, r, c)]?.status ?? 'gap']),
    ]),
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
  ].join('\n');
}

export function renderJson(m: CoverageMatrix): string {
  return JSON.stringify(
    {
      percentCovered: m.percent,
      covered: m.covered,
      total: m.total,
      matrix: m.accounts.flatMap((account) =>
        m.regions.map((region) => ({
          account,
          region,
          controls: Object.fromEntries(
            m.controls.map((c) => [c, m.cells[cellKey(account, region, c)] ?? { status: 'gap' }]),
          ),
        })),
      ),
    },
    null,
    2,
  );
}

const colour: Record<CoverageStatus | 'gap', string> = {
  covered: '#2e7d32',
  healed: '#66bb6a',
  failed: '#c62828',
  excluded: '#9e9e9e',
  'not-emulated': '#f9a825',
  gap: '#ef6c00',
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
            const row = m.cells[cellKey(a, r, c)];
            const status = row?.status ?? 'gap';
            const title = escape(
              [
                status,
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
<p>${legend}</p>
<table><thead><tr><th>account</th><th>region</th>${head}</tr></thead><tbody>
${body}
</tbody></table></body></html>
`;
}
