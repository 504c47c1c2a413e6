import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { checkovSkip } from '../../workflows/acknowledge';
import type { LogwardenConfig } from '../../contracts/config';

export interface ArchiveBucketProps {
  readonly config: LogwardenConfig;
  readonly key: kms.IKey;
}

/** The write-once archive: SSE-KMS, TLS only, no public access, versioned, Object Lock, tiered. */
export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const { archive } = props.config;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // server access logging cannot write to SSE-KMS buckets
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { expiration: Duration.days(archive.retentionDays), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const selfLogging =
      'This is the server access log bucket of the archive; logging it into itself would loop.';
    Validations.of(this.accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: selfLogging });
    checkovSkip(this.accessLogs, selfLogging, 'CKV_AWS_18');

    const lock = archive.objectLock;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'archive/',
      objectLockEnabled: lock.mode !== 'off',
      objectLockDefaultRetention:
        lock.mode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(Duration.days(lock.days))
          : lock.mode === 'GOVERNANCE'
            ? s3.ObjectLockRetention.governance(Duration.days(lock.days))
            : undefined,
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
          noncurrentVersionExpiration: Duration.days(Math.max(1, lock.mode === 'off' ? 30 : lock.days)),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
