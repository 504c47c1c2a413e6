import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../workflows/acknowledge';
import type { LogwardenConfig } from '../../contracts/config';
import {
  archiveParquetCompression,
  archiveDataPrefix,
  lakeColumns,
  lakeNames,
  lakePartitionKeys,
  namedQueries,
  partitionProjection,
} from '../../contracts/lake';
import { archiveBucketName, lakeResultsBucketName } from '../../contracts/names';
import { perAccountName } from '../../contracts/pipelines';
import { secureBucketProps } from '../secure-bucket';
import { secureKey } from '../secure-key';

export interface ArchiveLakeProps {
  readonly config: LogwardenConfig;
  readonly archive: s3.IBucket;
  readonly archiveKey: kms.IKey;
  /** Where the results bucket's server access logs go (the archive's access-log bucket). */
  readonly accessLogs: s3.IBucket;
}

const columnsOf = (cols: typeof lakeColumns) => cols.map((c) => ({ name: c.name, type: c.type }));

/**
 * The archive as a lake: a Glue database and table over the archive's Parquet objects (partition
 * projection, no crawler), an Athena workgroup whose results are KMS-encrypted and whose queries
 * are cut off past a byte budget, the named investigations, and the one role that may run them.
 */
export class ArchiveLake extends Construct {
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  readonly workgroup: athena.CfnWorkGroup;
  readonly readerRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ArchiveLakeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    const lake = config.archive.lake;
    // By name, not token: the table's location and projection template are literal strings.
    const archiveName = archiveBucketName(config.accounts.logArchive, stack.region);
    const resultsName = lakeResultsBucketName(config.accounts.logArchive, stack.region);
    // IAM is global: the pipelines outside the home region name their reader role with their region.
    const readerRoleName = perAccountName(config, lakeNames.readerRole, stack.region);

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: lakeNames.database,
        description: 'logwarden: the OCSF archive, queryable in place',
      },
    });

    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: lakeNames.database,
      tableInput: {
        name: lakeNames.table,
        description: 'Every archived OCSF event, one row per event; the OCSF class is class_uid',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          // The codec the delivery stream's ParquetSerDe writes (one definition for both).
          'parquet.compression': archiveParquetCompression,
          ...partitionProjection(archiveName, config.archive.retentionDays),
        },
        partitionKeys: columnsOf(lakePartitionKeys),
        storageDescriptor: {
          columns: columnsOf(lakeColumns),
          location: `s3://${archiveName}/${archiveDataPrefix}`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          compressed: true,
          storedAsSubDirectories: false,
        },
      },
    });
    this.table.addDependency(this.database);

    const resultsKey = secureKey(this, 'ResultsKey', 'Athena query results', lakeNames.resultsKeyAlias);
    const results = new s3.Bucket(this, 'Results', {
      ...secureBucketProps(resultsKey, props.accessLogs, 'lake-results/'),
      bucketName: resultsName,
      lifecycleRules: [
        {
          id: 'expire-results',
          expiration: Duration.days(lake.resultsRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: lakeNames.workgroup,
      description: 'logwarden: investigations over the OCSF archive',
      state: 'ENABLED',
      workGroupConfiguration: {
        // Clients cannot choose another results location, an unencrypted one, or no limit.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: lake.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${resultsName}/results/`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: resultsKey.keyArn },
        },
      },
    });

    for (const q of namedQueries) {
      const query = new athena.CfnNamedQuery(this, `Query-${q.name}`, {
        name: q.name,
        description: `${q.description}. Parameters: ${q.parameters.join(', ')}`,
        database: lakeNames.database,
        workGroup: lakeNames.workgroup,
        queryString: q.sql,
      });
      query.addDependency(this.workgroup);
    }

    // The analysts (openSearch.readerRoleArns) assume the reader role; no other principal is
    // granted the workgroup, the table, the archive's objects or the results.
    const analysts = config.openSearch.readerRoleArns;
    if (analysts.length > 0) {
      const role = new iam.Role(this, 'ReaderRole', {
        roleName: readerRoleName,
        description: 'logwarden: analysts query the archive through the logwarden-lake Athena workgroup',
        assumedBy: new iam.CompositePrincipal(
          ...analysts.map((arn) => new iam.ArnPrincipal(arn)),
        ).withConditions({ StringEquals: { 'aws:PrincipalOrgID': config.organizationId } }),
        maxSessionDuration: Duration.hours(4),
      });
      this.readerRole = role;
      const workgroupArn = stack.formatArn({
        service: 'athena',
        resource: 'workgroup',
        resourceName: lakeNames.workgroup,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'QueryInTheLakeWorkgroup',
          actions: [
            'athena:StartQueryExecution',
            'athena:StopQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:GetWorkGroup',
            'athena:ListNamedQueries',
            'athena:GetNamedQuery',
            'athena:BatchGetNamedQuery',
            'athena:ListQueryExecutions',
          ],
          resources: [workgroupArn],
        }),
      );
      const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
      const databaseArn = stack.formatArn({
        service: 'glue',
        resource: 'database',
        resourceName: lakeNames.database,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadTheLakeDatabase',
          actions: ['glue:GetDatabase'],
          resources: [catalogArn, databaseArn],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadTheLakeTable',
          actions: ['glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
          resources: [
            catalogArn,
            databaseArn,
            stack.formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${lakeNames.database}/${lakeNames.table}`,
            }),
          ],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadTheArchivedEvents',
          actions: ['s3:GetObject'],
          resources: [props.archive.arnForObjects(`${archiveDataPrefix}*`)],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ListTheArchivedEvents',
          actions: ['s3:ListBucket'],
          resources: [props.archive.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${archiveDataPrefix}*`] } },
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'LocateBuckets',
          actions: ['s3:GetBucketLocation'],
          resources: [props.archive.bucketArn, results.bucketArn],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'WriteAndReadTheResults',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [results.arnForObjects('results/*')],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ListTheResults',
          actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [results.bucketArn],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptTheArchiveThroughS3',
          actions: ['kms:Decrypt'],
          resources: [props.archiveKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'EncryptTheResultsThroughS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [resultsKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
      acknowledge(
        role,
        'The reader role reads the events Firehose archived under ocsf/ (keys it names itself) and the results Athena writes under results/ (keys Athena names per query).',
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.archive.node.defaultChild as s3.CfnBucket)}.Arn>/ocsf/*]`,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(results.node.defaultChild as s3.CfnBucket)}.Arn>/results/*]`,
      );
    }

    // Athena takes no resource policy, so the results bucket is where "nothing else" is enforced:
    // no principal but the reader role may read or write a result.
    results.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheLakeReaderReadsOrWritesResults',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [results.arnForObjects('*')],
        conditions: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              stack.formatArn({
                service: 'iam',
                region: '',
                resource: 'role',
                resourceName: readerRoleName,
              }),
              config.breakGlassRoleArn,
            ],
          },
        },
      }),
    );
  }
}
