/**
 * Issue 23 §4, Done when: "A test drives coverage.html at 300 × 12 in a real headless browser and
 * checks its size and that filtering works." The browser is Chromium from the npm registry
 * (@sparticuz/chromium, driven by puppeteer-core): a fresh machine has none of its own.
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildMatrix, renderHtml, summaryByOu } from '../../cli/coverage-matrix';
import { cellStatuses } from '../../contracts/coverage-cells';
import { controlNames } from '../../contracts/coverage';
import { syntheticOrganization } from '../fixtures/synthetic-ledger';

const org = syntheticOrganization(300, 12);
const staleness = { now: new Date(org.now), staleAfterMs: 2 * 24 * 3_600_000 };
const matrix = buildMatrix(
  org.rows,
  org.regions,
  org.accounts.map((a) => a.id),
  staleness,
  undefined,
  { directory: org.directory },
);
const html = renderHtml(matrix, org.now);
/** What the page's own window offers (the tests' TypeScript has no DOM library). */
interface Window {
  getComputedStyle(e: unknown): { backgroundColor: string };
}
const rowOf = (account: string, region: string, control: string) =>
  org.rows.find((r) => r.account === account && r.region === region && r.control === control);

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    // Tests run as root, where Chromium refuses its sandbox; the page is our own, offline. The
    // package's serverless flags (single process, no zygote) crash it outside Lambda.
    args: ['--no-sandbox', '--disable-gpu'],
    headless: 'shell',
    pipe: true,
  });
  page = await browser.newPage();
  await page.setContent(html, { waitUntil: 'load' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const shownAccounts = () =>
  page.$$eval('#grid tbody tr th.acct', (ths) => ths.map((th) => th.textContent!.split(' ')[0]));
const setFilter = async (selector: string, value: string) => {
  await page.$eval(
    selector,
    (el, v) => {
      (el as unknown as { value: string }).value = v as string;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
};

describe('coverage.html at 300 accounts × 12 regions (issue 23 §4)', () => {
  it('is under 300 KB', () => {
    expect(Buffer.byteLength(html)).toBeLessThan(300 * 1024);
  });

  it('draws every account once, with its name and OU, and per control a grid of its 12 regions coloured by status', async () => {
    const accounts = await shownAccounts();
    expect(accounts).toEqual([...org.accounts.map((a) => a.id)].sort());
    expect(await page.$$eval('#grid tbody tr:first-child td[data-k]', (tds) => tds.length)).toBe(
      controlNames.length * 12,
    );
    expect(await page.$$eval('#grid thead th.ctl', (ths) => ths.map((th) => th.textContent))).toEqual([
      ...controlNames,
    ]);
    const first = [...org.accounts].sort((x, y) => x.id.localeCompare(y.id))[0];
    const firstRow = await page.$eval('#grid tbody tr:first-child', (tr) => tr.textContent);
    expect(firstRow).toContain(first.name);
    expect(firstRow).toContain(org.directory.ous.get(first.ou));
    // Colour per status: a failed cell is painted in the failed colour, a covered one in its own.
    const failed = org.rows.find((r) => r.status === 'failed')!;
    await setFilter('#f-account', failed.account);
    const k = controlNames.indexOf(failed.control) * 12 + org.regions.indexOf(failed.region);
    const colourOf = (sel: string) =>
      page.$eval(sel, (td) => (globalThis as unknown as Window).getComputedStyle(td).backgroundColor);
    expect(await colourOf(`#grid td[data-k="${k}"]`)).toBe('rgb(198, 40, 40)'); // #c62828
    await setFilter('#f-account', '');
  });

  it('sums up each OU per control: excluded cells left out, gaps and failures counted against it', async () => {
    const rows = await page.$$eval('#summary tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    expect(rows).toHaveLength(12);
    // Counted here from the ledger rows, not through the matrix.
    for (const ou of new Set(org.accounts.map((a) => a.ou))) {
      const accounts = org.accounts.filter((a) => a.ou === ou);
      const row = rows.find((r) => r[0] === org.directory.ous.get(ou))!;
      expect(row[1]).toBe(String(accounts.length));
      controlNames.forEach((control, i) => {
        let covered = 0;
        let total = 0;
        for (const a of accounts)
          for (const region of org.regions) {
            const r = rowOf(a.id, region, control);
            if (r?.status === 'excluded') continue;
            total++;
            if (
              r &&
              (r.status === 'covered' || r.status === 'healed') &&
              r.lastVerified! >= '2026-12-04T12:00'
            )
              covered++;
          }
        expect(row[2 + i]).toBe(`${Math.round((covered / total) * 1000) / 10}% ${covered}/${total}`);
      });
    }
    // The excluded OU: only its account without any ledger row counts (12 gaps per control).
    const sandbox = rows.find((r) => r[0] === 'Suspended-Sandbox')!;
    expect(sandbox.slice(2)).toEqual(controlNames.map(() => '0% 0/12'));
    expect(summaryByOu(matrix).map((o) => o.name)).toEqual(rows.map((r) => r[0]));
  });

  it('filters by OU (from the select and by clicking the summary), account name, region, control and status', async () => {
    const ouB = 'ou-ab12-00000001';
    const inB = org.accounts
      .filter((a) => a.ou === ouB)
      .map((a) => a.id)
      .sort();
    await page.click(`#summary tr[data-ou="${ouB}"]`);
    expect(await shownAccounts()).toEqual(inB);
    expect(await page.$eval('#shown', (e) => e.textContent)).toBe(`${inB.length} of 300 accounts shown`);
    await page.click('#filters button[type=reset]');
    await new Promise((r) => setTimeout(r, 50));
    expect(await shownAccounts()).toHaveLength(300);

    await setFilter('#f-account', 'workload-17');
    expect(await shownAccounts()).toEqual(
      org.accounts
        .filter((a) => /workload-17\d*$/.test(a.name))
        .map((a) => a.id)
        .sort(),
    );
    await setFilter('#f-account', '');

    await page.select('#f-region', 'us-west-2');
    expect(await page.$$eval('#grid thead th.reg', (ths) => ths.map((th) => th.textContent))).toEqual(
      controlNames.map(() => 'us-west-2'),
    );
    await page.select('#f-region', '');

    // Only the trail control, only failed cells: the accounts with a failed trail cell.
    for (const c of controlNames.filter((c) => c !== 'trail'))
      await page.click(`input[name=control][value="${controlNames.indexOf(c)}"]`);
    await page.click('input[name=status][value=failed]');
    const failedTrail = [
      ...new Set(
        org.rows.filter((r) => r.control === 'trail' && r.status === 'failed').map((r) => r.account),
      ),
    ].sort();
    expect(failedTrail.length).toBeGreaterThan(0);
    expect(await shownAccounts()).toEqual(failedTrail);
    expect(await page.$$eval('#grid tbody tr:first-child td[data-k]', (tds) => tds.length)).toBe(12);
    const undimmed = await page.$$eval('#grid td[data-k]:not(.dim)', (tds) => tds.map((td) => td.className));
    expect(new Set(undimmed)).toEqual(new Set([`s${cellStatuses.indexOf('failed')}`]));

    // The reason on click.
    const cell = await page.$('#grid td[data-k]:not(.dim)');
    await cell!.click();
    const account = await page.$eval('#detail b', (b) => b.textContent!);
    const region =
      org.regions[
        Number(await cell!.evaluate((td) => (td as unknown as { dataset: { k: string } }).dataset.k)) % 12
      ];
    expect(await page.$eval('#detail-status', (e) => e.textContent)).toBe('failed');
    expect(await page.$eval('#detail-reason', (e) => e.textContent)).toBe(
      rowOf(account, region, 'trail')!.reason,
    );
    await page.click('#filters button[type=reset]');
  });
});
