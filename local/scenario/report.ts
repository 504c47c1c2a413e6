/**
 * What the run shows: the coverage matrix from the ledger, the three example questions to
 * OpenSearch, the heatmap, and where each one-time prerequisite of a real deployment is
 * emulated.
 */
import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { writeFileSync } from 'node:fs';
import { buildMatrix, renderHtml, renderTable } from '../../cli/coverage-matrix';
import { readLedger } from '../../cli/ledger';
import { names } from '../../contracts/names';
import { notYetEmulatedControls } from './emulated';
import { findingsBySeverity, topRejectedSources, whoStoppedATrail } from '../queries';
import type { LocalSearch } from '../opensearch';
import type { Organization } from './organization';
import { searchClient } from './pipeline';

export type Say = (line?: string) => void;

export async function coverage(org: Organization) {
  const rows = await readLedger(new DynamoDBClient({}), names.ledgerTable);
  // The members this run onboards are shown; log archive and security tooling are active too.
  return buildMatrix(rows, [...org.regions], [...org.members], undefined, [
    org.logArchive,
    org.securityTooling,
    ...org.members,
  ]);
}

export async function printCoverage(org: Organization, title: string, say: Say) {
  const matrix = await coverage(org);
  say(`${title}:`);
  say(indent(renderTable(matrix)));
  return matrix;
}

export async function writeHeatmap(org: Organization, file: string) {
  const matrix = await coverage(org);
  writeFileSync(file, renderHtml(matrix, new Date().toISOString()));
  return matrix;
}

export async function askOpenSearch(search: LocalSearch, region: string, say: Say) {
  const client = searchClient(search, region);
  await client.request('POST', '/logwarden-ocsf-*/_refresh');
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
 * The one-time steps in the management account a real deployment needs (docs/deploying.md),
 * taken on the stand-in's organization; ListRegions for another account is asked, to show it
 * is served.
 */
export async function printPrerequisites(org: Organization, say: Say) {
  const served = async (call: () => Promise<unknown>) =>
    call().then(
      () => 'served by the stand-in',
      (e: Error) => `refused by the stand-in (${e.name}: ${e.message.split('\n')[0].slice(0, 80)})`,
    );
  const account = new AccountClient({ region: 'us-east-1' });
  const listRegions = await served(() => account.send(new ListRegionsCommand({ AccountId: org.logArchive })));
  say('one-time prerequisites in the management account, and where they are emulated:');
  for (const step of org.prerequisites) say(`        - done on the stand-in's organization: ${step}`);
  say(`        - ListRegions for a member from ${org.securityTooling}: ${listRegions}`);
  say(
    '        - StackSets trusted access (service-managed StackSet): local/deployment.ts deploys the StackSet’s template body, roles included, to every account but the management account, in each region of its instances',
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
  say(`wrote ${file}: ${matrix.covered}/${matrix.total} cells covered (${matrix.percent}%)`);
  if (notYetEmulatedControls.length)
    say(`controls the stand-ins cannot run yet (shown n/e): ${notYetEmulatedControls.join(', ')}`);
  const gaps = Object.values(matrix.cells).filter(
    (c) =>
      c && !notYetEmulatedControls.includes(c.control) && c.status !== 'covered' && c.status !== 'healed',
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
