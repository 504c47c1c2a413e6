/**
 * The lake on the engine Athena runs: Trino 476 (Athena engine version 3 is Trino) with its Hive
 * connector on moto's Glue and S3, the table created from the synthesized central template, the
 * corpus archived as Firehose's conversion writes it (local/lake-parquet.ts), and every named
 * query of contracts/lake.ts run with its parameters and checked against the documents.
 */
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { namedQueries, type NamedQuery } from '../../contracts/lake';
import type { OcsfDocument } from '../../functions/shared/ocsf/document';
import { sourceKindOf } from '../../functions/shared/normalize';
import { documentsToParquet } from '../../local/lake-parquet';
import { startMoto, type Moto } from '../../local/moto';
import { rootAccessKey } from '../../local/standins/prerequisites';
import { runNamedQuery, startTrino, type LocalTrino } from '../../local/trino';
import { corpusDocuments } from '../ocsf/corpus-documents';
import { buildExample, exampleConfig } from '../stacks/example-app';

jest.setTimeout(600_000);

const config = exampleConfig();
const region = config.homeRegion;
const credentials = { accessKeyId: rootAccessKey, secretAccessKey: 'not-a-secret' };
/** The transform files an event older than its ingestion window under its arrival day: today. */
const today = new Date().toISOString().slice(0, 10);
/** As the archive holds them: serialized by the transform, parsed back. */
const docs = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as OcsfDocument);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const get = (doc: OcsfDocument, p: string): unknown =>
  p.split('.').reduce<Loose>((o, k) => (o === undefined || o === null ? undefined : o[k]), doc);
const query = (name: string): NamedQuery => namedQueries.find((q) => q.name === name)!;

let moto: Moto;
let trino: LocalTrino;

beforeAll(async () => {
  const template = Template.fromStack(buildExample(config).central).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Loose }>;
  };
  const of = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
  const [database] = of('AWS::Glue::Database');
  const [table] = of('AWS::Glue::Table');
  const bucket = /^s3:\/\/([^/]+)\//.exec(table.Properties.TableInput.StorageDescriptor.Location)![1];

  moto = await startMoto();
  const endpoint = moto.endpoint;
  const s3 = new S3Client({ region, endpoint, forcePathStyle: true, credentials });
  const glue = new GlueClient({ region, endpoint, credentials });
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region as never },
    }),
  );
  // What CloudFormation does with the template's AWS::Glue::Database and AWS::Glue::Table: their
  // DatabaseInput and TableInput are the CreateDatabase and CreateTable inputs.
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: database.Properties.DatabaseInput }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: table.Properties.DatabaseName,
      TableInput: table.Properties.TableInput,
    }),
  );
  // The corpus archive: one Parquet object a source, where Firehose's prefix puts it.
  const bySource = new Map<string, OcsfDocument[]>();
  for (const doc of docs) bySource.set(sourceKindOf(doc), [...(bySource.get(sourceKindOf(doc)) ?? []), doc]);
  for (const [source, group] of bySource)
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `ocsf/source=${source}/date=${today}/logwarden-archive-1-corpus.parquet`,
        Body: documentsToParquet(group as unknown as Record<string, unknown>[]),
      }),
    );
  trino = await startTrino({ endpoint, region, credentials });
});

afterAll(async () => {
  await trino?.stop();
  await moto?.stop();
});

const sorted = <T>(xs: T[]) => [...xs].map((x) => JSON.stringify(x)).sort();

describe('the named queries on Trino (Athena engine v3) over the corpus archive', () => {
  it('every named query runs', async () => {
    for (const q of namedQueries) {
      const params = q.parameters.map((p) => (p.endsWith('day') ? today : 'nobody'));
      await expect(runNamedQuery(trino, q, params)).resolves.toBeInstanceOf(Array);
    }
  });

  it('who-stopped-a-trail: every StopLogging of the archive, who and which trail', async () => {
    const stops = docs.filter((d) => d.class_uid === 6003 && get(d, 'api.operation') === 'StopLogging');
    expect(stops.length).toBeGreaterThan(0);
    const rows = await runNamedQuery(trino, query('who-stopped-a-trail'), [today, today]);
    expect(sorted(rows.map((r) => [r.principal, r.account, r.trail, r.time_dt]))).toEqual(
      sorted(
        stops.map((d) => [
          get(d, 'actor.user.uid') ?? null,
          get(d, 'cloud.account.uid') ?? null,
          get(d, 'api.request.data.name') ?? null,
          d.time_dt,
        ]),
      ),
    );
  });

  it('actions-by-principal: every API call of the principal who stopped a trail, in order', async () => {
    const stop = docs.find((d) => d.class_uid === 6003 && get(d, 'api.operation') === 'StopLogging')!;
    const principal = get(stop, 'actor.user.uid') as string;
    const rows = await runNamedQuery(trino, query('actions-by-principal'), [principal, today, today]);
    const expected = docs
      .filter((d) => [3001, 3002, 6003].includes(d.class_uid) && get(d, 'actor.user.uid') === principal)
      .sort((a, b) => a.time - b.time);
    expect(rows.map((r) => r.time_dt)).toEqual(expected.map((d) => d.time_dt));
    expect(sorted(rows.map((r) => [r.operation, r.status]))).toEqual(
      sorted(expected.map((d) => [get(d, 'api.operation') ?? null, d.status ?? null])),
    );
  });

  const denied = docs.filter((d) => d.class_uid === 4001 && d.action === 'Denied');
  const countBy = (xs: OcsfDocument[], key: (d: OcsfDocument) => unknown[]) => {
    const counts = new Map<string, number>();
    for (const d of xs) counts.set(JSON.stringify(key(d)), (counts.get(JSON.stringify(key(d))) ?? 0) + 1);
    return [...counts].map(([k, n]) => [...(JSON.parse(k) as unknown[]), n]);
  };

  it('top-rejected-sources: the five addresses with the most rejected flows', async () => {
    expect(denied.length).toBeGreaterThan(0);
    const expected = countBy(denied, (d) => [get(d, 'src_endpoint.ip')])
      .sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0])))
      .slice(0, 5);
    const rows = await runNamedQuery(trino, query('top-rejected-sources'), [today, today]);
    expect(rows.map((r) => [r.source_ip, r.flows])).toEqual(expected);
  });

  it('rejected-flows-to-address: the rejected flows to the most rejected address, by source, port and protocol', async () => {
    const [[address]] = countBy(denied, (d) => [get(d, 'dst_endpoint.ip')]).sort(
      (a, b) => (b[1] as number) - (a[1] as number),
    );
    const to = denied.filter((d) => get(d, 'dst_endpoint.ip') === address);
    const rows = await runNamedQuery(trino, query('rejected-flows-to-address'), [
      address as string,
      today,
      today,
    ]);
    expect(sorted(rows.map((r) => [r.source_ip, r.port, r.protocol, r.flows]))).toEqual(
      sorted(
        countBy(to, (d) => [
          get(d, 'src_endpoint.ip'),
          get(d, 'dst_endpoint.port') ?? null,
          get(d, 'connection_info.protocol_name') ?? null,
        ]),
      ),
    );
  });

  it('findings-by-account: GuardDuty findings by account and severity', async () => {
    const findings = docs.filter((d) => d.class_uid === 2004);
    expect(findings.length).toBeGreaterThan(0);
    const rows = await runNamedQuery(trino, query('findings-by-account'), [today, today]);
    expect(sorted(rows.map((r) => [r.account, r.severity, r.findings]))).toEqual(
      sorted(countBy(findings, (d) => [get(d, 'cloud.account.uid') ?? null, d.severity ?? null])),
    );
  });

  it('partition projection prunes: a day outside the archive answers nothing', async () => {
    const rows = await runNamedQuery(trino, query('top-rejected-sources'), ['2000-01-01', '2000-01-02']);
    expect(rows).toEqual([]);
  });
});
