import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket logwarden keeps data in shares: SSE-KMS with this key (an S3 Bucket Key, so
 * KMS is asked once per object batch, not per object), no public access, TLS 1.2 or later only,
 * versioned, owner-enforced objects (no ACLs), and its server access logs in the access-log
 * bucket under `accessLogsPrefix`.
 */
export function secureBucketProps(
  key: kms.IKey,
  accessLogs: s3.IBucket,
  accessLogsPrefix: string,
): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: accessLogsPrefix,
  };
}

/**
 * A bucket that receives S3 server access logs: S3-managed encryption (server access logging
 * cannot deliver to an SSE-KMS bucket), no public access, TLS only, versioned, owner-enforced,
 * the logs kept as long as the data they describe, and retained when the stack goes.
 */
export function accessLogsBucketProps(bucketName: string, retentionDays: number): s3.BucketProps {
  return {
    bucketName,
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [
      { expiration: Duration.days(retentionDays), noncurrentVersionExpiration: Duration.days(30) },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  };
}
