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
import { TrustTable, trustedSourcesFromConfig } from '../../contracts/trusted-sources';
import { cwlPayload, realCloudTrailEvents } from '../../local/corpus';
import { documentId, normalizePayload } from '../../functions/shared/normalize';
import type { SearchClient } from '../../functions/shared/opensearch/client';
import {
  analyst,
  deploySearch,
  personAs,
  refreshAsOperator,
  searchAs,
  type SearchDeployment,
} from '../../local/scenario/search';
import { auditConfig } from '../../functions/opensearch-setup/setup';
import { signedSearchClient } from '../../functions/shared/opensearch/client';
import type { Organization } from '../../local/scenario/organization';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
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
let org: Organization;

/** The indices, as the break-glass role lists them (a reader may not: it only reads documents). */
async function indices(): Promise<string[]> {
  const operator = await personAs(org, opensearch, config.breakGlassRoleArn);
  const res = await operator.request('GET', '/_cat/indices/logwarden-ocsf-*?format=json&h=index');
  return (res.body as { index: string }[]).map((i) => i.index);
}

async function indexedIds(): Promise<string[]> {
  await refreshAsOperator(org, opensearch);
  const res = await search.request(
    'POST',
    '/logwarden-ocsf-*/_search',
    JSON.stringify({ size: 10000, _source: false, query: { match_all: {} } }),
  );
  return (res.body as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id);
}

/** Each indexed document's log group and line. */
async function indexedLines(): Promise<{ log_name: string; raw_data: string }[]> {
  // A reader may not refresh (the security plugin answers 403): the operator does, as above.
  await refreshAsOperator(org, opensearch);
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
  org = await emulateOrganization(moto.endpoint, { members: [], config });
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
    // The event source mapping reads with the indexer’s role.
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
    const trail = { name: names.trailLogGroup, account: config.accounts.securityTooling };
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
    await refreshAsOperator(org, opensearch);
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

/**
 * Fine-grained access control on the local node, as the stack's setup configured it (issue 22 §5,
 * issue 24: "a reader cannot write ... and a writer cannot read"). Every principal signs as an
 * IAM principal of the stand-in; the gateway maps it as Amazon OpenSearch Service does
 * (Developer Guide, "Fine-grained access control", Mapping roles to users: "Specify backend
 * roles and IAM role ARNs in the External identities section").
 */
describe('fine-grained access control on the local node', () => {
  const doc = async () => {
    const id = (await indexedIds())[0];
    const res = await search.request(
      'POST',
      '/logwarden-ocsf-*/_search',
      JSON.stringify({ query: { ids: { values: [id] } } }),
    );
    const hit = (res.body as { hits: { hits: { _index: string; _id: string }[] } }).hits.hits[0];
    return { index: hit._index, id: hit._id };
  };
  const refused = (res: { status: number; body: unknown }, action: RegExp) =>
    expect({ status: res.status, body: JSON.stringify(res.body) }).toEqual({
      status: 403,
      body: expect.stringMatching(action),
    });
  const bulkItemStatus = (res: { status: number; body: unknown }) =>
    res.status === 200
      ? (res.body as { items: Record<string, { status: number }>[] }).items.map(
          (i) => Object.values(i)[0].status,
        )
      : [res.status];

  it('unsigned, badly signed, tampered, expired and mis-scoped requests are refused before the node', async () => {
    // Unsigned: the domain's access policy names IAM principals, so AWS requires SigV4 (Developer
    // Guide, fine-grained access control: "clients must send signed requests using AWS Signature
    // Version 4").
    const unsigned = await fetch(`${opensearch.endpoint}/logwarden-ocsf-*/_search`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toMatch(/anonymous is not authorized to perform: es:ESHttpGet/);
    // The IAM User Guide, "Create a signed AWS API request": "AWS then replicates this process
    // and verifies the signature, granting or denying access accordingly".
    const reader = await org.admin(org.logArchive); // any real session of the stand-in
    const wrongSecret = signedSearchClient({
      endpoint: opensearch.endpoint,
      region,
      credentials: async () => ({ ...reader, secretAccessKey: 'not-the-secret' }),
    });
    refused(await wrongSecret.request('GET', '/_cluster/health'), /signature we calculated does not match/);
    const otherRegion = signedSearchClient({
      endpoint: opensearch.endpoint,
      region: 'us-east-1',
      credentials: async () => reader,
    });
    refused(await otherRegion.request('GET', '/_cluster/health'), /scoped to a valid region/);
    const signer = new SignatureV4({ service: 'es', region, credentials: reader, sha256: Sha256 });
    const url = new URL(opensearch.endpoint);
    const unsignedRequest = (body: string) =>
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: '/logwarden-ocsf-*/_search',
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
    // A body changed after signing.
    const signed = await signer.sign(unsignedRequest('{"size":0}'));
    const tampered = await fetch(`${opensearch.endpoint}/logwarden-ocsf-*/_search`, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body: '{"size":10000}',
    });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toMatch(/x-amz-content-sha256/);
    // Signed 20 minutes ago: AWS accepts 15 minutes of skew.
    const old = await signer.sign(unsignedRequest('{}'), { signingDate: new Date(Date.now() - 20 * 60_000) });
    const expired = await fetch(`${opensearch.endpoint}/logwarden-ocsf-*/_search`, {
      method: 'POST',
      headers: old.headers as Record<string, string>,
      body: '{}',
    });
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/Signature expired/);
  });

  it('the writer (the indexer’s role) adds documents and can neither read, delete, update nor monitor', async () => {
    const writer = searchAs(org, opensearch, indexer.credentials);
    const { index, id } = await doc();
    refused(
      await writer.request('POST', '/logwarden-ocsf-*/_search', '{}'),
      /no permissions for \[indices:data\/read\/search\]/,
    );
    refused(
      await writer.request('GET', `/${index}/_doc/${id}`),
      /no permissions for \[indices:data\/read\/get\]/,
    );
    refused(await writer.request('DELETE', `/${index}`), /no permissions for \[indices:admin\/delete\]/);
    refused(
      await writer.request('GET', '/_cluster/health'),
      /no permissions for \[cluster:monitor\/health\]/,
    );
    refused(
      await writer.request('PUT', `/${index}/_mapping`, '{"properties":{}}'),
      /no permissions for \[indices:admin\/mapping\/put\]/,
    );
    const bulk = (line: object, source?: object) =>
      writer.request(
        'POST',
        '/_bulk',
        [line, ...(source ? [source] : [])].map((l) => JSON.stringify(l)).join('\n') + '\n',
        'application/x-ndjson',
      );
    expect(bulkItemStatus(await bulk({ delete: { _index: index, _id: id } }))).toEqual([403]);
    expect(
      bulkItemStatus(await bulk({ update: { _index: index, _id: id } }, { doc: { message: 'rewritten' } })),
    ).toEqual([403]);
    // The document is still there, unchanged.
    const after = await search.request('GET', `/${index}/_doc/${id}`);
    expect((after.body as { found: boolean }).found).toBe(true);
    expect(JSON.stringify(after.body)).not.toContain('rewritten');
  });

  it('a reader (a configured reader role) reads and writes nothing', async () => {
    const { index, id } = await doc();
    expect((await search.request('GET', `/${index}/_doc/${id}`)).status).toBe(200);
    refused(
      await search.request('PUT', '/logwarden-ocsf-2000.01.01'),
      /no permissions for \[indices:admin\/create\]/,
    );
    refused(
      await search.request('DELETE', `/${index}/_doc/${id}`),
      /no permissions for \[indices:data\/write\/delete\]/,
    );
    refused(await search.request('DELETE', `/${index}`), /no permissions for \[indices:admin\/delete\]/);
    refused(
      await search.request(
        'POST',
        '/_bulk',
        `${JSON.stringify({ create: { _index: index, _id: 'by-reader' } })}\n{}\n`,
        'application/x-ndjson',
      ),
      /no permissions for \[indices:data\/write\/bulk\]/,
    );
    refused(
      await search.request('PUT', '/_index_template/by-reader', '{"index_patterns":["x*"]}'),
      /no permissions for \[indices:admin\/index_template\/put\]/,
    );
  });

  it('a principal of the account that no role maps gets nothing', async () => {
    const unmapped = searchAs(org, opensearch, await org.admin(org.logArchive));
    const who = await unmapped.request('GET', '/_plugins/_security/authinfo');
    expect(who.status).toBe(200);
    expect((who.body as { user_name: string; roles: string[] }).roles).toEqual([]);
    expect((who.body as { user_name: string }).user_name).toBe(
      `arn:aws:iam::${org.logArchive}:role/OrganizationAccountAccessRole`,
    );
    refused(
      await unmapped.request('POST', '/logwarden-ocsf-*/_search', '{}'),
      /no permissions for \[indices:data\/read\/search\]/,
    );
    refused(await unmapped.request('GET', '/'), /no permissions for \[cluster:monitor\/main\]/);
    refused(
      await unmapped.request('GET', '/_plugins/_security/api/rolesmapping'),
      /No permission to access REST API: User arn:aws:iam::\d+:role\/OrganizationAccountAccessRole with Security roles \[\]/,
    );
  });

  it('the audit configuration is applied: a reader’s search is audited, the writers’ bulk requests are not', async () => {
    const breakGlass = await personAs(org, opensearch, org.config.breakGlassRoleArn);
    const writers = deployment.properties.WriterRoleArns as string[];
    const applied = await breakGlass.request('GET', '/_plugins/_security/api/audit');
    expect(applied.status).toBe(200);
    expect((applied.body as { config: unknown }).config).toMatchObject(auditConfig(writers));
    const readerArn = config.openSearch.readerRoleArns[0];
    const marker = `audit-probe-${Date.now()}`;
    await search.request(
      'POST',
      '/logwarden-ocsf-*/_search',
      JSON.stringify({ query: { term: { 'metadata.uid': marker } } }),
    );
    await searchAs(org, opensearch, indexer.credentials).request(
      'POST',
      '/_bulk',
      '{"create":{"_index":"logwarden-ocsf-2000.01.01","_id":"audit-probe"}}\n{}\n',
      'application/x-ndjson',
    );
    const events = async () => {
      await breakGlass.request('POST', '/security-auditlog-*/_refresh');
      const res = await breakGlass.request(
        'POST',
        '/security-auditlog-*/_search',
        JSON.stringify({
          size: 1000,
          query: { match_all: {} },
          _source: ['audit_request_effective_user', 'audit_category'],
        }),
      );
      return ((res.body as { hits?: { hits: { _source: Record<string, string> }[] } }).hits?.hits ?? []).map(
        (h) => h._source,
      );
    };
    let found: Record<string, string>[] = [];
    for (let i = 0; i < 40 && !found.some((e) => e.audit_request_effective_user === readerArn); i++) {
      await new Promise((r) => setTimeout(r, 250));
      found = await events();
    }
    expect(
      found.some(
        (e) => e.audit_request_effective_user === readerArn && e.audit_category === 'GRANTED_PRIVILEGES',
      ),
    ).toBe(true);
    expect(found.filter((e) => writers.includes(e.audit_request_effective_user))).toEqual([]);
  });

  it('the setup run again on the real node writes nothing', async () => {
    expect(await deployment.again()).toBe(
      'ISM not available on this node: policy logwarden-ocsf-retention not installed (not emulated)',
    );
  });
});
