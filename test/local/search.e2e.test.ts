/**
 * The indexer end to end: a real OpenSearch 2.19 node with its security plugin (Maven Central
 * artifacts, the project's launcher), the domain's roles, mappings, template and audit
 * configuration installed by the stack's own custom resource under its own role
 * (local/scenario/search.ts), the real indexer handler under its own role on the strict
 * stand-ins (IAM enforced) for the stream, the rejected/ prefix and the last-seen table; the
 * data read back as an analyst (a configured reader role).
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
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import { parseLogGroupArn, TrustTable, trustedSourcesFromConfig } from '../../contracts/trusted-sources';
import { cwlPayload, realCloudTrailEvents } from '../../local/corpus';
import { documentId, normalizePayload } from '../../functions/shared/normalize';
import type { SearchClient } from '../../functions/shared/opensearch/client';
import { analyst, deploySearch, type SearchDeployment } from '../../local/scenario/search';
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
let deployment: SearchDeployment;

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
  deployment = await deploySearch(org, opensearch);
  search = await analyst(org, opensearch);
}, 300_000);

const index = (records: Parameters<typeof toKinesisStreamEvent>[0]) =>
  indexer.handler(toKinesisStreamEvent(records, streamArn, region)) as Promise<{
    batchItemFailures: unknown[];
  }>;

afterAll(async () => {
  await Promise.all([moto?.stop(), opensearch?.stop()]);
});

describe('indexer against a real OpenSearch node', () => {
  it('the stack’s setup is pending until the break-glass bootstrap, then installs the template, roles and audit (ISM is reported missing on this node)', () => {
    const [pending, installed] = deployment.runs;
    expect(pending).toMatch(
      /^pending: the break-glass role must first send PATCH \/_plugins\/_security\/api\/rolesmapping\/security_manager .*answered 403/,
    );
    expect(installed.split('; ')).toEqual([
      'configured role logwarden_setup for 1 IAM role(s)',
      'installed index template logwarden-ocsf',
      'ISM not available on this node: policy logwarden-ocsf-retention not installed (not emulated)',
      'configured role logwarden_writer for 1 IAM role(s)',
      'configured role logwarden_reader for 1 IAM role(s)',
      'configured audit logging (searches audited, writers ignored)',
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
    const ids = await indexedIds();
    expect(ids.sort()).toEqual(expectedIds);
    const rejected = await new S3Client(la).send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'rejected/' }),
    );
    expect(rejected.KeyCount ?? 0).toBe(0);
    // Replay of the stream from TRIM_HORIZON: same ids, no duplicates.
    await consume();
    expect((await indexedIds()).sort()).toEqual(expectedIds);
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
