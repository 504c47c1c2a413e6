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
  providerRoleName,
  securityLakeClasses,
  securityLakeRuleName,
  securityLakeCrawlerRoleName,
  securityLakeObjects,
} from '../../contracts/security-lake';
import {
  securityLakeParquet,
  securityLakeParquetToDocuments,
} from '../../functions/shared/security-lake-parquet';
import { corpusDocuments } from '../ocsf/corpus-documents';
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from '../stacks/example-app';

const LAKE_BUCKET = 'aws-security-data-lake-eu-west-1-abcdefghijklmnopqrstuvwxyz1234';
const docs = corpusDocuments().map(({ doc }) => JSON.parse(JSON.stringify(doc)) as Record<string, never>);
type Doc = { class_uid: number; time: number; cloud?: { region?: string; account?: { uid?: string } } };

describe('the Security Lake layout of the corpus', () => {
  const { objects, skipped } = securityLakeObjects(docs as unknown as Doc[], 'eu-west-1');

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
      // "region – AWS Region to which the data is uploaded": the lake's, whatever the event's.
      expect(o.partition.region).toBe('eu-west-1');
      for (const d of o.docs) {
        expect(d.cloud?.account?.uid).toBe(o.partition.accountId);
        expect(new Date(d.time).toISOString().slice(0, 10).replace(/-/g, '')).toBe(o.partition.eventDay);
      }
    }
  });

  it('every document of a class Security Lake takes, with an AWS account id, is in exactly one object; the rest are counted with the reason', () => {
    const taken = (docs as unknown as Doc[]).filter(
      (d) =>
        securityLakeClasses.some((c) => c.classUid === d.class_uid) &&
        /^\d{12}$/.test(d.cloud?.account?.uid ?? ''),
    );
    const filed = objects.flatMap((o) => o.docs);
    expect(filed.length + skipped.length).toBe(docs.length);
    expect(new Set(filed).size).toBe(filed.length);
    // Only the classes Security Lake does not take are left out (no document of a taken class lacks a partition).
    expect(filed.length).toBe(taken.length);
    expect(
      skipped.every(({ reason }) =>
        /^(class \d+ is not sent to Security Lake|cloud\.account\.uid is not an AWS account id|cloud\.account\.uid missing)$/.test(
          reason,
        ),
      ),
    ).toBe(true);
  });

  it('"Each S3 object ... should be formatted as an Apache Parquet file" and "The same OCSF event class should apply to each record within a Parquet-formatted object"', async () => {
    for (const o of objects) {
      const back = await securityLakeParquetToDocuments(
        securityLakeParquet(o.docs as unknown as Record<string, unknown>[]),
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
        securityLake: { externalId: 'logwarden-o-exampleorgid', bucket: LAKE_BUCKET },
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
        archive: {
          ...(exampleConfigRaw().archive as object),
          securityLake: { externalId: 'has space', bucket: LAKE_BUCKET },
        },
      }),
    ).toThrow(ConfigError);
    expect(() =>
      exampleConfig({
        archive: {
          ...(exampleConfigRaw().archive as object),
          securityLake: { externalId: 'has space', bucket: LAKE_BUCKET },
        },
      }),
    ).toThrow(/archive\.securityLake\.externalId/);
  });
});

describe('the Security Lake writer in the central stack', () => {
  const config = exampleConfig({
    archive: {
      ...(exampleConfigRaw().archive as object),
      securityLake: { externalId: 'logwarden-o-exampleorgid', bucket: LAKE_BUCKET },
    },
  });
  const t = templateOf(buildExample(config).central);
  const writerPolicy = () => {
    const roles = t.findResources('AWS::IAM::Policy');
    const found = Object.values(roles).filter((r) =>
      JSON.stringify(r).includes('AssumeSecurityLakeProviderRoles'),
    );
    expect(found).toHaveLength(1);
    return (
      found[0].Properties as {
        PolicyDocument: { Statement: { Sid?: string; Action: unknown; Resource: unknown }[] };
      }
    ).PolicyDocument.Statement;
  };

  it('may assume the provider roles of its sources in this Region and no other role ("AmazonSecurityLake-Provider-{name of the custom source}-{region}")', () => {
    const assume = writerPolicy().filter((st) => JSON.stringify(st.Action).includes('sts:AssumeRole'));
    expect(assume).toHaveLength(1);
    expect(assume[0].Action).toBe('sts:AssumeRole');
    const arns = (assume[0].Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(arns).toHaveLength(securityLakeClasses.length);
    for (const c of securityLakeClasses)
      expect(arns.some((a) => a.includes(`:role/${providerRoleName(c.sourceName, 'eu-west-1')}`))).toBe(true);
  });

  it("can do nothing itself in Security Lake's bucket: writes are the provider roles'", () => {
    expect(JSON.stringify(writerPolicy())).not.toContain('aws-security-data-lake');
    expect(JSON.stringify(writerPolicy())).not.toMatch(/"s3:\*"|"sts:\*"/);
  });

  it("reads the archive's new ocsf/ objects from a KMS-encrypted queue with a dead-letter queue, both alarmed", () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      Name: securityLakeRuleName,
      EventPattern: Match.objectLike({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: Match.objectLike({ object: { key: [{ wildcard: 'ocsf/source=*/date=*/*' }] } }),
      }),
    });
    // The archive sends its events to EventBridge (CDK sets it with its notifications resource).
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: Match.objectLike({ EventBridgeConfiguration: {} }),
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 10 }),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DATA_LAKE_BUCKET: LAKE_BUCKET,
          EXTERNAL_ID: 'logwarden-o-exampleorgid',
        }),
      },
    });
    // One archive object an invocation, with partial batch responses.
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'logwarden-security-lake-writer-dead-letters',
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'logwarden-security-lake-writer-rejected',
    });
  });

  it('without archive.securityLake there is no writer', () => {
    const plain = templateOf(buildExample(exampleConfig()).central);
    expect(
      Object.values(plain.findResources('AWS::Events::Rule')).map(
        (r) => (r.Properties as { Name?: string }).Name,
      ),
    ).not.toContain(securityLakeRuleName);
  });

  it('a bucket that is not a Security Lake bucket is refused with the field named', () => {
    expect(() =>
      exampleConfig({
        archive: {
          ...(exampleConfigRaw().archive as object),
          securityLake: { externalId: 'logwarden-o-exampleorgid', bucket: 'my-bucket' },
        },
      }),
    ).toThrow(/archive\.securityLake\.bucket/);
  });
});
