import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, logicalIdOf } from '../../workflows/acknowledge';
import { NodeFunction } from '../node-function';
import { archiveLockEnv } from '../../functions/archive-lock/env';

export interface ArchiveLockProps {
  readonly bucket: s3.IBucket;
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE';
  readonly days: number;
  readonly logKey: kms.IKey;
  /** Encrypts the failure queue; EventBridge is allowed to use it for this rule only. */
  readonly stateKey: kms.Key;
}

/**
 * The `per-object` Object Lock (contracts/config.ts): every version created in the archive,
 * whoever wrote it (Firehose, the indexer's rejected/ documents, the consumers' on-failure
 * records), is locked by the archive-lock function from S3's "Object Created" event. A failed
 * lock is retried by EventBridge for 24 hours and by Lambda's asynchronous invocation, then
 * kept in an encrypted queue that health.ts alarms on.
 */
export class ArchiveLock extends Construct {
  readonly function: NodeFunction;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: ArchiveLockProps) {
    super(scope, id);
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.stateKey,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    acknowledge(
      this.failures,
      'This queue is itself the dead-letter destination of the archive-lock events and invocations.',
      'AwsSolutions-SQS3',
    );

    this.function = new NodeFunction(this, 'Function', {
      name: 'archive-lock',
      description: 'Locks each new archive object version (PutObjectRetention) for the configured days',
      timeout: Duration.seconds(30),
      logKey: props.logKey,
      environment: archiveLockEnv.environment({ lockMode: props.mode, lockDays: String(props.days) }),
    });
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObjectRetention', 's3:PutObjectRetention'],
        resources: [props.bucket.arnForObjects('*')],
      }),
    );
    acknowledge(
      this.function,
      'Every object version in the archive is locked, whatever its key: retention calls only, no read or write of data.',
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.bucket)}.Arn>/*]`,
    );
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failures),
    });

    const ruleName = 'logwarden-archive-lock';
    const rule = new events.Rule(this, 'ObjectCreated', {
      ruleName,
      description: 'logwarden: lock each new archive object version',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.bucket.bucketName] } },
      },
    });
    rule.addTarget(
      new targets.LambdaFunction(this.function, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.failures,
      }),
    );
    // EventBridge writes undeliverable events into the KMS-encrypted queue, for this rule only
    // (its ARN built from the fixed name: referencing the rule would make the key depend on it).
    const stack = Stack.of(this);
    props.stateKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDeadLetterForArchiveLock',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: {
            'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/${ruleName}`,
          },
        },
      }),
    );
  }
}
