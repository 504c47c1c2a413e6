/**
 * The Security Lake writer: every new archive object's documents of the custom sources' classes
 * written, one Parquet object a partition, under the sources' locations, as the sources'
 * provider roles; nothing lost, and a redelivered message writes the same objects again.
 * Security Lake User Guide, "Collecting data from custom sources in Security Lake".
 */
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
// fromTemporaryCredentials (functions/shared/clients.ts assumedRoleCredentials) calls STS with
// the credential providers' own STS client, so that is the one mocked.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  customLogSourceNameMaxLength,
  providerRoleName,
  securityLakeClasses,
  securityLakeClassOf,
  securityLakePartitionOf,
} from '../../../contracts/security-lake';
import { documentsToParquet, parquetToDocuments } from '../../../functions/shared/lake-parquet';
import { securityLakeParquetToDocuments } from '../../../functions/shared/security-lake-parquet';
import {
  archiveDocuments,
  writeArchiveObject,
  type SecurityLakeWriterDeps,
} from '../../../functions/security-lake-writer/security-lake-writer';
import { depsFromEnv, makeHandler, writerSessionName } from '../../../functions/security-lake-writer/handler';
import { inFunctionEnvironment } from '../../../functions/shared/clients';
import { corpusDocuments } from '../../ocsf/corpus-documents';
import { sortedJson } from '../../fixtures/sorted-json';

const s3Mock = mockClient(S3Client);
const stsMock = mockClient(STSClient);
const ARCHIVE = 'logwarden-archive-222222222222-eu-west-1';
const LAKE = 'aws-security-data-lake-eu-west-1-abcdefghijklmnopqrstuvwxyz1234';
const KEY = 'ocsf/source=mixed/date=2024-11-28/logwarden-central-1-2024-11-28-13-20-00-abc.parquet';

type Doc = Record<string, unknown> & {
  class_uid: number;
  time: number;
  metadata: { uid: string };
  cloud?: { region?: string; account?: { uid?: string } };
};
/** The corpus as the archive holds it: what the lake's columns keep of each document. */
const corpus = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as Doc);
/** A document as JSON with its keys sorted: the Security Lake reader returns attributes in its schema's order. */
const canonical = sortedJson;
let archived: Doc[];
let archiveObject: Uint8Array;
/**
 * A smaller archive object (two documents of each class taken, with a partition) for what does
 * not need the whole corpus: each OCSF-shaped object carries its class's ~800-1,500 columns, so
 * writing the corpus's 128 objects costs seconds, once is enough (the first test).
 */
let sampleObject: Uint8Array;

beforeAll(async () => {
  archiveObject = documentsToParquet(corpus);
  archived = (await parquetToDocuments(archiveObject)) as Doc[];
  const sample = securityLakeClasses.flatMap((c) =>
    archived
      .filter((d) => d.class_uid === c.classUid && !('skipped' in securityLakePartitionOf(d, 'eu-west-1')))
      .slice(0, 2),
  );
  expect(new Set(sample.map((d) => d.class_uid)).size).toBe(securityLakeClasses.length);
  sampleObject = documentsToParquet(sample);
});

function serve(bytes: Uint8Array, key = KEY) {
  s3Mock.on(GetObjectCommand, { Bucket: ARCHIVE, Key: key }).callsFake(() => ({
    Body: { transformToByteArray: async () => bytes },
  }));
}

const lakeClients: string[] = [];
const deps = (): SecurityLakeWriterDeps => ({
  s3: new S3Client({ region: 'eu-west-1' }),
  archiveBucket: ARCHIVE,
  dataLakeBucket: LAKE,
  lakeRegion: 'eu-west-1',
  lakeS3For: (source) => {
    lakeClients.push(source);
    return new S3Client({ region: 'eu-west-1' });
  },
});

const puts = (bucket: string): PutObjectCommandInput[] =>
  s3Mock
    .commandCalls(PutObjectCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.Bucket === bucket);

beforeEach(() => {
  s3Mock.reset();
  stsMock.reset();
  lakeClients.length = 0;
  s3Mock.on(PutObjectCommand).resolves({});
});

describe('writeArchiveObject', () => {
  it('every archived document of a class Security Lake takes, with a partition, is in exactly one Security Lake object of its partition; counted per class, nothing lost', async () => {
    serve(archiveObject);
    const outcome = await writeArchiveObject(deps(), { bucket: ARCHIVE, key: KEY });

    // Documents as their JSON text: the corpus repeats some events (same metadata.uid), so the
    // comparison is of multisets of whole documents, per source.
    const expected = new Map<string, string[]>();
    let unfiled = 0;
    for (const d of archived) {
      const cls = securityLakeClassOf(d.class_uid);
      if (!cls) continue;
      if ('skipped' in securityLakePartitionOf(d, 'eu-west-1')) unfiled++;
      else expected.set(cls.sourceName, [...(expected.get(cls.sourceName) ?? []), canonical(d)]);
    }
    expect(expected.size).toBeGreaterThan(1);

    const found = new Map<string, string[]>();
    for (const put of puts(LAKE)) {
      // "Objects should be prefixed with source location/region=region/accountId=accountID/eventDay=yyyyMMdd/".
      const m =
        /^ext\/([^/]+)\/region=([a-z0-9-]+)\/accountId=(\d{12})\/eventDay=(\d{8})\/logwarden-[0-9a-f]{32}\.parquet$/.exec(
          put.Key!,
        );
      expect(m).not.toBeNull();
      const [, source, region, account, day] = m!;
      const docs = (await securityLakeParquetToDocuments(put.Body as Uint8Array)) as Doc[];
      // "The same OCSF event class should apply to each record within a Parquet-formatted object."
      const cls = securityLakeClasses.find((c) => c.sourceName === source)!;
      expect(new Set(docs.map((d) => d.class_uid))).toEqual(new Set([cls.classUid]));
      // "region – AWS Region to which the data is uploaded": the lake's.
      expect(region).toBe('eu-west-1');
      for (const d of docs) {
        expect(d.cloud?.account?.uid).toBe(account);
        expect(new Date(d.time).toISOString().slice(0, 10).replace(/-/g, '')).toBe(day);
      }
      // "Within each Parquet-formatted object, records should be ordered by time."
      expect(docs.map((d) => d.time)).toEqual([...docs.map((d) => d.time)].sort((a, b) => a - b));
      found.set(source, [...(found.get(source) ?? []), ...docs.map((d) => canonical(d))]);
    }
    for (const list of [...expected.values(), ...found.values()]) list.sort();
    expect(found).toEqual(expected);
    expect(outcome.written).toEqual(Object.fromEntries([...expected].map(([k, v]) => [k, v.length])));
    expect(outcome.documents).toBe(archived.length);
    expect(outcome.notSent).toBe(archived.filter((d) => !securityLakeClassOf(d.class_uid)).length);
    expect(outcome.rejected).toBe(unfiled);
    expect(outcome.objects).toBe(puts(LAKE).length);
    // Each write goes through its own source's client (its provider role).
    expect(new Set(lakeClients)).toEqual(new Set(found.keys()));
  });

  it('a redelivered message writes the same keys with the same bytes (overwrite, never a second copy)', async () => {
    serve(sampleObject);
    await writeArchiveObject(deps(), { bucket: ARCHIVE, key: KEY });
    const first = puts(LAKE).map((p) => [p.Key, Buffer.from(p.Body as Uint8Array).toString('base64')]);
    s3Mock.resetHistory();
    await writeArchiveObject(deps(), { bucket: ARCHIVE, key: KEY });
    const second = puts(LAKE).map((p) => [p.Key, Buffer.from(p.Body as Uint8Array).toString('base64')]);
    expect(second).toEqual(first);
    expect(new Set(first.map(([k]) => k)).size).toBe(first.length);
  });

  it('another archive object writes other keys', async () => {
    const other = KEY.replace('-abc.parquet', '-def.parquet');
    serve(sampleObject);
    serve(sampleObject, other);
    await writeArchiveObject(deps(), { bucket: ARCHIVE, key: KEY });
    const a = new Set(puts(LAKE).map((p) => p.Key));
    s3Mock.resetHistory();
    await writeArchiveObject(deps(), { bucket: ARCHIVE, key: other });
    for (const p of puts(LAKE)) expect(a.has(p.Key)).toBe(false);
  });

  it("a document of a class Security Lake takes but with no account is kept under the archive's rejected/ prefix, whole, and counted", async () => {
    const api = archived.find((d) => d.class_uid === 6003)!;
    const orphan = { ...api, cloud: { region: 'eu-west-1', account: { uid: 'not-an-account' } } };
    serve(documentsToParquet([api, orphan]));
    const outcome = await writeArchiveObject(deps(), { bucket: ARCHIVE, key: KEY });
    expect(outcome.rejected).toBe(1);
    const kept = puts(ARCHIVE);
    expect(kept).toHaveLength(1);
    expect(kept[0].Key).toMatch(/^rejected\/\d{4}-\d{2}-\d{2}\/security-lake\/[0-9a-f]{32}\.json$/);
    const body = JSON.parse(kept[0].Body as string) as { documents: { document: Doc; reason: string }[] };
    expect(body.documents).toEqual([
      { reason: 'cloud.account.uid is not an AWS account id', document: orphan },
    ]);
    expect(puts(LAKE)).toHaveLength(1);
  });

  it('a failed write throws: the message comes back (and after its receives, waits in the dead-letter queue)', async () => {
    serve(sampleObject);
    s3Mock.on(PutObjectCommand, { Bucket: LAKE }).rejects(new Error('AccessDenied'));
    await expect(writeArchiveObject(deps(), { bucket: ARCHIVE, key: KEY })).rejects.toThrow('AccessDenied');
  });

  it('reads a JSON archive object too, gzip or not', async () => {
    const ndjson = archived.map((d) => JSON.stringify(d)).join('\n') + '\n';
    expect(await archiveDocuments(Buffer.from(ndjson))).toEqual(archived);
    expect(await archiveDocuments(gzipSync(ndjson))).toEqual(archived);
  });
});

describe('the handler', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    ARCHIVE_BUCKET: ARCHIVE,
    DATA_LAKE_BUCKET: LAKE,
    EXTERNAL_ID: 'logwarden-o-exampleorgid',
    PROVIDER_ROLE_ARN_PREFIX: 'arn:aws:iam::222222222222:role/',
    AWS_ACCESS_KEY_ID: 'AKIAFUNCTION',
    AWS_SECRET_ACCESS_KEY: 'secret',
  };
  const created = (key: string) => ({
    messageId: key,
    body: JSON.stringify({
      'detail-type': 'Object Created',
      detail: { bucket: { name: ARCHIVE }, object: { key } },
    }),
  });

  it('writes as the provider role Security Lake created for the source, assumed with the external id', async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAPROVIDER',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    // The function's own credentials are its environment's (functions/shared/clients.ts).
    const d = inFunctionEnvironment(env, () => depsFromEnv(env));
    for (const c of securityLakeClasses) {
      stsMock.resetHistory();
      // The client's credentials, as the SDK resolves them before signing a request.
      const client = inFunctionEnvironment(env, () => d.lakeS3For(c.sourceName));
      const credentials = await client.config.credentials();
      expect(credentials.accessKeyId).toBe('ASIAPROVIDER');
      const calls = stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input);
      expect(calls).toHaveLength(1);
      // "The name of the role follows the format AmazonSecurityLake-Provider-{name of the custom source}-{region}".
      expect(calls[0]).toEqual({
        RoleArn: `arn:aws:iam::222222222222:role/${providerRoleName(c.sourceName, 'eu-west-1')}`,
        RoleSessionName: writerSessionName,
        ExternalId: 'logwarden-o-exampleorgid',
        DurationSeconds: 900,
      });
      // One client a source, built once.
      expect(d.lakeS3For(c.sourceName)).toBe(client);
    }
  });

  it('reports a message it could not write as a batch item failure, and the others as done', async () => {
    const other = KEY.replace('-abc.parquet', '-def.parquet');
    serve(sampleObject);
    serve(sampleObject, other);
    const failing = new S3Client({ region: 'eu-west-1' });
    s3Mock.on(PutObjectCommand, { Bucket: LAKE }).callsFake((input: PutObjectCommandInput) => {
      if (input.Metadata?.['logwarden-archive-key'] === KEY) throw new Error('AccessDenied');
      return {};
    });
    const d = {
      s3: new S3Client({ region: 'eu-west-1' }),
      archiveBucket: ARCHIVE,
      dataLakeBucket: LAKE,
      lakeRegion: 'eu-west-1',
      lakeS3For: () => failing,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'logwarden', serviceName: 'logwarden-security-lake-writer' }),
    };
    const res = await makeHandler(d)({
      Records: [created(KEY), created(other), { messageId: 'bad', body: '{"detail-type":"Object Deleted"}' }],
    } as unknown as SQSEvent);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad', KEY]);
  });
});

describe('the custom sources', () => {
  it('"You must use a CustomLogSource name that is shorter than or equal to 20 characters", so the provider role name stays under 64', () => {
    for (const c of securityLakeClasses) {
      expect(c.sourceName.length).toBeLessThanOrEqual(customLogSourceNameMaxLength);
      expect(providerRoleName(c.sourceName, 'ap-southeast-2').length).toBeLessThanOrEqual(64);
    }
  });
});
