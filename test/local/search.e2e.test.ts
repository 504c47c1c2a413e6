/**
 * The indexer end to end: a real OpenSearch 2.19 node (Maven Central artifacts, the project's
 * launcher), the project's own index template installed by the same setup code the stack's
 * custom resource runs, the real indexer handler under its own role on the strict stand-ins
 * (IAM enforced) for the stream, the rejected/ prefix and the last-seen table.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { indexerEnv } from '../../functions/indexer/env';
import { variableOf } from '../../functions/shared/env';
import type { Where } from '../../local/emulated-central';
import { emulateOrganization } from '../../local/scenario/organization';
import { centralFunction, deployCentral } from '../../local/scenario/pipeline';
import { createClient } from '../../functions/shared/clients';
import { StreamReader, toKinesisStreamEvent } from '../../local/kinesis-reader';
import { names } from '../../contracts/names';
import { gzipSync } from 'node:zlib';
import { installSearchSetup } from '../../functions/opensearch-setup/setup';
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import { parseLogGroupArn, TrustTable, trustedSourcesFromConfig } from '../../contracts/trusted-sources';
import { cwlPayload, realCloudTrailEvents } from '../../local/corpus';
import { documentId, normalizePayload } from '../../functions/shared/normalize';
import { signedSearchClient, type SearchClient } from '../../functions/shared/opensearch/client';
import { startMoto, type Moto } from '../../local/moto';
import { startOpenSearch, type LocalSearch } from '../../local/opensearch';
import { findingsBySeverity, topRejectedSources, whoStoppedATrail } from '../../local/queries';
import { corpusMember, corpusPayloads, e2eConfig } from './corpus-payloads';

const region = 'eu-west-1';
const config = e2eConfig();
const trustedSources = trustedSourcesFromConfig(config);
const payloads = corpusPayloads(region, config);
const whoStoppedSample = realCloudTrailEvents().find((e) => e.event.eventName === 'StopLogging')!.event;
// Re-delivered findings (same id and updatedAt) are one document: the set of ids is what counts.
const expectedIds = [
  ...new Set(
    payloads.flatMap((p) =>
      normalizePayload(p, new FlowLogFormatRegistry(), new TrustTable(trustedSources)).map((d) =>
        documentId(p, d),
      ),
    ),
  ),
].sort();
let moto: Moto;
let la: Required<Where>;
let bucket: string;
let lastSeenTable: string;
let streamArn: string;
let indexer: Awaited<ReturnType<typeof centralFunction>>;
let opensearch: LocalSearch;
let search: SearchClient;

async function indices(): Promise<string[]> {
  const res = await search.request('GET', '/_cat/indices/logwarden-ocsf-*?format=json&h=index');
  return (res.body as { index: string }[]).map((i) => i.index);
}

async function indexedIds(): Promise<string[]> {
  await search.request('POST', '/logwarden-ocsf-*/_refresh');
  const res = await search.request(
    'POST',
    '/logwarden-ocsf-*/_search',
    JSON.stringify({ size: 10000, _source: false, query: { match_all: {} } }),
  );
  return (res.body as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id);
}

/** Each indexed document's log group and line. */
async function indexedLines(): Promise<{ log_name: string; raw_data: string }[]> {
  await search.request('POST', '/logwarden-ocsf-*/_refresh');
  const res = await search.request(
    'POST',
    '/logwarden-ocsf-*/_search',
    JSON.stringify({ size: 10000, _source: ['raw_data', 'metadata.log_name'], query: { match_all: {} } }),
  );
  return (
    res.body as { hits: { hits: { _source: { raw_data: string; metadata: { log_name: string } } }[] } }
  ).hits.hits.map((h) => ({ log_name: h._source.metadata.log_name, raw_data: h._source.raw_data }));
}

beforeAll(async () => {
  [moto, opensearch] = await Promise.all([startMoto(), startOpenSearch()]);
  // The organization on the strict stand-ins, IAM enforced; the central stack's resources and
  // roles in the log-archive account; the indexer under its own role, pointed at the local node.
  const org = await emulateOrganization(moto.endpoint, { members: [], config });
  const central = await deployCentral(org);
  ({ la, bucket } = central);
  streamArn = `arn:aws:kinesis:${region}:${org.logArchive}:stream/${names.centralStream}`;
  indexer = await centralFunction(org, 'indexer', {
    [variableOf(indexerEnv, 'opensearchEndpoint')]: opensearch.endpoint,
  });
  lastSeenTable = indexer.environment[variableOf(indexerEnv, 'lastSeenTable')];
  search = signedSearchClient({ endpoint: opensearch.endpoint, region });
}, 240_000);

const index = (records: Parameters<typeof toKinesisStreamEvent>[0]) =>
  indexer.handler(toKinesisStreamEvent(records, streamArn, region)) as Promise<{
    batchItemFailures: unknown[];
  }>;

afterAll(async () => {
  await Promise.all([moto?.stop(), opensearch?.stop()]);
});

describe('indexer against a real OpenSearch node', () => {
  it('the setup installs the project’s template (ISM is reported missing on this node) and is idempotent', async () => {
    const first = await installSearchSetup(search, { retentionDays: 90 });
    expect(first).toEqual([
      'installed index template logwarden-ocsf',
      'ISM not available on this node: policy logwarden-ocsf-retention not installed (not emulated)',
    ]);
    const again = await installSearchSetup(search, { retentionDays: 90 });
    expect(again).toEqual([
      'ISM not available on this node: policy logwarden-ocsf-retention not installed (not emulated)',
    ]);
  });

  it('every corpus event is in OpenSearch exactly once, 0 rejected; a replay changes nothing', async () => {
    // What the destinations put into the stream, put by the log-archive account's administrator.
    const kinesis = createClient(KinesisClient, { http1: true, credentials: async () => la.credentials });
    const entries = payloads.map((p) => ({ Data: gzipSync(JSON.stringify(p)), PartitionKey: p.logStream }));
    expect(
      (await kinesis.send(new PutRecordsCommand({ StreamName: names.centralStream, Records: entries })))
        .FailedRecordCount,
    ).toBe(0);
    // The event source mapping reads with the indexer's role.
    const asIndexer = createClient(KinesisClient, {
      http1: true,
      credentials: async () => indexer.credentials,
    });
    const consume = async () => {
      // A fresh reader starts at TRIM_HORIZON: the second call is a replay of the whole stream.
      const records = (await new StreamReader(asIndexer, names.centralStream).read()).map((r) => r.record);
      expect(records).toHaveLength(payloads.length);
      expect((await index(records)).batchItemFailures).toEqual([]);
    };
    await consume();
    // Counted from the corpus itself, not from the code under test: every line the corpus sent,
    // in the group it sent it from, is one document (issue 21 §28).
    const lines = (source: { log_name: string; raw_data: string }[]) =>
      source.map((d) => `${d.log_name}\n${d.raw_data}`).sort();
    const sent = lines(
      payloads.flatMap((p) => p.logEvents.map((e) => ({ log_name: p.logGroup, raw_data: e.message }))),
    );
    expect(sent).toHaveLength(338);
    expect(lines(await indexedLines())).toEqual(sent);
    const ids = await indexedIds();
    expect(ids.sort()).toEqual(expectedIds);
    const rejected = await new S3Client(la).send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'rejected/' }),
    );
    expect(rejected.KeyCount ?? 0).toBe(0);
    // Replay of the stream from TRIM_HORIZON: same ids, no duplicates.
    await consume();
    expect((await indexedIds()).sort()).toEqual(expectedIds);
    expect(lines(await indexedLines())).toEqual(sent);
  }, 180_000);

  it('the three example queries answer from the indexed corpus', async () => {
    const stopped = await whoStoppedATrail(search);
    expect(stopped.length).toBeGreaterThan(0);
    expect(JSON.stringify(stopped)).toContain('arn:aws:iam::143434273843:user/christophe');
    const rejectedSources = await topRejectedSources(search);
    expect(rejectedSources[0]).toEqual({ source: expect.any(String), flows: expect.any(Number) });
    const severities = await findingsBySeverity(search);
    expect(severities.map((s) => s.severity)).toContain('Critical');
  }, 60_000);

  it('last seen: the corpus records who sent what, keyed by owner or trusted account', async () => {
    const items =
      (await new DynamoDBClient(la).send(new ScanCommand({ TableName: lastSeenTable }))).Items ?? [];
    const keys = items.map((i) => `${i.account.S}#${i.source.S}`);
    expect(keys).toContain(`${corpusMember}#vpcflow`);
    expect(keys).toContain(`${corpusMember}#any`);
    expect(keys).toContain('143434273843#cloudtrail'); // an account the organization trail reported on
  });

  it('attack (issue 10 §2): 500 lines claiming 500 distinct days open at most 17 indices; a genuine StopLogging beside them is indexed', async () => {
    const before = await indices();
    const day = 86_400;
    const start = Math.floor(Date.now() / 1000);
    // Default-format flow-log lines a workload writes into its own group, each claiming another day.
    const flood = Array.from(
      { length: 500 },
      (_, i) =>
        `2 ${corpusMember} eni-0123456789abcdef0 10.0.0.1 10.0.0.2 443 49152 6 1 40 ${start - (i - 250) * day} ${start - (i - 250) * day + 60} ACCEPT OK`,
    );
    const trail = parseLogGroupArn(config.trail.cloudWatchLogsGroupArn as string);
    const stop = { ...whoStoppedSample, eventID: 'flood-neighbour', eventTime: new Date().toISOString() };
    const records = [
      cwlPayload(flood, { logGroup: '/aws/lambda/flooder', owner: corpusMember, region }),
      cwlPayload([JSON.stringify(stop)], { logGroup: trail.name, owner: trail.account, region }),
    ].map((p, i) => ({
      Data: gzipSync(JSON.stringify(p)),
      SequenceNumber: `5000000000000000000000000000000000000000000000000000000${i}`,
      PartitionKey: 'flood',
      ApproximateArrivalTimestamp: new Date(),
    }));
    expect((await index(records)).batchItemFailures).toEqual([]);
    const created = (await indices()).filter((i) => !before.includes(i));
    expect(created.length).toBeGreaterThan(0);
    expect(created.length).toBeLessThanOrEqual(17);
    await search.request('POST', '/logwarden-ocsf-*/_refresh');
    const found = await search.request(
      'POST',
      '/logwarden-ocsf-*/_search',
      JSON.stringify({
        query: { term: { 'api.operation': 'StopLogging' } },
        size: 100,
        _source: ['raw_data'],
      }),
    );
    const hits = (found.body as { hits: { hits: { _source: { raw_data: string } }[] } }).hits.hits;
    expect(hits.some((h) => h._source.raw_data.includes('flood-neighbour'))).toBe(true);
  }, 120_000);
});
