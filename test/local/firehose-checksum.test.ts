/**
 * The emulated Firehose's S3 writes carry no checksum the operation does not require
 * (local/firehose-driver.ts, FirehoseS3Client): the Firehose documentation does not say that
 * Firehose sends Content-MD5 or an x-amz-checksum-* header, and botocore,
 * PutObjectRequest.ChecksumAlgorithm: "The Content-MD5 or x-amz-sdk-checksum-algorithm header is
 * required for any request to upload an object with a retention period configured using Amazon S3
 * Object Lock" (PutObject's httpChecksum: requestChecksumRequired false). So a `bucket-default` archive (default
 * retention) refuses the local delivery, the stricter answer; a `per-object` archive (Object Lock
 * without default retention, logwarden's default) takes it.
 */
import {
  CreateBucketCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { FirehoseS3Client } from '../../local/firehose-driver';
import { World, member, region } from './standins/world';

let world: World;

beforeAll(async () => {
  world = await World.start();
  const s3 = world.as(S3Client, member);
  for (const Bucket of ['archive-per-object', 'archive-bucket-default'])
    await s3.send(
      new CreateBucketCommand({
        Bucket,
        CreateBucketConfiguration: { LocationConstraint: region },
        ObjectLockEnabledForBucket: true,
      }),
    );
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: 'archive-bucket-default',
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
      },
    }),
  );
}, 60_000);

afterAll(() => world?.stop());

const put = (s3: S3Client, Bucket: string) =>
  s3.send(new PutObjectCommand({ Bucket, Key: 'ocsf/part-1.gz', Body: 'records' }));

describe('the emulated Firehose writes the archive without a checksum header', () => {
  it('a bucket with a default retention refuses its PutObject, which the SDK default (CRC32) passes', async () => {
    await expect(put(world.as(FirehoseS3Client, member), 'archive-bucket-default')).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    await expect(put(world.as(S3Client, member), 'archive-bucket-default')).resolves.toBeDefined();
  });

  it('a bucket with Object Lock and no default retention (per-object) takes it', async () => {
    await expect(put(world.as(FirehoseS3Client, member), 'archive-per-object')).resolves.toMatchObject({
      VersionId: expect.any(String),
    });
  });
});
