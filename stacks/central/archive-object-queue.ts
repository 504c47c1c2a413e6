import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { allowEventBridgeRules } from '../secure-key';
import { archiveDataPrefix } from '../../contracts/lake';
import { acknowledge, logicalIdOf } from '../../workflows/acknowledge';
import type { NodeFunction } from '../node-function';

export interface ArchiveObjectQueueProps {
  readonly archive: s3.IBucket;
  /** Encrypts the queues; EventBridge may use it for this rule only. */
  readonly stateKey: kms.Key;
  /** The reading function's timeout, which the queue's visibility timeout follows. */
  readonly timeout: Duration;
  readonly ruleName: string;
  readonly ruleDescription: string;
  /** The archive keys whose "Object Created" events the rule takes (an EventBridge wildcard). */
  readonly keyPattern: string;
  /** Who reads the queue, for the dead-letter queue's acknowledgement. */
  readonly reader: string;
  /** The key-policy statement's sid that lets the rule use the state key. */
  readonly keyPolicySid: string;
}

/**
 * The archive's "Object Created" events for one reader, on the default bus, into a
 * KMS-encrypted queue (TLS only, 14 days, a dead-letter queue after 10 receives) whose rule
 * retries for a day and dead-letters what it cannot deliver. Built in the caller's scope, with
 * the ids `DeadLetters`, `Queue` and `ObjectCreated`, so every reader of the archive's objects
 * (the archive indexer, the Security Lake writer) has the same pieces.
 */
export function archiveObjectQueue(
  scope: Construct,
  props: ArchiveObjectQueueProps,
): { queue: sqs.Queue; deadLetters: sqs.Queue; rule: events.Rule } {
  const stack = Stack.of(scope);
  const deadLetters = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.stateKey,
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
  });
  acknowledge(
    deadLetters,
    `This queue is itself the dead-letter queue of ${props.reader}.`,
    'AwsSolutions-SQS3',
  );
  const queue = new sqs.Queue(scope, 'Queue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.stateKey,
    // Lambda's guidance for an SQS event source: a visibility timeout of six times the function's.
    visibilityTimeout: Duration.seconds(props.timeout.toSeconds() * 6),
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 10 },
  });
  const rule = new events.Rule(scope, 'ObjectCreated', {
    ruleName: props.ruleName,
    description: props.ruleDescription,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: [props.archive.bucketName] },
        object: { key: events.Match.wildcard(props.keyPattern) },
      },
    },
  });
  rule.addTarget(
    new targets.SqsQueue(queue, {
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
      deadLetterQueue: deadLetters,
    }),
  );
  // EventBridge puts into (and dead-letters to) the KMS-encrypted queues, for this rule only.
  allowEventBridgeRules(props.stateKey, props.keyPolicySid, stack, [props.ruleName]);
  return { queue, deadLetters, rule };
}

/**
 * What every reader of the archive's objects may do there: read the objects under `ocsf/` (the
 * keys Firehose generates, so a prefix), decrypt them through S3 with the archive key, and keep
 * what it cannot handle under `rejected/`. `rejected` says what it writes there, for cdk-nag.
 */
export function grantArchiveObjectReader(
  fn: NodeFunction,
  props: { archive: s3.IBucket; archiveKey: kms.IKey; rejected: string },
): void {
  const stack = Stack.of(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [props.archive.arnForObjects(`${archiveDataPrefix}*`)],
    }),
  );
  props.archive.grantPut(fn, 'rejected/*');
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.archiveKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }),
  );
  acknowledge(
    fn,
    `It reads the archive objects the events name (under ocsf/, keys Firehose generates) and ${props.rejected}; AbortMultipartUpload is the only Abort* action.`,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.archive)}.Arn>/ocsf/*]`,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.archive)}.Arn>/rejected/*]`,
    'AwsSolutions-IAM5[Action::s3:Abort*]',
  );
}
