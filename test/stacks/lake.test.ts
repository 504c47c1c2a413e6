import { Match } from 'aws-cdk-lib/assertions';
import {
  archiveParquetCompression,
  archivePartitionSources,
  lakeColumns,
  lakeNames,
  lakePartitionKeys,
  namedQueries,
} from '../../contracts/lake';
import { archiveBucketName, lakeResultsBucketName } from '../../contracts/names';
import { buildExample, exampleConfig, templateOf } from './example-app';

const config = exampleConfig();
const t = templateOf(buildExample(config).central);
const archive = archiveBucketName(config.accounts.logArchive, config.homeRegion);
const only = (type: string) => {
  const all = Object.values(t.findResources(type));
  expect(all).toHaveLength(1);
  return all[0].Properties;
};

describe('the archive as a lake', () => {
  it('one Glue table over the whole archive, the OCSF class a column, partitioned by source and date', () => {
    expect(only('AWS::Glue::Database').DatabaseInput.Name).toBe(lakeNames.database);
    const table = only('AWS::Glue::Table').TableInput;
    expect(table.Name).toBe(lakeNames.table);
    expect(table.StorageDescriptor.Location).toBe(`s3://${archive}/ocsf/`);
    expect(table.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(
      lakeColumns.map((c) => c.name),
    );
    expect(table.StorageDescriptor.Columns).toContainEqual({ Name: 'class_uid', Type: 'int' });
    expect(table.StorageDescriptor.Columns).toContainEqual({ Name: 'raw_data', Type: 'string' });
    expect(table.PartitionKeys).toEqual(lakePartitionKeys.map((k) => ({ Name: k.name, Type: k.type })));
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
  });

  it('Firehose writes the archive as Parquet with the lake table as its schema, uncompressed at the S3 level', () => {
    // Firehose Developer Guide, "Enable record format conversion": "Amazon S3 compression gets
    // disabled when you enable format conversion"; DataFormatConversionConfiguration: Firehose
    // uses "the column information from the AWS Glue table" to serialize the input to Parquet.
    const s3 = only('AWS::KinesisFirehose::DeliveryStream').ExtendedS3DestinationConfiguration;
    expect(s3.CompressionFormat).toBe('UNCOMPRESSED');
    expect(s3.FileExtension).toBe('.parquet');
    const conversion = s3.DataFormatConversionConfiguration;
    expect(conversion.Enabled).toBe(true);
    expect(conversion.SchemaConfiguration).toMatchObject({
      DatabaseName: lakeNames.database,
      TableName: lakeNames.table,
      VersionId: 'LATEST',
    });
    expect(Object.keys(conversion.InputFormatConfiguration.Deserializer)).toEqual(['OpenXJsonSerDe']);
    // The table says how its objects are compressed; it is what the serializer writes.
    const parquet = conversion.OutputFormatConfiguration.Serializer.ParquetSerDe;
    expect(parquet.Compression).toBe(archiveParquetCompression);
    expect(only('AWS::Glue::Table').TableInput.Parameters['parquet.compression']).toBe(parquet.Compression);
  });

  it('partition projection: no crawler and no MSCK REPAIR, the locations are the keys Firehose writes', () => {
    // Athena User Guide, "Use partition projection with Amazon Athena": "Athena calculates
    // partition values and locations using the table properties that you configure directly on
    // your table in AWS Glue." Supported types: "A table can have any combination of enum,
    // integer, date, or injected partition column types."
    const p = only('AWS::Glue::Table').TableInput.Parameters;
    expect(p).toMatchObject({
      'projection.enabled': 'true',
      'projection.source.type': 'enum',
      'projection.source.values': archivePartitionSources.join(','),
      'projection.date.type': 'date',
      'projection.date.format': 'yyyy-MM-dd',
      'projection.date.range': `NOW-${config.archive.retentionDays}DAYS,NOW+1DAYS`,
      'projection.date.interval': '1',
      'projection.date.interval.unit': 'DAYS',
      'storage.location.template': `s3://${archive}/ocsf/source=\${source}/date=\${date}/`,
    });
    expect(t.findResources('AWS::Glue::Crawler')).toEqual({});
  });

  it('the workgroup: engine v3, results KMS-encrypted in its own bucket, a bytes-scanned limit, enforced', () => {
    const wg = only('AWS::Athena::WorkGroup');
    expect(wg.Name).toBe(lakeNames.workgroup);
    expect(wg.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: config.archive.lake.bytesScannedCutoffPerQuery,
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      ResultConfiguration: {
        OutputLocation: `s3://${lakeResultsBucketName(config.accounts.logArchive, config.homeRegion)}/results/`,
        EncryptionConfiguration: {
          EncryptionOption: 'SSE_KMS',
          KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^LakeResultsKey/), 'Arn'] },
        },
      },
    });
    const results = Object.values(
      t.findResources('AWS::S3::Bucket', {
        Properties: { BucketName: lakeResultsBucketName(config.accounts.logArchive, config.homeRegion) },
      }),
    )[0].Properties;
    expect(
      results.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('aws:kms');
    expect(results.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(
      config.archive.lake.resultsRetentionDays,
    );
  });

  it('a limit under Athena minimum is refused, naming the field', () => {
    expect(() =>
      exampleConfig({
        archive: { ...config.archive, lake: { bytesScannedCutoffPerQuery: 1000 } },
      }),
    ).toThrow(/archive\.lake\.bytesScannedCutoffPerQuery/);
  });

  it('every named query is in the workgroup, over the lake database, and names its partitions', () => {
    const queries = Object.values(t.findResources('AWS::Athena::NamedQuery')).map((r) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(namedQueries.map((q) => q.name).sort());
    for (const q of queries) {
      expect(q).toMatchObject({ WorkGroup: lakeNames.workgroup, Database: lakeNames.database });
      expect(q.QueryString).toMatch(/source IN \(/);
      expect(q.QueryString).toMatch(/date BETWEEN \? AND \?/);
    }
    for (const q of namedQueries) expect(q.sql.split('?').length - 1).toBe(q.parameters.length);
  });

  it('only the analysts may assume the reader role, from inside the organization', () => {
    const role = Object.values(
      t.findResources('AWS::IAM::Role', { Properties: { RoleName: lakeNames.readerRole } }),
    )[0].Properties;
    const [trust] = role.AssumeRolePolicyDocument.Statement;
    expect(trust.Principal.AWS).toEqual(
      config.openSearch.readerRoleArns.length === 1
        ? config.openSearch.readerRoleArns[0]
        : config.openSearch.readerRoleArns,
    );
    expect(trust.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': config.organizationId } });
  });

  it('no analysts configured: no reader role, and no one may read or write a result', () => {
    const none = templateOf(
      buildExample(exampleConfig({ openSearch: { ...config.openSearch, readerRoleArns: [] } })).central,
    );
    expect(none.findResources('AWS::IAM::Role', { Properties: { RoleName: lakeNames.readerRole } })).toEqual(
      {},
    );
    none.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'OnlyTheLakeReaderReadsOrWritesResults', Effect: 'Deny' }),
        ]),
      },
    });
  });

  it('the reader role reads the archive only under ocsf/, through S3, and writes only results', () => {
    const policy = Object.values(t.findResources('AWS::IAM::Policy'))
      .map((p) => p.Properties)
      .find((p) => JSON.stringify(p.Roles).includes('LakeReaderRole'))!;
    const statements = policy.PolicyDocument.Statement as {
      Sid: string;
      Action: string | string[];
      Resource: unknown;
      Condition?: unknown;
    }[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => /\*/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^s3:(Put|Delete)/.test(a) && a !== 's3:PutObject')).toEqual([]);
    const read = statements.find((s) => s.Sid === 'ReadTheArchivedEvents')!;
    expect(JSON.stringify(read.Resource)).toContain('/ocsf/*');
    const decrypt = statements.find((s) => s.Sid === 'DecryptTheArchiveThroughS3')!;
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `s3.${config.homeRegion}.amazonaws.com` },
    });
  });
});
