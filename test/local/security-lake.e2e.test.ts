/**
 * The Security Lake writer on the stand-ins: the central stack's writer, with the environment and
 * execution role of the synthesized template (its policies created in the stand-in's IAM, which
 * enforces them), Security Lake's bucket and provider roles as CreateCustomLogSource leaves them
 * (local/security-lake.ts), and the corpus archived as Firehose's conversion writes it. Every
 * archived document of a class Security Lake takes, with a partition, must be in the Security
 * Lake objects, read back with hyparquet: counted per class, none lost, none twice, each object
 * in the OCSF shape of its class (functions/shared/security-lake-parquet.ts).
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { gunzipSync } from 'node:zlib';
import {
  securityLakeClasses,
  securityLakeClassOf,
  securityLakePartitionOf,
} from '../../contracts/security-lake';
import type { CfnTemplate } from '../../local/asl';
import { resolveDocument, type DeployedStack } from '../../local/deployment';
import { rootIamDeployer } from '../../local/emulated-org';
import { documentsToParquet, parquetToDocuments } from '../../local/lake-parquet';
import {
  securityLakeParquetSchema,
  securityLakeParquetToDocuments,
} from '../../functions/shared/security-lake-parquet';
import { startMoto, type Moto } from '../../local/moto';
import { emulateCustomLogSources } from '../../local/security-lake';
import { asRoot, serviceCredentials } from '../../local/standins/prerequisites';
import { functionHandler, templateFunctions, type FunctionResource } from '../../local/template-functions';
import { corpusDocuments } from '../ocsf/corpus-documents';
import { buildExample, exampleConfig, exampleConfigRaw } from '../stacks/example-app';
import { sortedJson } from '../fixtures/sorted-json';

jest.setTimeout(600_000);

const LAKE_BUCKET = 'aws-security-data-lake-eu-west-1-abcdefghijklmnopqrstuvwxyz1234';
const EXTERNAL_ID = 'logwarden-o-exampleorgid';
const config = exampleConfig({
  archive: {
    ...(exampleConfigRaw().archive as object),
    securityLake: { externalId: EXTERNAL_ID, bucket: LAKE_BUCKET },
  },
});
const region = config.homeRegion;
const account = config.accounts.logArchive;
const today = new Date().toISOString().slice(0, 10);
const KEY = `ocsf/source=mixed/date=${today}/logwarden-central-1-${today}-13-20-00-abc.parquet`;

type Doc = Record<string, unknown> & { class_uid: number; time: number };

let moto: Moto;
let writer: FunctionResource;
let archived: Doc[];
let archiveBucket: string;
let s3: S3Client;

const created = (key: string) =>
  ({
    Records: [
      {
        messageId: key,
        body: JSON.stringify({
          'detail-type': 'Object Created',
          source: 'aws.s3',
          detail: { bucket: { name: archiveBucket }, object: { key } },
        }),
      },
    ],
  }) as unknown as SQSEvent;

async function run(fn: FunctionResource, event: SQSEvent): Promise<SQSBatchResponse> {
  const credentials = await serviceCredentials(moto.endpoint, fn.roleArn, 'lambda.amazonaws.com');
  return (await functionHandler(fn, credentials)(event)) as SQSBatchResponse;
}

/** A Parquet schema element's shape: what the OCSF columns decide. */
type Shape = Pick<SchemaShape, 'name' | 'type' | 'converted_type' | 'repetition_type' | 'num_children'>;
interface SchemaShape {
  name: string;
  type?: string;
  converted_type?: string;
  repetition_type?: string;
  num_children?: number;
}
const shape = (e: SchemaShape): Shape => ({
  name: e.name,
  type: e.type,
  converted_type: e.converted_type,
  repetition_type: e.repetition_type,
  num_children: e.num_children,
});

/** The keys in Security Lake's bucket, sorted. */
async function lakeKeys(): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LAKE_BUCKET, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function lakeObjects(): Promise<{ key: string; docs: Doc[]; schema: Shape[] }[]> {
  const out: { key: string; docs: Doc[]; schema: Shape[] }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LAKE_BUCKET, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const res = await s3.send(new GetObjectCommand({ Bucket: LAKE_BUCKET, Key: o.Key }));
      const bytes = await res.Body!.transformToByteArray();
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      // Readable by hyparquet as it is, without logwarden's reader.
      const rows = (await parquetReadObjects({
        file,
        compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) },
      })) as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(0);
      out.push({
        key: o.Key!,
        docs: (await securityLakeParquetToDocuments(bytes)) as Doc[],
        schema: (parquetMetadata(file).schema as SchemaShape[]).map(shape),
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

/** A document as JSON with its keys sorted: the Security Lake reader returns attributes in its schema's order. */
const canonical = sortedJson;

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: region,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const template = Template.fromStack(buildExample(config).central).toJSON() as CfnTemplate;
  const stack: DeployedStack = { stackName: 'LogwardenCentral', account, region, template };
  writer = templateFunctions(template, region, account).find((f) => f.name === 'security-lake-writer')!;
  archiveBucket = writer.environment.ARCHIVE_BUCKET;

  // The writer's execution role and its policies, as CloudFormation creates them from the template.
  const iam = rootIamDeployer(moto.endpoint);
  const roleName = writer.roleArn.split(':role/')[1];
  const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
  const [writerRoleId, writerRole] = roles.find(
    ([id]) => resolveDocument(stack, { 'Fn::GetAtt': [id, 'Arn'] }) === writer.roleArn,
  )!;
  await iam.createRole(
    account,
    roleName,
    JSON.stringify(resolveDocument(stack, writerRole.Properties!.AssumeRolePolicyDocument)),
  );
  for (const [, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const p = r.Properties as { PolicyName: string; PolicyDocument: unknown; Roles: unknown[] };
    if (!p.Roles.some((x) => JSON.stringify(x) === JSON.stringify({ Ref: writerRoleId }))) continue;
    await iam.putRolePolicy(
      account,
      roleName,
      p.PolicyName,
      JSON.stringify(resolveDocument(stack, p.PolicyDocument)),
    );
  }

  s3 = asRoot(S3Client, moto.endpoint, account, region);
  await s3.send(
    new CreateBucketCommand({
      Bucket: archiveBucket,
      CreateBucketConfiguration: { LocationConstraint: region as never },
    }),
  );
  await emulateCustomLogSources(moto.endpoint, {
    account,
    region,
    bucket: LAKE_BUCKET,
    externalId: EXTERNAL_ID,
  });

  // The corpus as the archive holds it: one Parquet object of the lake's columns.
  const docs = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as Doc);
  const body = documentsToParquet(docs);
  archived = (await parquetToDocuments(body)) as Doc[];
  await s3.send(new PutObjectCommand({ Bucket: archiveBucket, Key: KEY, Body: body }));
});

afterAll(async () => {
  await moto?.stop();
});

describe('the Security Lake writer on the stand-ins', () => {
  it("refuses to write with another external id: the provider role's trust requires it", async () => {
    const wrong = { ...writer, environment: { ...writer.environment, EXTERNAL_ID: 'not-the-external-id' } };
    const res = await run(wrong, created(KEY));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: KEY }]);
    expect(await lakeObjects()).toEqual([]);
  });

  it("every archived document of a class Security Lake takes is in its source's objects: counted per class, none lost, none twice; Parquet hyparquet reads", async () => {
    const res = await run(writer, created(KEY));
    expect(res.batchItemFailures).toEqual([]);

    const expected = new Map<string, string[]>();
    const unfiled: string[] = [];
    for (const d of archived) {
      const cls = securityLakeClassOf(d.class_uid);
      if (!cls) continue;
      if ('skipped' in securityLakePartitionOf(d, region)) {
        unfiled.push(JSON.stringify(d));
        continue;
      }
      expected.set(cls.sourceName, [...(expected.get(cls.sourceName) ?? []), canonical(d)]);
    }
    const objects = await lakeObjects();
    const found = new Map<string, string[]>();
    for (const o of objects) {
      const source = new RegExp(
        `^ext/([^/]+)/region=${region}/accountId=\\d{12}/eventDay=\\d{8}/[^/]+\\.parquet$`,
      ).exec(o.key)![1];
      const cls = securityLakeClasses.find((c) => c.sourceName === source)!;
      expect(new Set(o.docs.map((d) => d.class_uid))).toEqual(new Set([cls.classUid]));
      // OCSF-shaped: the class's schema derived from the compiled OCSF schema (security-lake-parquet.test.ts).
      expect(o.schema).toEqual(securityLakeParquetSchema(cls.classUid).map(shape));
      found.set(source, [...(found.get(source) ?? []), ...o.docs.map((d) => canonical(d))]);
    }
    for (const list of [...expected.values(), ...found.values()]) list.sort();
    expect([...found.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [source, list] of expected)
      expect({ source, n: found.get(source)!.length }).toEqual({ source, n: list.length });
    expect(found).toEqual(expected);

    // The documents of a taken class without a partition (the corpus has some with malformed
    // account ids) are kept whole in the archive's rejected/ prefix.
    const kept = await s3.send(new ListObjectsV2Command({ Bucket: archiveBucket, Prefix: 'rejected/' }));
    const rejected: string[] = [];
    for (const o of kept.Contents ?? []) {
      const res = await s3.send(new GetObjectCommand({ Bucket: archiveBucket, Key: o.Key }));
      const body = JSON.parse(await res.Body!.transformToString()) as { documents: { document: Doc }[] };
      rejected.push(...body.documents.map((d) => JSON.stringify(d.document)));
    }
    expect(unfiled.length).toBeGreaterThan(0);
    expect(rejected.sort()).toEqual(unfiled.sort());
  });

  it('a redelivered message overwrites the same objects: no second copy', async () => {
    // A smaller archive object than the corpus's (one document of each class taken, with a
    // partition): what is compared is the keys, and each OCSF-shaped object costs its columns.
    const sample = securityLakeClasses.map((c) =>
      archived.find((d) => d.class_uid === c.classUid && !('skipped' in securityLakePartitionOf(d, region)))!,
    );
    const sampleKey = KEY.replace('-abc.parquet', '-sample.parquet');
    await s3.send(
      new PutObjectCommand({ Bucket: archiveBucket, Key: sampleKey, Body: documentsToParquet(sample) }),
    );
    expect((await run(writer, created(sampleKey))).batchItemFailures).toEqual([]);
    const before = await lakeKeys();
    const res = await run(writer, created(sampleKey));
    expect(res.batchItemFailures).toEqual([]);
    expect(await lakeKeys()).toEqual(before);
  });
});
