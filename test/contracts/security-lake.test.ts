/**
 * logwarden as an Amazon Security Lake custom source: the layout of its objects and the
 * CreateCustomLogSource requests, against the Security Lake User Guide ("Collecting data from
 * custom sources in Security Lake") and the botocore model of the Security Lake API.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../contracts/config';
import {
  customLogSourceRequests,
  securityLakeClasses,
  securityLakeCrawlerRoleName,
  securityLakeObjects,
} from '../../contracts/security-lake';
import { documentsToParquet, parquetToDocuments } from '../../local/lake-parquet';
import { corpusDocuments } from '../ocsf/corpus-documents';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from '../stacks/example-app';

const docs = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as Record<string, never>);
type Doc = { class_uid: number; time: number; cloud?: { region?: string; account?: { uid?: string } } };

describe('the Security Lake layout of the corpus', () => {
  const { objects, skipped } = securityLakeObjects(docs as unknown as Doc[]);

  it('"deliver each unique Open Cybersecurity Schema Framework (OCSF) event class as a separate source": one source a class', () => {
    expect(new Set(securityLakeClasses.map((c) => c.sourceName)).size).toBe(securityLakeClasses.length);
    expect(new Set(securityLakeClasses.map((c) => c.classUid)).size).toBe(securityLakeClasses.length);
    for (const o of objects)
      expect(new Set(o.docs.map((d) => d.class_uid))).toEqual(
        new Set([securityLakeClasses.find((c) => c.sourceName === o.partition.sourceName)!.classUid]),
      );
  });

  it('"Objects should be partitioned by source location, AWS Region, AWS account, and date": ext/<source>/region=/accountId=/eventDay=YYYYMMDD/', () => {
    expect(objects.length).toBeGreaterThan(1);
    for (const o of objects) {
      expect(o.prefix).toMatch(
        /^ext\/logwarden-[a-z-]+\/region=[a-z0-9-]+\/accountId=\d{12}\/eventDay=\d{8}\/$/,
      );
      for (const d of o.docs) {
        expect(d.cloud?.region).toBe(o.partition.region);
        expect(d.cloud?.account?.uid).toBe(o.partition.accountId);
        expect(new Date(d.time).toISOString().slice(0, 10).replace(/-/g, '')).toBe(o.partition.eventDay);
      }
    }
  });

  it('every document of a class Security Lake takes, with an account and region, is in exactly one object; the rest are counted with the reason', () => {
    const taken = (docs as unknown as Doc[]).filter(
      (d) =>
        securityLakeClasses.some((c) => c.classUid === d.class_uid) &&
        /^\d{12}$/.test(d.cloud?.account?.uid ?? '') &&
        d.cloud?.region,
    );
    const filed = objects.flatMap((o) => o.docs);
    const skippedCount = [...skipped.values()].reduce((a, b) => a + b, 0);
    expect(filed.length + skippedCount).toBe(docs.length);
    expect(new Set(filed).size).toBe(filed.length);
    // Only the classes Security Lake does not take are left out (no document of a taken class lacks a partition).
    expect(filed.length).toBe(taken.length);
    expect(
      [...skipped.keys()].every((k) =>
        /^(class \d+ is not sent to Security Lake|cloud\.account\.uid is not an AWS account id|cloud\.region or cloud\.account\.uid missing)$/.test(
          k,
        ),
      ),
    ).toBe(true);
  });

  it('"Each S3 object ... should be formatted as an Apache Parquet file" and "The same OCSF event class should apply to each record within a Parquet-formatted object"', async () => {
    for (const o of objects) {
      const back = await parquetToDocuments(
        documentsToParquet(o.docs as unknown as Record<string, unknown>[]),
      );
      expect(back).toHaveLength(o.docs.length);
      expect(new Set(back.map((d) => d.class_uid)).size).toBe(1);
      expect(back.map((d) => d.raw_data)).toEqual(
        o.docs.map((d) => (d as unknown as { raw_data: unknown }).raw_data),
      );
    }
  });
});

describe('the CreateCustomLogSource requests', () => {
  const model = JSON.parse(
    gunzipSync(
      readFileSync(
        path.join(
          __dirname,
          '../../.venv/lib/python3.11/site-packages/botocore/data/securitylake/2018-05-10/service-2.json.gz',
        ),
      ),
    ).toString('utf8'),
  ) as { shapes: Record<string, { pattern?: string; min?: number; max?: number; required?: string[] }> };
  const shape = (n: string) => model.shapes[n];
  const fits = (value: string, name: string) => {
    const s = shape(name);
    expect(value).toMatch(new RegExp(s.pattern!));
    if (s.min !== undefined) expect(value.length).toBeGreaterThanOrEqual(s.min);
    if (s.max !== undefined) expect(value.length).toBeLessThanOrEqual(s.max);
  };
  const requests = customLogSourceRequests({
    logArchiveAccount: '222222222222',
    externalId: 'logwarden-o-exampleorgid',
    sourceVersion: '1.0',
  });

  it('are valid against the Security Lake API model: required members, names, external id, principal', () => {
    expect(requests).toHaveLength(securityLakeClasses.length);
    for (const r of requests) {
      for (const m of shape('CreateCustomLogSourceRequest').required!) expect(r).toHaveProperty(m);
      for (const m of shape('CustomLogSourceConfiguration').required!)
        expect(r.configuration).toHaveProperty(m);
      for (const m of shape('AwsIdentity').required!)
        expect(r.configuration.providerIdentity).toHaveProperty(m);
      fits(r.sourceName, 'CustomLogSourceName');
      fits(r.sourceVersion, 'CustomLogSourceVersion');
      for (const c of r.eventClasses) fits(c, 'OcsfEventClass');
      fits(r.configuration.providerIdentity.externalId, 'ExternalId');
      fits(r.configuration.providerIdentity.principal, 'AwsPrincipal');
      fits(r.configuration.crawlerConfiguration.roleArn, 'RoleArn');
    }
  });

  it('name as crawler role the role the central stack creates, trusted by Glue, with the policy the API Reference recommends', () => {
    const config = exampleConfig({
      archive: {
        ...(exampleConfigRaw().archive as object),
        securityLake: { externalId: 'logwarden-o-exampleorgid' },
      },
    });
    const t = templateOf(buildExample(config).central);
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: securityLakeCrawlerRoleName,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'glue.amazonaws.com' } })],
      }),
      // "The recommended IAM policies are: The managed policy AWSGlueServiceRole" (CustomLogSourceCrawlerConfiguration).
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSGlueServiceRole'],
          ],
        },
      ],
    });
    expect(requests[0].configuration.crawlerConfiguration.roleArn).toBe(
      `arn:aws:iam::222222222222:role/${securityLakeCrawlerRoleName}`,
    );
  });

  it('without archive.securityLake there is no crawler role', () => {
    const t = templateOf(buildExample(exampleConfig()).central);
    expect(
      Object.values(t.findResources('AWS::IAM::Role')).filter(
        (r) => (r.Properties as { RoleName?: string }).RoleName === securityLakeCrawlerRoleName,
      ),
    ).toEqual([]);
  });

  it('a bad external id is refused with the field named', () => {
    expect(() =>
      exampleConfig({
        archive: { ...(exampleConfigRaw().archive as object), securityLake: { externalId: 'has space' } },
      }),
    ).toThrow(ConfigError);
    expect(() =>
      exampleConfig({
        archive: { ...(exampleConfigRaw().archive as object), securityLake: { externalId: 'has space' } },
      }),
    ).toThrow(/archive\.securityLake\.externalId/);
  });
});
