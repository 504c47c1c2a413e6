import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge, functionVersionsFinding } from '../../workflows/acknowledge';
import { TRANSFORM_MEMORY_MB } from '../../contracts/function-runtime';
import { archiveBucketName, names } from '../../contracts/names';
import { pipelineRegionOf } from '../../contracts/pipelines';
import type { LogwardenConfig } from '../../contracts/config';
import { encodeTrustedSources, trustedSourcesFromConfig } from '../../contracts/trusted-sources';
import { NodeFunction } from '../node-function';
import { allowCloudWatchLogs, secureKey } from '../secure-key';
import { transformEnv } from '../../functions/transform/env';
import { DEFAULT_MAX_HOPS } from '../../functions/transform/transform';
import { archiveDeliveryStatements, archiveDestination, deliveryRoleAndLogs } from './firehose-archive';

export interface FlowLogsFirehoseProps {
  readonly config: LogwardenConfig;
}

/**
 * Processor buffer of the direct path: Firehose's least, 0.2 MB ("The buffering size hint ranges
 * between 0.2 MB and 3MB", Firehose Developer Guide, "Transform source data"). Its records are
 * flow-log lines as plain text (VPC User Guide), not gzip: a line of 100–600 bytes becomes one
 * OCSF document of 0.8–1.3 KB plus the line itself in raw_data, at most about 14× the input
 * (test/functions/transform/flow-log-text.test.ts measures a 0.2 MB batch of the shortest lines),
 * so 0.2 MB in is under 3 MB out, inside Lambda's 6,000,000-byte response: nothing to re-ingest,
 * which this path could not do anyway (a DirectPut stream has no source stream to put into; a
 * record that did not fit would go to the error prefix, kept).
 */
export const DIRECT_PROCESSOR_BUFFER_MB = 0.2;

/**
 * flowLogs.delivery firehose, one region: the DirectPut Firehose stream VPC flow logs of every
 * member deliver to across accounts, with its own copy of the transform (in the stream's region,
 * reading flow-log text), writing the central archive in the home region exactly as the central
 * stream's delivery does (archiveDestination).
 */
export class FlowLogsFirehose extends Construct {
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly transform: NodeFunction;

  constructor(scope: Construct, id: string, props: FlowLogsFirehoseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    const account = config.accounts.logArchive;
    // The archive of this region's pipeline: the home region's, or with pipeline.regional the
    // region's own or its group's (contracts/pipelines.ts).
    const archiveRegion = pipelineRegionOf(config, stack.region);
    const bucketArn = `arn:aws:s3:::${archiveBucketName(account, archiveRegion)}`;

    // The function and delivery logs of this region; a key of its own, since keys are regional.
    const logKey = secureKey(
      this,
      'LogKey',
      `flow-log stream logs (${stack.region})`,
      'alias/logwarden-flow-logs',
    );
    allowCloudWatchLogs(logKey, stack.region, stack.account);

    this.transform = new NodeFunction(this, 'Transform', {
      name: 'transform',
      logName: 'flow-logs-transform',
      description:
        'Firehose transformation: VPC flow-log lines delivered directly, to newline-delimited OCSF',
      timeout: Duration.minutes(5),
      memorySize: TRANSFORM_MEMORY_MB,
      logKey,
      environment: transformEnv.environment({
        maxReingestHops: String(DEFAULT_MAX_HOPS),
        transformInput: 'flow-log-text',
        trustedSources: encodeTrustedSources(trustedSourcesFromConfig(config)),
      }),
    });

    const { role, logGroup, logStream } = deliveryRoleAndLogs(this, {
      logName: 'flow-logs-firehose-delivery',
      logKey,
      transform: this.transform,
      description: 'Firehose: invoke the flow-log transform, write the central archive',
    });
    for (const statement of archiveDeliveryStatements(bucketArn, archiveRegion, account))
      role.addToPolicy(statement);
    // The archive key lives in the pipeline's stack with a random id: named by its alias, and
    // only through S3 of the pipeline's region, where the bucket's default encryption uses it.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [`arn:aws:kms:${archiveRegion}:${account}:key/*`],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.archiveKeyAlias },
          StringEquals: { 'kms:ViaService': `s3.${archiveRegion}.amazonaws.com` },
        },
      }),
    );
    logGroup.grantWrite(role);

    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: names.flowLogsFirehose,
      // "Create the destination Kinesis Data Firehose delivery stream. Use Direct Put as the
      // source." (VPC User Guide, "Create a flow log that publishes to Kinesis Data Firehose").
      deliveryStreamType: 'DirectPut',
      // Records wait here up to 24 hours encrypted at rest, under an AWS owned key. A customer
      // managed key would also work for the producer ("with KeyType set to CUSTOMER_MANAGED_CMK,
      // Firehose invokes the AWS KMS operation CreateGrant to create a grant that allows the
      // Firehose service to use the customer managed CMK", Firehose API Reference,
      // DeliveryStreamEncryptionConfigurationInput), but it would be one more key per Region
      // for records that are at rest here only while buffered; the archive they land in is
      // encrypted with the archive key.
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: archiveDestination({
        bucketArn,
        roleArn: role.roleArn,
        catalogAccount: account,
        catalogRegion: archiveRegion,
        // The bucket's default encryption (SSE-KMS with the archive key): this stream cannot
        // name the home-region key by id, and Firehose takes no alias here.
        archiveKeyArn: undefined,
        logGroupName: logGroup.logGroupName,
        logStreamName: logStream.logStreamName,
        transformArn: this.transform.functionArn,
        processorBufferMb: DIRECT_PROCESSOR_BUFFER_MB,
        // Vended logs, plain text: the CloudWatch Logs decompression would fail their ingestion.
        decompressCloudWatchLogs: false,
      }),
    });
    this.deliveryStream.node.addDependency(role);
    // "This service-linked role grants permission for all Firehose delivery streams that have
    // the LogDeliveryEnabled tag set to true. AWS gives this tag to the destination delivery
    // stream when you set up the logging." (CloudWatch Logs User Guide, "Logs sent to
    // Firehose"): set here too, so that the template and the stream agree.
    Tags.of(this.deliveryStream).add('LogDeliveryEnabled', 'true');

    acknowledge(
      this,
      archiveRegion === config.homeRegion
        ? 'Firehose writes objects under keys it generates (partitioned prefixes, error prefix) and may call any version of the transform; the archive key is created in the home-region stack with a random id and is named by its alias and S3 of the home region.'
        : `Firehose writes objects under keys it generates (partitioned prefixes, error prefix) and may call any version of the transform; the archive key is created in the ${archiveRegion} pipeline stack with a random id and is named by its alias and S3 of ${archiveRegion}.`,
      `AwsSolutions-IAM5[Resource::${bucketArn}/*]`,
      functionVersionsFinding(this.transform),
      `AwsSolutions-IAM5[Resource::arn:aws:kms:${archiveRegion}:${account}:key/*]`,
    );
  }
}
