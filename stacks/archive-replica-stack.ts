import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { checkovSkip } from '../workflows/acknowledge';
import type { LogwardenConfig } from '../contracts/config';
import {
  archiveReplicaBucketName,
  archiveReplicationRoleArn,
  names,
  replicaAccessLogsBucketName,
} from '../contracts/names';
import { accessLogsBucketProps, secureBucketProps } from './secure-bucket';
import { secureKey } from './secure-key';

export interface ArchiveReplicaStackProps extends StackProps {
  readonly config: LogwardenConfig;
}

/**
 * What the replication role may do to the replica, and nothing else may: write replicas and
 * delete markers ("s3:ReplicateObject and s3:ReplicateDelete – Permissions for these actions on
 * all objects in the destination bucket allow Amazon S3 to replicate objects or delete markers",
 * S3 User Guide, "Setting up permissions for live replication", step 2), their tags, and (across
 * accounts) hand the replica to this bucket's owner (step 4, "Changing the replica owner").
 */
export const replicaWriteActions = [
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
  's3:ObjectOwnerOverrideToBucketOwner',
];

/**
 * The archive's replica (`archive.replica`), in its own account and Region: an Object-Locked
 * bucket with the archive's mode and days as its default retention, its own key, and a policy
 * that admits only the log-archive account's replication role. Deployed before
 * LogwardenCentral, whose replication rule names this bucket and key (docs/deploying.md).
 */
export class ArchiveReplicaStack extends Stack {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveReplicaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const replica = config.archive.replica;
    if (!replica) throw new Error('ArchiveReplicaStack needs archive.replica in the configuration');
    const { archive, accounts, organizationId } = config;
    const lock = archive.objectLock;
    if (lock.mode === 'off')
      throw new Error('archive.replica needs archive.objectLock (contracts/config.ts)');

    // The role lives in the log-archive account and is named, not referenced: a principal of
    // another account or stack. Named by the log-archive account as principal and the role by
    // aws:PrincipalArn, so that KMS and S3 accept the policies before the role exists (it is
    // created by LogwardenCentral, deployed after this stack); within the organization only.
    const replicationRole = archiveReplicationRoleArn(accounts.logArchive);
    const fromReplicationRole = {
      ArnEquals: { 'aws:PrincipalArn': replicationRole },
      StringEquals: { 'aws:PrincipalOrgID': organizationId },
    };
    const logArchiveAccount = new iam.AccountPrincipal(accounts.logArchive);

    const key = secureKey(this, 'ReplicaKey', 'S3 log archive replica', names.archiveReplicaKeyAlias);
    // "You must grant kms:Encrypt permissions for the AWS KMS key that's used to encrypt the object
    // replica" and "If the KMS keys are owned by another AWS account, the owner of the KMS keys must
    // grant these permissions to the AWS account that owns the IAM role"; with an S3 Bucket Key,
    // "the AWS KMS key policy for the KMS key that's used to encrypt the object replica must include
    // kms:Decrypt permissions for the calling principal" (S3 User Guide, "Replicating encrypted
    // objects"). Through S3 in this Region only.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveReplicationEncryptsReplicas',
        principals: [logArchiveAccount],
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ...fromReplicationRole,
          StringEquals: {
            ...fromReplicationRole.StringEquals,
            'kms:ViaService': `s3.${this.region}.amazonaws.com`,
          },
        },
      }),
    );

    const accessLogs = new s3.Bucket(
      this,
      'AccessLogs',
      accessLogsBucketProps(
        replicaAccessLogsBucketName(replica.account, replica.region),
        archive.retentionDays,
      ),
    );
    const selfLogging =
      'This is the server access log bucket of the archive replica; logging it into itself would loop.';
    checkovSkip(accessLogs, selfLogging, 'CKV_AWS_18');
    checkovSkip(
      accessLogs,
      'The access logs of the replica are not themselves replicated: they describe the copy, not the logs.',
      'CKV_AWS_144',
    );

    const days = Duration.days(lock.days);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...secureBucketProps(key, accessLogs, 'replica/'),
      bucketName: archiveReplicaBucketName(replica.account, replica.region),
      // "to replicate objects from S3 Object Lock enabled buckets, your destination bucket must
      // also have S3 Object Lock enabled" (Amazon S3 FAQs, Replication). The default retention
      // locks a replica whose source version was not (yet) locked; a locked source version keeps
      // its own retention.
      objectLockEnabled: true,
      objectLockDefaultRetention:
        lock.mode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(days)
          : s3.ObjectLockRetention.governance(days),
      lifecycleRules: [
        {
          id: 'archive-then-expire',
          // The copy of last resort is read only when the archive is gone: Deep Archive at once
          // after the archive's own Deep Archive transition.
          transitions: [
            {
              storageClass: s3.StorageClass.DEEP_ARCHIVE,
              transitionAfter: Duration.days(archive.deepArchiveAfterDays),
            },
          ],
          expiration: Duration.days(archive.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    checkovSkip(
      this.bucket,
      'This bucket is the replica of the archive; replicating it again would only add a third copy.',
      'CKV_AWS_144',
    );
    const objects = this.bucket.arnForObjects('*');
    // S3 User Guide, "Setting up permissions for live replication", step 3 (buckets of different
    // accounts): the destination's policy grants the replication role the replicate actions on its
    // objects and s3:List*, s3:GetBucketVersioning, s3:PutBucketVersioning on the bucket. Here
    // ListBucket and GetBucketVersioning: versioning of a bucket with Object Lock can never be
    // suspended ("After you enable Object Lock on a bucket, you can't disable Object Lock or
    // suspend versioning for that bucket", S3 User Guide, "Object Lock considerations"), so the
    // role has nothing to put.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveReplicationWritesReplicas',
        principals: [logArchiveAccount],
        actions: replicaWriteActions,
        resources: [objects],
        conditions: fromReplicationRole,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveReplicationReadsTheBucket',
        principals: [logArchiveAccount],
        actions: ['s3:ListBucket', 's3:GetBucketVersioning'],
        resources: [this.bucket.bucketArn],
        conditions: fromReplicationRole,
      }),
    );
    // Only the replication role writes here: no principal of this account either replicates into
    // the bucket, or writes, deletes, or re-locks its objects. S3's own lifecycle expiry is no
    // principal's call and goes on.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheArchiveReplicationReplicates',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: replicaWriteActions,
        resources: [objects],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': replicationRole } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NoOneWritesOrDeletesReplicas',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [
          's3:PutObject',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:PutObjectRetention',
          's3:BypassGovernanceRetention',
        ],
        resources: [objects],
      }),
    );
  }
}
