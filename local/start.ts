/**
 * `npm start`: the whole mission on this machine, as the steps in local/scenario/ (the
 * end-to-end tests run the same steps). moto stands in for AWS, a real OpenSearch 2.19 node for
 * the domain. Options: --keep, --accounts N, --regions M.
 */
import * as path from 'node:path';
import { startMoto } from './moto';
import { startOpenSearch } from './opensearch';
import { launchTrino } from './trino';
import { askTheLake } from './scenario/lake';
import { describeEvent, emulateOrganization } from './scenario/organization';
import { onboardMembers } from './scenario/onboard';
import { newVpcs } from './scenario/vpc';
import { tamperAndHeal } from './scenario/tamper';
import { deployPipeline, drainPipeline, shipCorpus } from './scenario/pipeline';
import { directFlowLogs } from './scenario/direct-flow-logs';
import { e2eConfig } from './emulated-org';
import { parseConfig } from '../contracts/config';
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
import { printDetectionScorecard, showDetectionAlerts } from './scenario/detections';
import {
  accountMovedToExcludedOu,
  accountWithForeignFlowLogs,
  controlState,
  showFlowLogOwners,
  showPlan,
  stateDiff,
  sweep,
  uninstall,
} from './scenario/adoption';

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
/** In the organization before logwarden: its VPCs already logged by the platform team. */
const alreadyLogged = '777777777777';
/** Moved into the excluded OU `sandbox` (config scope.excludeOUs). */
const sandboxed = '888888888888';
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
  // Trino (the lake's engine) starts once the node is up, so the two JVMs do not start on the
  // same cores at once; it is first needed at the end, for the lake's questions.
  const trinoStarting = searchStarting.then(() => launchTrino());
  trinoStarting.catch(() => undefined); // its failure is reported where it is awaited
  stops.push(async () => (await trinoStarting.catch(() => undefined))?.stop());
  const moto = await startMoto();
  stops.push(moto.stop);
  say(`moto server ${moto.endpoint}`);
  const governed = ['eu-west-1', 'eu-central-1', ...extraRegions].slice(0, regionCount);
  const org = await emulateOrganization(moto.endpoint, {
    // flowLogs.delivery firehose: logwarden's flow logs deliver straight to each Region's
    // Firehose stream of the log-archive account (the direct path, local/firehose-direct.ts).
    config: parseConfig({
      ...(JSON.parse(JSON.stringify(e2eConfig)) as object),
      flowLogs: { ...e2eConfig.flowLogs, delivery: 'firehose' },
    }),
    members: [...members, alreadyLogged, sandboxed],
    excludedOu: 'sandbox',
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

  await accountWithForeignFlowLogs(org, alreadyLogged);
  say(
    `${alreadyLogged} was in the organization before logwarden: the platform team logs its VPCs to S3 (tag owner=platform-team)`,
  );
  const existing = [org.logArchive, org.securityTooling, alreadyLogged];
  const beforeLogwarden = await controlState(org, existing);
  await showPlan(org, existing, say);
  await printCoverage(org, 'coverage before onboarding', say);
  await onboardMembers(org, say, members);
  const moved = await accountMovedToExcludedOu(org, sandboxed);
  say(
    `MoveAccount ${sandboxed} → sandbox ${org.excludedOuId} (scope.excludeOUs) → ${moved.started.map((s) => `${s.workflow} ${s.name}`).join(', ') || 'nothing'}`,
  );
  await sweep(org, say);
  await showFlowLogOwners(org, alreadyLogged, say);
  await printCoverage(org, 'coverage after the account events', say);
  await newVpcs(org, members[0], say);
  await tamperAndHeal(org, pipeline, members[0], say);
  const shipped = await shipCorpus(pipeline, members[0]);
  const drain = await drainPipeline(pipeline, { strict: true });
  say(
    `corpus: ${shipped.events} log events in ${members[0]}'s log groups (${shipped.deliveredGroups} groups delivered by the account subscription policy, ${shipped.payloads} payloads put by the run) → ${drain.records} records, ${drain.archive.objects.length} archive objects`,
  );
  await directFlowLogs(org, pipeline, members[0], say);
  await showDetectionAlerts(pipeline, say);
  await askOpenSearch(org, search, say);
  await askTheLake(pipeline, search, trinoStarting, say);
  await finish(org, path.join(root, 'coverage.html'), say);
  await judgeCoverage(org, say);
  // Leaving: uninstall, then (in AWS) cdk destroy. The accounts that were there before logwarden
  // are as they were; the others keep everything but what logwarden created.
  const all = [org.logArchive, org.securityTooling, ...org.members];
  const beforeUninstall = await controlState(org, all);
  await uninstall(org, say);
  const afterUninstall = await controlState(org, all);
  const changed = stateDiff(beforeLogwarden, await controlState(org, existing));
  if (changed.length)
    throw new Error(
      `uninstall left the accounts that were there before logwarden changed:\n${changed.join('\n')}`,
    );
  const removed = stateDiff(beforeUninstall, afterUninstall);
  const notOurs = removed.filter(
    (d) =>
      !/^\S+ \S+: - (flow log .* → (\/logwarden\/|arn:aws:logs|arn:aws:firehose:[^:]+:\d{12}:deliverystream\/logwarden-)|account policy logwarden-|log group \/logwarden\/(vpc-flow-logs|guardduty-findings)|subscription filter logwarden-|rule logwarden-guardduty-findings)/.test(
        d,
      ),
  );
  if (notOurs.length)
    throw new Error(`uninstall changed what logwarden did not create:\n${notOurs.join('\n')}`);
  say(
    `after uninstall: ${existing.join(', ')} as before logwarden (state compared: flow logs, subscription policies and filters, log groups, rules, trails); ${removed.length} resources logwarden created removed, nothing else changed; next in AWS: cdk destroy`,
  );
  // What logwarden's own calls started: their CloudTrail records, put on the buses where AWS
  // emits them, through the deployed rules (Organization.deliverEmitted).
  say(
    `heals started by logwarden's own calls (the stand-in's CloudTrail records through the deployed rules): ${org.cascade.length}, none looped (at most ${Math.max(0, ...org.cascade.map((c) => c.round))} round(s))`,
  );
  for (const c of org.cascade)
    say(
      `        round ${c.round}: ${describeEvent(c.event)} → ${c.started.map((s) => `${s.workflow} ${s.name}`).join(', ')}`,
    );
  await printDenials(org, say);
  say('emulated only (listed by local/, never decided by production code):');
  for (const line of emulatedOnly) say(`        - ${line}`);
  printDetectionScorecard(org, say);
  say(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (keep) {
    say(
      `--keep: moto ${moto.endpoint} · OpenSearch ${search.endpoint} · Trino ${(await trinoStarting).url} · Ctrl-C stops them`,
    );
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
