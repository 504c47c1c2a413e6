/**
 * `npm start`: the whole mission on this machine, as the steps in local/scenario/ (the
 * end-to-end tests run the same steps). moto stands in for AWS, a real OpenSearch 2.19 node for
 * the domain. Options: --keep, --accounts N, --regions M.
 */
import * as path from 'node:path';
import { startMoto } from './moto';
import { startOpenSearch } from './opensearch';
import { emulateOrganization } from './scenario/organization';
import { onboardMembers } from './scenario/onboard';
import { newVpcs } from './scenario/vpc';
import { tamperAndHeal } from './scenario/tamper';
import { deployPipeline, drainPipeline, shipCorpus } from './scenario/pipeline';
import {
  askOpenSearch,
  finish,
  printCoverage,
  judgeCoverage,
  printDenials,
  printPreflight,
  printPrerequisites,
  type Say,
} from './scenario/report';
import { emulatedOnly } from './scenario/emulated';

const root = path.resolve(__dirname, '..');
const t0 = Date.now();
const say: Say = (line = '') =>
  console.log(
    line.startsWith(' ') ? line : `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`,
  );

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    console.error(`error: ${name} takes a whole number from 1 to 8`);
    process.exit(2);
  }
  return n;
}

const keep = process.argv.includes('--keep');
const members = Array.from({ length: option('--accounts', 3) }, (_, i) => String(4 + i).repeat(12));
const extraRegions = ['eu-north-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'us-east-1', 'us-west-2'];
const regionCount = option('--regions', 2);

const stops: (() => Promise<void>)[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.allSettled(stops.map((s) => s()));
  }
  process.exit(code);
}

async function main() {
  // The node (its security index initialised) starts while the organization is emulated: it is
  // first needed by the pipeline's deployment.
  const searchStarting = startOpenSearch();
  searchStarting.catch(() => undefined); // its failure is reported where it is awaited
  stops.push(async () => (await searchStarting.catch(() => undefined))?.stop());
  const moto = await startMoto();
  stops.push(moto.stop);
  say(`moto server ${moto.endpoint}`);
  const governed = ['eu-west-1', 'eu-central-1', ...extraRegions].slice(0, regionCount);
  const org = await emulateOrganization(moto.endpoint, {
    members,
    regions: governed,
    aroundPrerequisites: (when, config) => printPreflight(config, when, say),
  });
  say(
    `organization: management ${org.management}, log-archive ${org.logArchive}, security-tooling ${org.securityTooling}; members ${members.join(', ')}; regions ${org.regions.join(', ')}`,
  );
  await printPrerequisites(org, say);
  const search = await searchStarting;
  say(`OpenSearch 2.19 with its security plugin ${search.endpoint} (SigV4)`);
  const pipeline = await deployPipeline(org, search, path.join(root, '.local'));
  say(
    `OpenSearch domain: master user ${org.config.breakGlassRoleArn}; the stack's setup as ${pipeline.searchSetup.properties.SetupRoleArn}:`,
  );
  for (const [i, run] of pipeline.searchSetup.runs.entries())
    for (const action of run.split('; ')) say(`        ${i + 1}. ${action}`);

  await printCoverage(org, 'coverage before onboarding', say);
  await onboardMembers(org, say);
  await printCoverage(org, 'coverage after the account events', say);
  await newVpcs(org, members[0], say);
  await tamperAndHeal(org, pipeline, members[0], say);
  const shipped = await shipCorpus(pipeline, members[0]);
  const drain = await drainPipeline(pipeline, { strict: true });
  say(
    `corpus: ${shipped.events} log events in ${members[0]}'s log groups (${shipped.deliveredGroups} groups delivered by the account subscription policy, ${shipped.payloads} payloads put by the run) → ${drain.records} records, ${drain.archive.objects.length} archive objects`,
  );
  await askOpenSearch(org, search, say);
  await finish(org, path.join(root, 'coverage.html'), say);
  await judgeCoverage(org, say);
  await printDenials(org, say);
  say('emulated only (listed by local/, never decided by production code):');
  for (const line of emulatedOnly) say(`        - ${line}`);
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (keep) {
    say(`--keep: moto ${moto.endpoint} · OpenSearch ${search.endpoint} · Ctrl-C stops both`);
    await new Promise(() => undefined);
  }
  await stopAll(0);
}

process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));
main().catch(async (err) => {
  console.error(`local run failed: ${(err as Error).stack ?? err}`);
  await stopAll(1);
});
