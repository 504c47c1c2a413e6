import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../../workflows/acknowledge';
import { TRANSFORM_MEMORY_MB } from '../../contracts/function-runtime';
import { archiveParquetCompression, lakeNames } from '../../contracts/lake';
import { names, pipelineLogGroup } from '../../contracts/names';
import { encodeTrustedSources, type TrustedSource } from '../../contracts/trusted-sources';
import { NodeFunction } from '../node-function';
import { transformEnv } from '../../functions/transform/env';
import { DEFAULT_MAX_HOPS } from '../../functions/transform/transform';

export interface FirehoseArchiveProps {
  readonly stream: kinesis.Stream;
  readonly bucket: s3.Bucket;
  readonly archiveKey: kms.IKey;
  readonly logKey: kms.IKey;
  /** Where CloudTrail and GuardDuty may come from (contracts/trusted-sources.ts). */
  readonly trustedSources: TrustedSource[];
  /** The lake's Glue table: the schema Firehose converts the transform's JSON to Parquet with. */
  readonly lakeTable: CfnResource;
}

/**
 * Processor buffer: 0.25 MB, near the 0.2 MB floor ("The BufferSizeInMBs ranges between 0.2 MB
 * and up to 3MB", Firehose API Reference, ProcessorParameter). The central stream decompresses
 * first (`CENTRAL_STREAM_DECOMPRESSES`). Firehose does not say whether the buffer then counts
 * bytes before or after decompression; logwarden's model reads it as the bytes the transform is
 * sent ("Make sure that your buffering size for sending the request to the function is less than
 * or equal to 6 MB", Firehose Developer Guide, "Transform source data"), the decompressed
 * payloads: the transform's response is 2.2–7.4 bytes per decompressed input byte
 * (docs/benchmark.md, "Re-ingestion"), so 0.25 MB answers 0.6–2.0 MB, well under the
 * 6,000,000-byte limit, and `npm run bench -- --per-source` re-ingests 0 % of every source's
 * records. Were it compressed bytes, re-ingestion would stay what it was without decompression
 * (costly, nothing lost); the transform's RecordsReingested metric tells which once deployed.
 * Only a record past about 0.8 MB decompressed alone is still re-ingested (in halves).
 * Against gzip input (60–86 response bytes per base64 input byte) no buffer Firehose accepts kept
 * flow records and application logs under 6 MB: 56–80 % of their records were re-ingested. A
 * larger buffer would bring re-ingestion back.
 */
export const PROCESSOR_BUFFER_MB = 0.25;

/**
 * Source and date only (see ArchivePartitionKeys in functions/transform/transform.ts): about 100
 * active partitions at most, at any number of accounts, well under Firehose's 500; the account
 * is a column of every document, not a prefix.
 */
export const archivePrefix =
  'ocsf/source=!{partitionKeyFromLambda:source}/date=!{partitionKeyFromLambda:date}/';
/** Firehose's converted objects end so (the delivery stream's FileExtension). */
export const archiveFileExtension = '.parquet';
export const errorPrefix = 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/';

/**
 * What a delivery stream's role needs of the archive: exactly the S3 calls Firehose documents for
 * an S3 destination (it never deletes), and, for record format conversion, the lake table's
 * schema (Firehose Developer Guide, "Grant Firehose access to an Amazon S3 destination":
 * glue:GetTable, GetTableVersion, GetTableVersions on the catalog, database and table).
 */
export function archiveDeliveryStatements(
  bucketArn: string,
  catalogRegion: string,
  catalogAccount: string,
): iam.PolicyStatement[] {
  const glue = `arn:aws:glue:${catalogRegion}:${catalogAccount}`;
  return [
    new iam.PolicyStatement({
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [bucketArn],
    }),
    new iam.PolicyStatement({
      actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
      resources: [`${bucketArn}/*`],
    }),
    new iam.PolicyStatement({
      actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
      resources: [
        `${glue}:catalog`,
        `${glue}:database/${lakeNames.database}`,
        `${glue}:table/${lakeNames.database}/${lakeNames.table}`,
      ],
    }),
  ];
}

/**
 * A delivery stream's role (assumed by Firehose of this account only) that may invoke its
 * transform, and its encrypted delivery log group and stream, under `scope`.
 */
export function deliveryRoleAndLogs(
  scope: Construct,
  props: { logName: string; logKey: kms.IKey; transform: NodeFunction; description: string },
): { role: iam.Role; logGroup: logs.LogGroup; logStream: logs.LogStream } {
  const logGroup = new logs.LogGroup(scope, 'DeliveryLogs', {
    logGroupName: pipelineLogGroup(props.logName),
    retention: logs.RetentionDays.ONE_YEAR,
    encryptionKey: props.logKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const logStream = new logs.LogStream(scope, 'DeliveryLogStream', {
    logGroup,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: props.description,
  });
  props.transform.grantInvoke(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['lambda:GetFunctionConfiguration'],
      resources: [props.transform.functionArn],
    }),
  );
  return { role, logGroup, logStream };
}

/** What differs between the archive's delivery streams; everything else is archiveDestination's. */
export interface ArchiveDestinationProps {
  readonly bucketArn: string;
  readonly roleArn: string;
  /** Where the lake's Glue table is (the home region of the log-archive account). */
  readonly catalogAccount: string;
  readonly catalogRegion: string;
  /** The archive key, or none for the bucket's default encryption (the same key, SSE-KMS). */
  readonly archiveKeyArn?: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly transformArn: string;
  readonly processorBufferMb: number;
  /**
   * Firehose's CloudWatch Logs Decompression processor before the transform. Only for a stream
   * that CloudWatch Logs payloads alone reach: "If you enable the decompression feature on a
   * stream that is used to ingest both CloudWatch Logs and Vended Logs, the Vended Logs ingestion
   * to Firehose fails" (Firehose Developer Guide, "Decompress CloudWatch Logs"), so never on the
   * direct flow-log stream.
   */
  readonly decompressCloudWatchLogs: boolean;
}

/**
 * The central stream's delivery decompresses CloudWatch Logs payloads before the transform
 * (docs/benchmark.md, "Re-ingestion"): the stream holds only what CloudWatch Logs subscriptions
 * write and the transform's re-ingested halves, which it writes the same way (gzip JSON).
 */
export const CENTRAL_STREAM_DECOMPRESSES = true;

/**
 * Firehose's CloudWatch Logs decompression, first of the processors: the Lambda processor after it
 * is sent the decompressed payload ("Monitor the metric CloudWatchProcessorLambda_IncomingCompressedData
 * and wait until this metric changes to zero. This confirms that all input data sent to your
 * Lambda function is decompressed", Firehose Developer Guide, "Enable decompression on an existing
 * Firehose stream"). No `CloudWatchLogProcessing` (message extraction): it "filters out all
 * metadata, such as owner, loggroup, logstream", which the transform's trust and ids rest on. A
 * record Firehose cannot decompress goes, as it came, to the error bucket under the prefix the
 * guide calls decompression-failed ("Troubleshoot decompression in Firehose"), read here as the
 * error-output-type of `errorPrefix` (the guide does not spell out how the two combine).
 */
export const decompressionProcessor: firehose.CfnDeliveryStream.ProcessorProperty = {
  type: 'Decompression',
  parameters: [{ parameterName: 'CompressionFormat', parameterValue: 'GZIP' }],
};

/**
 * The archive as a Firehose destination, one definition for every stream that writes it (the
 * central stream's and, with flowLogs.delivery firehose, each region's flow-log stream): the same
 * transform contract, Parquet conversion with the lake's table, prefixes and error prefix, so the
 * lake reads both the same way.
 */
export function archiveDestination(
  props: ArchiveDestinationProps,
): firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty {
  return {
    bucketArn: props.bucketArn,
    roleArn: props.roleArn,
    prefix: archivePrefix,
    errorOutputPrefix: errorPrefix,
    // Dynamic partitioning needs at least 64 MB buffers.
    bufferingHints: { sizeInMBs: 64, intervalInSeconds: 300 },
    // Parquet compresses its own pages (the serializer's compression below); Firehose
    // requires the S3 compression to be UNCOMPRESSED when it converts the record format.
    compressionFormat: 'UNCOMPRESSED',
    fileExtension: archiveFileExtension,
    dataFormatConversionConfiguration: {
      enabled: true,
      // The lake's table is the schema: one definition for Firehose and Athena.
      schemaConfiguration: {
        catalogId: props.catalogAccount,
        databaseName: lakeNames.database,
        tableName: lakeNames.table,
        region: props.catalogRegion,
        roleArn: props.roleArn,
        versionId: 'LATEST',
      },
      inputFormatConfiguration: {
        deserializer: {
          // Keys as written: "When set to true, which is the default, Kinesis Data Firehose
          // converts JSON keys to lowercase before deserializing them" (OpenXJsonSerDe,
          // CaseInsensitive), which would rewrite the keys of the objects kept as JSON text.
          openXJsonSerDe: { caseInsensitive: false, convertDotsInJsonKeysToUnderscores: false },
        },
      },
      outputFormatConfiguration: {
        serializer: { parquetSerDe: { compression: archiveParquetCompression } },
      },
    },
    encryptionConfiguration: props.archiveKeyArn
      ? { kmsEncryptionConfig: { awskmsKeyArn: props.archiveKeyArn } }
      : { noEncryptionConfig: 'NoEncryption' },
    cloudWatchLoggingOptions: {
      enabled: true,
      logGroupName: props.logGroupName,
      logStreamName: props.logStreamName,
    },
    dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 7200 } },
    processingConfiguration: {
      enabled: true,
      processors: [
        ...(props.decompressCloudWatchLogs ? [decompressionProcessor] : []),
        {
          type: 'Lambda',
          parameters: [
            { parameterName: 'LambdaArn', parameterValue: props.transformArn },
            { parameterName: 'BufferSizeInMBs', parameterValue: String(props.processorBufferMb) },
            { parameterName: 'BufferIntervalInSeconds', parameterValue: '60' },
            { parameterName: 'NumberOfRetries', parameterValue: '3' },
          ],
        },
      ],
    },
    s3BackupMode: 'Disabled',
  };
}

/** Consumer 1: Firehose reads the stream, calls the transform, and writes the archive. */
export class FirehoseArchive extends Construct {
  readonly transform: NodeFunction;
  readonly deliveryStream: firehose.CfnDeliveryStream;

  constructor(scope: Construct, id: string, props: FirehoseArchiveProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.transform = new NodeFunction(this, 'Transform', {
      name: 'transform',
      description: 'Firehose transformation: CloudWatch Logs payloads to newline-delimited OCSF',
      timeout: Duration.minutes(5),
      memorySize: TRANSFORM_MEMORY_MB,
      logKey: props.logKey,
      environment: transformEnv.environment({
        maxReingestHops: String(DEFAULT_MAX_HOPS),
        trustedSources: encodeTrustedSources(props.trustedSources),
      }),
    });
    // Oversized records are split and put back into the stream they came from.
    props.stream.grantWrite(this.transform);

    const { role, logGroup, logStream } = deliveryRoleAndLogs(this, {
      logName: 'firehose-delivery',
      logKey: props.logKey,
      transform: this.transform,
      description: 'Firehose: read the central stream, invoke the transform, write the archive',
    });
    props.stream.grantRead(role);
    for (const statement of archiveDeliveryStatements(props.bucket.bucketArn, stack.region, stack.account))
      role.addToPolicy(statement);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.archiveKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    logGroup.grantWrite(role);

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: names.archiveFirehose,
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: { kinesisStreamArn: props.stream.streamArn, roleArn: role.roleArn },
      extendedS3DestinationConfiguration: archiveDestination({
        bucketArn: props.bucket.bucketArn,
        roleArn: role.roleArn,
        catalogAccount: stack.account,
        catalogRegion: stack.region,
        archiveKeyArn: props.archiveKey.keyArn,
        logGroupName: logGroup.logGroupName,
        logStreamName: logStream.logStreamName,
        transformArn: this.transform.functionArn,
        processorBufferMb: PROCESSOR_BUFFER_MB,
        decompressCloudWatchLogs: CENTRAL_STREAM_DECOMPRESSES,
      }),
    });
    this.deliveryStream.node.addDependency(role);
    this.deliveryStream.addDependency(props.lakeTable);

    acknowledge(
      this,
      'Firehose writes objects under keys it generates (partitioned prefixes, error prefix) and may call any version of the transform.',
      'AwsSolutions-IAM5[Resource::<ArchiveBucket49F1AC64.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<FirehoseArchiveTransform1452C461.Arn>:*]',
    );
    acknowledge(
      this.deliveryStream,
      'A delivery stream whose source is a Kinesis stream cannot use server-side encryption; the source stream and the archive are both KMS-encrypted.',
      'AwsSolutions-KDF1',
    );
  }
}
