/**
 * S3 rules of the stand-in (local/standins/s3.py), each with the AWS text it rests on: the IAM
 * action a bucket sub-resource request is authorized as (Object Lock, replication), and server
 * access logging into a bucket whose ACLs are disabled. Real SDK clients, IAM enforced (world.ts).
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { conformance } from './conformance';
import { World, member, region } from './world';

let world: World;
let counter = 0;

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** An S3 client acting as a role of the member account allowed only `actions` on every bucket. */
async function roleAllowed(actions: string[]): Promise<S3Client> {
  const iam = world.as(IAMClient, member, 'us-east-1');
  const name = `conformance-s3-${++counter}`;
  const arn = (
    await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        }),
      }),
    )
  ).Role!.Arn!;
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'inline',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: actions,
        Resource: ['arn:aws:s3:::*', 'arn:aws:s3:::*/*'],
      }),
    }),
  );
  const res = await world.serviceCredentials(arn, 'lambda.amazonaws.com');
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return new S3Client({
    region,
    endpoint: world.moto.endpoint,
    forcePathStyle: true,
    credentials: res.body as never,
  });
}

const createBucket = (Bucket: string, lock = false) =>
  world.as(S3Client, member).send(
    new CreateBucketCommand({
      Bucket,
      CreateBucketConfiguration: { LocationConstraint: region },
      ObjectLockEnabledForBucket: lock || undefined,
    }),
  );

beforeAll(async () => {
  world = await World.start({ iam: true });
  await createBucket('conformance-locked', true);
}, 60_000);

afterAll(() => world?.stop());

const lockRequest = new PutObjectLockConfigurationCommand({
  Bucket: 'conformance-locked',
  ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
});

conformance('s3:PutObjectLockConfiguration', {
  behaviour: 'authorized as s3:PutBucketObjectLockConfiguration, not as s3:CreateBucket',
  source:
    'Service Authorization Reference, "Actions defined by Amazon S3": PutBucketObjectLockConfiguration, "Grants permission to put Object Lock configuration on a specific bucket", API operation PutObjectLockConfiguration',
  refuses: [
    'a principal allowed only s3:CreateBucket',
    async () => {
      const s3 = await roleAllowed(['s3:CreateBucket']);
      await expect(s3.send(lockRequest)).rejects.toMatchObject({ name: 'AccessDenied' });
    },
  ],
  accepts: [
    'a principal allowed s3:PutBucketObjectLockConfiguration',
    async () => {
      const s3 = await roleAllowed(['s3:PutBucketObjectLockConfiguration']);
      await expect(s3.send(lockRequest)).resolves.toBeDefined();
    },
  ],
});

conformance('s3:PutBucketLogging', {
  behaviour: 'into a bucket whose ACLs are disabled, the grant is the target bucket policy, read at delivery',
  source:
    'S3 User Guide, "Permissions for log delivery": "If the destination bucket uses the Bucket owner enforced setting for Object Ownership, ACLs are disabled and no longer affect permissions. You must update the bucket policy on the destination bucket to grant access to the logging service principal." S3 error codes, InvalidTargetBucketForLogging: "The target bucket for logging does not exist, is not owned by you, or does not have the appropriate grants for the log-delivery group."',
  refuses: [
    'a target bucket with ACLs and no grant for the log-delivery group',
    async () => {
      await createBucket('conformance-source');
      await createBucket('conformance-acl-target');
      await expect(
        world.as(S3Client, member).send(
          new PutBucketLoggingCommand({
            Bucket: 'conformance-source',
            BucketLoggingStatus: {
              LoggingEnabled: { TargetBucket: 'conformance-acl-target', TargetPrefix: 'a/' },
            },
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidTargetBucketForLogging' });
    },
  ],
  accepts: [
    'a bucket-owner-enforced target whose policy is not written yet',
    async () => {
      const s3 = world.as(S3Client, member);
      await createBucket('conformance-enforced-target');
      await s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket: 'conformance-enforced-target',
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        }),
      );
      await expect(
        s3.send(
          new PutBucketLoggingCommand({
            Bucket: 'conformance-source',
            BucketLoggingStatus: {
              LoggingEnabled: { TargetBucket: 'conformance-enforced-target', TargetPrefix: 'a/' },
            },
          }),
        ),
      ).resolves.toBeDefined();
    },
  ],
});

/** The archive's replication rule as LogwardenCentral synthesizes it (stacks/central/archive-replication.ts). */
const replicationRequest = (role: string) =>
  new PutBucketReplicationCommand({
    Bucket: 'conformance-replicated',
    ReplicationConfiguration: {
      Role: role,
      Rules: [
        {
          ID: 'archive-replica',
          Status: 'Enabled',
          Priority: 1,
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Disabled' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: { Bucket: 'arn:aws:s3:::conformance-replica' },
        },
      ],
    },
  });

conformance('s3:PutBucketReplication', {
  behaviour: 'authorized as s3:PutReplicationConfiguration, not as s3:CreateBucket',
  source:
    'Service Authorization Reference, "Actions defined by Amazon S3": PutReplicationConfiguration, "Grants permission to create a new replication configuration or replace an existing one", API operation PutBucketReplication',
  refuses: [
    'a principal allowed only s3:CreateBucket',
    async () => {
      await createBucket('conformance-replicated', true);
      await world.as(S3Client, member).send(
        new PutBucketVersioningCommand({
          Bucket: 'conformance-replicated',
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
      const s3 = await roleAllowed(['s3:CreateBucket']);
      await expect(
        s3.send(replicationRequest(`arn:aws:iam::${member}:role/logwarden-archive-replication`)),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
    },
  ],
  accepts: [
    'a principal allowed s3:PutReplicationConfiguration',
    async () => {
      const s3 = await roleAllowed(['s3:PutReplicationConfiguration']);
      await expect(
        s3.send(replicationRequest(`arn:aws:iam::${member}:role/logwarden-archive-replication`)),
      ).resolves.toBeDefined();
    },
  ],
});
