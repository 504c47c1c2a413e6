/**
 * The indexer end to end: a real OpenSearch 2.19 node (Maven Central artifacts, the project's
 * launcher), the project's own index template installed by the same setup code the stack's
 * custom resource runs, the real indexer handler, moto for the rejected/ prefix.
 */
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createClient } from '../../functions/shared/clients';
import { StreamReader, toKinesisStreamEvent } from '../../local/kinesis-reader';
import { names } from '../../contracts/names';
import { gzipSync } from 'node:zlib';
import { installSearchSetup } from '../../functions/opensearch-setup/setup';
import { FlowLogFormatRegistry } from '../../functions/shared/flow-log-formats';
import { normalizePayload } from '../../functions/shared/normalize';
import { signedSearchClient, type SearchClient } from '../../functions/shared/opensearch/client';
import { startMoto, type Moto } from '../../local/moto';
import { startOpenSearch, type LocalSearch } from '../../local/opensearch';
import { findingsBySeverity, topRejectedSources, whoStoppedATrail } from '../../local/queries';
import { corpusPayloads } from './corpus-payloads';

const region = 'eu-west-1';
const bucket = 'logwarden-archive-search-e2e';
const streamArn = `arn:aws:kinesis:${region}:123456789012:stream/${names.centralStream}`;
const payloads = corpusPayloads(region);
// Re-delivered findings (same id and updatedAt) are one document: the set of ids is what counts.
const expectedIds = [
  ...new Set(
    payloads.flatMap((p) => normalizePayload(p, new FlowLogFormatRegistry())).map((d) => d.metadata.uid),
  ),
].sort();
let moto: Moto;
let opensearch: LocalSearch;
let search: SearchClient;

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
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-secret',
    OPENSEARCH_ENDPOINT: opensearch.endpoint,
    ARCHIVE_BUCKET: bucket,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  await new S3Client({}).send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
    }),
  );
  search = signedSearchClient({ endpoint: opensearch.endpoint, region });
}, 240_000);

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
    const { handler } = await import('../../functions/indexer/index');
    const kinesis = createClient(KinesisClient, { http1: true });
    await kinesis.send(new CreateStreamCommand({ StreamName: names.centralStream, ShardCount: 2 }));
    const entries = payloads.map((p) => ({ Data: gzipSync(JSON.stringify(p)), PartitionKey: p.logStream }));
    expect(
      (await kinesis.send(new PutRecordsCommand({ StreamName: names.centralStream, Records: entries })))
        .FailedRecordCount,
    ).toBe(0);
    const consume = async () => {
      // A fresh reader starts at TRIM_HORIZON: the second call is a replay of the whole stream.
      const records = (await new StreamReader(kinesis, names.centralStream).read()).map((r) => r.record);
      expect(records).toHaveLength(payloads.length);
      expect((await handler(toKinesisStreamEvent(records, streamArn, region))).batchItemFailures).toEqual([]);
    };
    await consume();
    const ids = await indexedIds();
    expect(ids.sort()).toEqual(expectedIds);
    const rejected = await new S3Client({}).send(
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
});
