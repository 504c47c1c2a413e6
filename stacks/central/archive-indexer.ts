import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEXER_MEMORY_MB } from '../../contracts/function-runtime';
import { names } from '../../contracts/names';
import { encodeTrustedSources, type TrustedSource } from '../../contracts/trusted-sources';
import { NodeFunction } from '../node-function';
import { archiveObjectQueue, grantArchiveObjectReader } from './archive-object-queue';
import type { SearchDomain } from './search-domain';
import { indexArchiveEnv } from '../../functions/index-archive/env';

export interface ArchiveIndexerProps {
  readonly archive: s3.IBucket;
  readonly archiveKey: kms.IKey;
  readonly search: SearchDomain;
  readonly logKey: kms.IKey;
  /** Encrypts the queues; EventBridge may use it for this rule only. */
  readonly stateKey: kms.Key;
  readonly trustedSources: TrustedSource[];
}

/**
 * The objects of the direct flow-log path in the archive: "<evaluated prefix><suffix>, where the
 * suffix has the format <Firehose stream name>-<Firehose stream version>-<year>-..." (Firehose
 * Developer Guide, "Configure Amazon S3 object name format"), under the archive's partitions.
 * The central stream's objects are named after its own stream and are indexed from the stream.
 */
export const directObjectKeyPattern = `ocsf/source=*/date=*/${names.flowLogsFirehose}-*`;

/**
 * Search for flowLogs.delivery firehose: S3's "Object Created" events of the direct path's
 * objects, on the default bus, go to a KMS-encrypted queue (TLS only, with a dead-letter queue)
 * that the index-archive function reads, indexing each object's documents under the ids the
 * stream path would give them.
 */
export class ArchiveIndexer extends Construct {
  readonly function: NodeFunction;
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: ArchiveIndexerProps) {
    super(scope, id);
    const timeout = Duration.minutes(5);
    const ruleName = 'logwarden-archive-index-direct-flows';
    ({ queue: this.queue, deadLetters: this.deadLetters } = archiveObjectQueue(this, {
      archive: props.archive,
      stateKey: props.stateKey,
      timeout,
      ruleName,
      ruleDescription: 'logwarden: index the archive objects of the direct flow-log path',
      keyPattern: directObjectKeyPattern,
      reader: 'the archive indexer',
      keyPolicySid: 'EventBridgeIntoArchiveIndexerQueues',
    }));

    this.function = new NodeFunction(this, 'Function', {
      name: 'index-archive',
      description:
        'Archive objects of the direct flow-log path → OCSF documents → OpenSearch (same ids as the stream path)',
      timeout,
      memorySize: INDEXER_MEMORY_MB,
      logKey: props.logKey,
      vpc: props.search.vpc,
      securityGroups: [props.search.clientSecurityGroup],
      environment: indexArchiveEnv.environment({
        opensearchEndpoint: `https://${props.search.domain.domainEndpoint}`,
        archiveBucket: props.archive.bucketName,
        trustedSources: encodeTrustedSources(props.trustedSources),
      }),
    });
    props.search.grantWriter(this.function);
    grantArchiveObjectReader(this.function, {
      archive: props.archive,
      archiveKey: props.archiveKey,
      rejected: 'writes refused documents under rejected/, one object per document id',
    });
    this.function.addEventSource(
      new sources.SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
  }
}
