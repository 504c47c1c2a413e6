/**
 * What the run shows: the coverage matrix from the ledger, the three example questions to
 * OpenSearch, the heatmap, and where each one-time prerequisite of a real deployment is
 * emulated.
 */
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { writeFileSync } from 'node:fs';
import { buildMatrix, renderHtml, renderTable } from '../../cli/coverage-matrix';
import { readLedger } from '../../cli/ledger';
import { readDirectory, type OrgDirectory } from '../../cli/org-directory';
import { names } from '../../contracts/names';
import { environmentChecks, prerequisites } from '../../contracts/prerequisites';
import { notYetEmulatedControls } from './emulated';
import { findingsBySeverity, topRejectedSources, whoStoppedATrail } from '../queries';
import type { LocalSearch } from '../opensearch';
import type { Organization } from './organization';
import { analyst, refreshAsOperator } from './search';
import type { LogwardenConfig } from '../../contracts/config';
import { runPreflight } from './preflight';
import { disagreements, judge, type Verdict } from '../judge';

export type Say = (line?: string) => void;

export async function coverage(org: Organization, directory?: OrgDirectory) {
  const rows = await readLedger(new DynamoDBClient({}), names.ledgerTable);
  // The members this run onboards are shown; log archive and security tooling are active too.
  return buildMatrix(
    rows,
    [...org.regions],
    [...org.members],
    undefined,
    [org.logArchive, org.securityTooling, ...org.members],
    { directory },
  );
}

export async function printCoverage(org: Organization, title: string, say: Say) {
  const matrix = await coverage(org);
  say(`${title}:`);
  say(indent(renderTable(matrix)));
  return matrix;
}

export async function writeHeatmap(org: Organization, file: string) {
  // Account names and OUs as `logwarden coverage --html` reads them, from the organization's tree.
  const orgs = new OrganizationsClient({ region: 'us-east-1', credentials: await org.admin(org.management) });
  const matrix = await coverage(org, await readDirectory(orgs));
  writeFileSync(file, renderHtml(matrix, new Date().toISOString()));
  return matrix;
}

/** The three questions, asked as an analyst (a configured reader role) would. */
export async function askOpenSearch(org: Organization, search: LocalSearch, say: Say) {
  await refreshAsOperator(org, search);
  const client = await analyst(org, search);
  const count = await client.request('GET', '/logwarden-ocsf-*/_count');
  say(`OpenSearch holds ${(count.body as { count: number }).count} documents`);
  say('who stopped a trail?');
  for (const hit of (await whoStoppedATrail(client)).slice(0, 5)) say(indent(JSON.stringify(hit)));
  say('top rejected flows by source:');
  for (const row of await topRejectedSources(client)) say(indent(`${row.source.padEnd(18)} ${row.flows}`));
  say('findings by severity:');
  for (const row of await findingsBySeverity(client))
    say(indent(`${row.severity.padEnd(14)} ${row.findings}`));
}

/**
 * The one-time steps of a real deployment (contracts/prerequisites.ts), as the run took them on
 * the stand-ins; ListRegions for another account is asked, to show it is served.
 */
export async function printPrerequisites(org: Organization, say: Say) {
  const served = async (call: () => Promise<unknown>) =>
    call().then(
      () => 'served by the stand-in',
      (e: Error) => `refused by the stand-in (${e.name}: ${e.message.split('\n')[0].slice(0, 80)})`,
    );
  const account = new AccountClient({ region: 'us-east-1' });
  const listRegions = await served(() => account.send(new ListRegionsCommand({ AccountId: org.logArchive })));
  say(
    'one-time prerequisites (contracts/prerequisites.ts), each taken on the stand-ins by its own commands:',
  );
  for (const step of org.prerequisites) say(`        - ${step}`);
  say(`        - ListRegions for a member from ${org.securityTooling}: ${listRegions}`);
  say(
    '        - StackSets (service-managed StackSet): local/deployment.ts deploys the StackSet’s template body, roles included, to every account but the management account, in each region of its instances',
  );
}

/**
 * `logwarden preflight` on the stand-ins, printed as it prints it; throws unless, before the
 * prerequisites, every one is missing (exit 1) and, after, every one is met (exit 0).
 */
export async function printPreflight(config: LogwardenConfig, when: 'before' | 'after', say: Say) {
  const run = await runPreflight(config);
  const total = Number(/: (\d+) prerequisites$/.exec(run.lines[0] ?? '')?.[1]);
  const summary = /^(\d+) met, (\d+) missing, (\d+) unknown/.exec(run.lines.at(-1) ?? '');
  say(`logwarden preflight ${when} the prerequisites (exit ${run.code}):`);
  const shown = when === 'before' ? run.lines : run.lines.filter((l) => !l.startsWith('  '));
  say(indent(shown.join('\n')));
  const [met, missing] = summary ? [Number(summary[1]), Number(summary[2])] : [NaN, NaN];
  // Every prerequisite is missing before and met after; what no step gives an account (the home
  // region's zones) is met throughout.
  const steps = prerequisites(config).length;
  const environment = environmentChecks(config).length;
  const expected =
    total === steps + environment &&
    (when === 'before'
      ? missing === steps && met === environment && run.code === 1
      : met === total && run.code === 0);
  if (!expected || !total)
    throw new Error(
      `logwarden preflight ${when} the prerequisites: expected all ${when === 'before' ? 'missing' : 'met'}, got exit ${run.code}`,
    );
}

export const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');

/** The heatmap, and the end of the run: every cell covered but those the stand-ins cannot run yet. */
export async function finish(org: Organization, file: string, say: Say) {
  const matrix = await writeHeatmap(org, file);
  const excluded = Object.values(matrix.cells).filter((c) => c?.status === 'excluded');
  say(
    `wrote ${file}: ${matrix.covered}/${matrix.total} in-scope cells covered (${matrix.percent}%), ${excluded.length} excluded (${[...new Set(excluded.map((c) => `${c!.account}: ${c!.reason ?? ''}`))].join('; ')})`,
  );
  if (notYetEmulatedControls.length)
    say(`controls the stand-ins cannot run yet (shown n/e): ${notYetEmulatedControls.join(', ')}`);
  const gaps = Object.values(matrix.cells).filter(
    (c) =>
      c &&
      !notYetEmulatedControls.includes(c.control) &&
      c.status !== 'covered' &&
      c.status !== 'healed' &&
      c.status !== 'excluded',
  );
  if (gaps.length)
    throw new Error(`not covered: ${gaps.map((c) => `${c!.account} ${c!.region} ${c!.control}`).join(', ')}`);
}

/**
 * What IAM refused during the run, by action and role: every call was evaluated against its
 * caller's policies from the synthesized templates (local/standins/iam.py).
 */
export async function printDenials(org: Organization, say: Say) {
  const denials = await org.denials();
  const byKind = new Map<string, number>();
  for (const d of denials) {
    const who = d.caller.replace(/^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/, '$2 ($1)');
    const why = /because (.*)$/.exec(d.message)?.[1] ?? d.message.slice(0, 120);
    const key = `${d.action} by ${who}: ${d.code}, ${why}`;
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
  }
  say(`IAM enforced on every call; ${denials.length} refused:`);
  for (const [kind, n] of byKind) say(`        ${String(n).padStart(3)} × ${kind}`);
}

/**
 * The judge's verdict (local/judge.ts: the stand-ins' state, read by code that shares nothing
 * with the controls) on every member × governed region × control, against the ledger the
 * controls wrote. Throws, naming each cell, when a cell is not covered or the two disagree, so a
 * control that reports "covered" without doing its work fails the run.
 */
export async function judgeCoverage(org: Organization, say?: Say): Promise<Verdict[]> {
  const verdicts = await judge(org, org.members, org.regions);
  const rows = await readLedger(new DynamoDBClient({}), names.ledgerTable);
  const wrong = disagreements(verdicts, rows);
  const covered = verdicts.filter((v) => v.covered).length;
  const inScope = verdicts.filter((v) => !v.excluded).length;
  say?.(
    `judge (local/judge.ts, the stand-ins' state): ${covered}/${inScope} in-scope cells covered, ${verdicts.length - inScope} out of scope; ${wrong.length ? `${wrong.length} disagree with the ledger` : 'the ledger agrees'}`,
  );
  if (wrong.length) throw new Error(`the judge and the ledger disagree:\n${wrong.join('\n')}`);
  return verdicts;
}
