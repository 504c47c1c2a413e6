import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { checkovSkip } from '../../workflows/acknowledge';
import { accessLogsBucketProps, secureBucketProps } from '../secure-bucket';
import { archiveLockWeakness, type LogwardenConfig } from '../../contracts/config';
import { protectedBucketActions } from '../../contracts/archive-guard-scp';
import { archiveAccessLogsBucketName, archiveBucketName } from '../../contracts/names';

export interface ArchiveBucketProps {
  readonly config: LogwardenConfig;
  readonly key: kms.IKey;
}

/**
 * The CloudTrail event names of the protected bucket calls (contracts/archive-guard-scp.ts), for the alarm rule. CloudTrail names the lifecycle
 * call PutBucketLifecycle / DeleteBucketLifecycle; the Object Lock call is listed under both
 * spellings S3's CloudTrail pages use, which costs nothing.
 */
export const protectedBucketEvents = [
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketLifecycle',
  'DeleteBucketLifecycle',
  'PutObjectLockConfiguration',
  'PutBucketObjectLockConfiguration',
  'PutBucketReplication',
  'DeleteBucketReplication',
];

/**
 * What only the break-glass role may do to the archive's server access logs (who read, wrote or
 * re-configured the archive): delete a log, a version of one or the bucket, or change the
 * lifecycle (which also deletes), the policy (which holds this deny) or versioning (suspended,
 * a delete loses the log for good). S3's own lifecycle expiry is no call by a principal and goes on.
 */
export const protectedAccessLogActions = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteBucket',
  's3:PutLifecycleConfiguration',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketVersioning',
];

/**
 * The CloudTrail event names of the access-log bucket's protected bucket-level calls (management
 * events). PutLifecycleConfiguration covers both PutBucketLifecycle and DeleteBucketLifecycle.
 * The object deletes are data events: refused by the policy, and seen only by a trail that logs
 * S3 data events (docs/threat-model.md).
 */
export const protectedAccessLogEvents = [
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketLifecycle',
  'DeleteBucketLifecycle',
  'PutBucketVersioning',
  'DeleteBucket',
];

/** The write-once archive: SSE-KMS, TLS only, no public access, versioned, Object Lock, tiered. */
export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const { archive, breakGlassRoleArn, accounts } = props.config;
    // The pipeline's own region: the home region, or with pipeline.regional each pipeline's.
    const region = Stack.of(this).region;

    // Named, so that the archive guard SCP can name both buckets (contracts/archive-guard-scp.ts).
    this.accessLogs = new s3.Bucket(
      this,
      'AccessLogs',
      accessLogsBucketProps(archiveAccessLogsBucketName(accounts.logArchive, region), archive.retentionDays),
    );
    this.accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyBreakGlassDeletesOrReconfiguresAccessLogs',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: protectedAccessLogActions,
        resources: [this.accessLogs.bucketArn, this.accessLogs.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassRoleArn } },
      }),
    );
    retainGuardingPolicy(this.accessLogs);
    const selfLogging =
      'This is the server access log bucket of the archive; logging it into itself would loop.';
    Validations.of(this.accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: selfLogging });
    checkovSkip(this.accessLogs, selfLogging, 'CKV_AWS_18');

    const lock = archive.objectLock;
    const weakness = archiveLockWeakness(archive);
    if (weakness) {
      Annotations.of(this).addWarningV2(
        'logwarden:archive-lock-weaker',
        `archive.objectLock is weaker than a COMPLIANCE lock for the whole retention: ${weakness}. Accepted in config because: ${lock.acceptWeakerLock}`,
      );
    }
    const retention =
      lock.mode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(lock.days))
        : lock.mode === 'GOVERNANCE'
          ? s3.ObjectLockRetention.governance(Duration.days(lock.days))
          : undefined;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...secureBucketProps(props.key, this.accessLogs, 'archive/'),
      bucketName: archiveBucketName(accounts.logArchive, region),
      objectLockEnabled: lock.mode !== 'off',
      // With `per-object`, no default retention: Firehose's PutObject then needs no integrity
      // header, and the archive-lock function locks each version (see contracts/config.ts).
      objectLockDefaultRetention: lock.appliedBy === 'bucket-default' ? retention : undefined,
      // Object Created events for the archive-lock function, for the archive indexer of the
      // direct flow-log path (stacks/central/archive-indexer.ts) and for the Security Lake
      // writer (stacks/central/security-lake.ts).
      eventBridgeEnabled:
        (lock.mode !== 'off' && lock.appliedBy === 'per-object') ||
        props.config.flowLogs.delivery === 'firehose' ||
        props.config.archive.securityLake !== undefined,
      lifecycleRules: [
        {
          id: 'tier-then-expire',
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(archive.glacierInstantRetrievalAfterDays),
            },
            {
              storageClass: s3.StorageClass.DEEP_ARCHIVE,
              transitionAfter: Duration.days(archive.deepArchiveAfterDays),
            },
          ],
          expiration: Duration.days(archive.retentionDays),
          // A version becomes noncurrent when the expiration above (or anyone) puts a delete marker
          // on it. With a lock, the lock keeps each version for its days and lifecycle cannot
          // delete it earlier, so the noncurrent copy goes a day later; counting the lock's days
          // again here would double the archive's storage. Without a lock, 30 days to recover.
          noncurrentVersionExpiration: Duration.days(lock.mode === 'off' ? 30 : 1),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyBreakGlassChangesLockLifecycleOrPolicy',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: protectedBucketActions,
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassRoleArn } },
      }),
    );
    retainGuardingPolicy(this.bucket);
  }
}

/**
 * A retained bucket keeps the policy that guards it when the stack goes. CloudFormation would
 * otherwise delete the policy as the stack's execution role, which the policy itself denies
 * `s3:DeleteBucketPolicy` ("the root user of the AWS account that owns a bucket can always use
 * the GetBucketPolicy, PutBucketPolicy, and DeleteBucketPolicy API actions, even if their policy
 * explicitly denies the root user", S3 API Reference, DeleteBucketPolicy; no one else can): the
 * delete would fail `cdk destroy`, and if it succeeded it would leave the archive unguarded.
 */
function retainGuardingPolicy(bucket: s3.Bucket): void {
  bucket.policy!.applyRemovalPolicy(RemovalPolicy.RETAIN);
}
