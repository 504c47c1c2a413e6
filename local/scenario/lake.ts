/**
 * The lake at the end of the run: Trino (the engine of Athena engine version 3) over the Parquet
 * archive the run produced, as the analysts' `logwarden-lake-reader` role, asked two named
 * queries whose answers must be OpenSearch's for the same question.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { lakeNames, namedQueries, type NamedQuery } from '../../contracts/lake';
import { credentialsOf } from '../emulated-org';
import { topRejectedSources, whoStoppedATrail } from '../queries';
import type { LocalSearch } from '../opensearch';
import { runNamedQuery, type TrinoEngine } from '../trino';
import type { Pipeline } from './pipeline';
import { analystRoleArn, personAs } from './search';
import type { Say } from './report';
import { indent } from './report';

const named = (name: string): NamedQuery => {
  const q = namedQueries.find((n) => n.name === name);
  if (!q) throw new Error(`no named query ${name} in contracts/lake.ts`);
  return q;
};

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The analyst's session in `logwarden-lake-reader`, as an analyst takes it before querying. */
async function readerSession(p: Pipeline) {
  const org = p.org;
  const analyst = analystRoleArn(org);
  if (!analyst)
    throw new Error('the lake needs an analyst: openSearch.readerRoleArns names none in log-archive');
  const person = await credentialsOf(org.logArchive, analyst.split('/').pop()!);
  const sts = new STSClient({ region: org.config.homeRegion, endpoint: org.endpoint, credentials: person });
  const res = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${org.logArchive}:role/${lakeNames.readerRole}`,
      RoleSessionName: 'logwarden-local-analyst',
    }),
  );
  return {
    accessKeyId: res.Credentials!.AccessKeyId!,
    secretAccessKey: res.Credentials!.SecretAccessKey!,
    sessionToken: res.Credentials!.SessionToken!,
  };
}

const key = (row: unknown[]) => JSON.stringify(row);

/**
 * Runs `who-stopped-a-trail` and `top-rejected-sources` on Trino over the archive, as the reader
 * role, prints both answers beside OpenSearch's, and throws when they differ.
 */
export async function askTheLake(p: Pipeline, search: LocalSearch, engine: Promise<TrinoEngine>, say: Say) {
  const org = p.org;
  const t0 = Date.now();
  const trino = await (
    await engine
  ).attachLake({
    endpoint: org.endpoint,
    region: org.config.homeRegion,
    credentials: await readerSession(p),
  });
  say(
    `Trino 476 (Athena engine v3) ${trino.url}: catalog lake on Glue and S3 of ${org.logArchive}, as ${lakeNames.readerRole} (engine ready ${((Date.now() - t0) / 1000).toFixed(1)} s after it was needed)`,
  );
  const client = await personAs(org, search, analystRoleArn(org)!);
  const [first, last] = [day(-1), day(1)];

  const lakeStops = await runNamedQuery(trino, named('who-stopped-a-trail'), [first, last]);
  const searchStops = await whoStoppedATrail(client, 100);
  say(
    `the lake: who-stopped-a-trail ${first}..${last} on Trino: ${lakeStops.length} StopLogging; OpenSearch: ${searchStops.length}`,
  );
  for (const r of lakeStops.slice(0, 5))
    say(indent(`${String(r.time_dt)}  ${String(r.principal)}  ${String(r.account)}  ${String(r.trail)}`));
  const stopsDiffer = stopsDisagreement(lakeStops, searchStops);
  if (stopsDiffer) throw new Error(`the lake and OpenSearch disagree on who stopped a trail: ${stopsDiffer}`);

  const lakeTop = await runNamedQuery(trino, named('top-rejected-sources'), [first, last]);
  const searchCounts = await topRejectedSources(client, 1000);
  const countOf = new Map(searchCounts.map((r) => [r.source, r.flows]));
  say(`the lake: top-rejected-sources ${first}..${last} on Trino, beside OpenSearch's count:`);
  for (const r of lakeTop)
    say(
      indent(
        `${String(r.source_ip).padEnd(18)} ${String(r.flows).padStart(4)}   OpenSearch ${countOf.get(String(r.source_ip)) ?? 0}`,
      ),
    );
  const topDiffer = topSourcesDisagreement(lakeTop, searchCounts);
  if (topDiffer)
    throw new Error(`the lake and OpenSearch disagree on the top rejected sources: ${topDiffer}`);
  say(`the lake agrees with OpenSearch on both questions (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return trino;
}

const get = (o: Record<string, unknown>, path: string) =>
  path.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown> | undefined)?.[k], o) ?? null;

/**
 * Why the lake's `who-stopped-a-trail` rows and OpenSearch's StopLogging hits differ, or
 * undefined when they hold the same (time, principal, account, trail) rows. No rows at all is a
 * difference too: the run stops a trail, so both must have found it.
 */
export function stopsDisagreement(
  lake: Record<string, unknown>[],
  search: Record<string, unknown>[],
): string | undefined {
  const lakeRows = lake.map((r) => key([r.time_dt, r.principal, r.account, r.trail])).sort();
  const searchRows = search
    .map((h) =>
      key([
        get(h, 'time_dt'),
        get(h, 'actor.user.uid'),
        get(h, 'cloud.account.uid'),
        get(h, 'api.request.data.name'),
      ]),
    )
    .sort();
  if (!lakeRows.length) return 'Trino found no StopLogging';
  if (key(lakeRows) === key(searchRows)) return undefined;
  return `Trino (${lakeRows.length}): ${lakeRows.join(' ')}; OpenSearch (${searchRows.length}): ${searchRows.join(' ')}`;
}

/**
 * Why the lake's `top-rejected-sources` rows differ from OpenSearch's counts by address, or
 * undefined when each address Trino lists has OpenSearch's count for it and the counts are
 * OpenSearch's top counts in order. Addresses of equal count may differ: the engines order ties
 * differently (Trino by the address as text, OpenSearch's terms aggregation by its own key).
 */
export function topSourcesDisagreement(
  lake: Record<string, unknown>[],
  search: { source: string; flows: number }[],
): string | undefined {
  if (!lake.length) return 'Trino found no rejected flow';
  const countOf = new Map(search.map((r) => [r.source, r.flows]));
  const wrong = lake.filter((r) => countOf.get(String(r.source_ip)) !== Number(r.flows));
  const top = [...search].sort((a, b) => b.flows - a.flows).slice(0, lake.length);
  const sameCounts = key(lake.map((r) => Number(r.flows))) === key(top.map((r) => r.flows));
  if (!wrong.length && sameCounts) return undefined;
  return `Trino ${JSON.stringify(lake)}; OpenSearch ${JSON.stringify(top)}`;
}
