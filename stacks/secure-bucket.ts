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
