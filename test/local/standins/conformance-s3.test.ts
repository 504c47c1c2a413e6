/**
 * S3 rules of the stand-in (local/standins/s3.py), each with the AWS text it rests on: the IAM
 * action a bucket sub-resource request is authorized as (Object Lock, replication), and server
 * access logging into a bucket whose ACLs are disabled. Real SDK clients, IAM enforced (world.ts).
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
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

/** An S3 client with a role session's credentials. */
const s3As = (credentials: object) =>
  new S3Client({
    region,
    endpoint: world.moto.endpoint,
    forcePathStyle: true,
    credentials: credentials as never,
  });

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY);

/** A new version of `key` in the Object Lock bucket, locked `mode` for `days` (as the bucket's owner). */
async function lockedVersion(key: string, mode: 'COMPLIANCE' | 'GOVERNANCE', days: number): Promise<string> {
  const s3 = world.as(S3Client, member);
  const versionId = (
    await s3.send(new PutObjectCommand({ Bucket: 'conformance-locked', Key: key, Body: 'x' }))
  ).VersionId!;
  await s3.send(
    new PutObjectRetentionCommand({
      Bucket: 'conformance-locked',
      Key: key,
      VersionId: versionId,
      Retention: { Mode: mode, RetainUntilDate: inDays(days) },
    }),
  );
  return versionId;
}

const retention = (
  Key: string,
  VersionId: string,
  Mode: 'COMPLIANCE' | 'GOVERNANCE',
  days: number,
  bypass = false,
) =>
  new PutObjectRetentionCommand({
    Bucket: 'conformance-locked',
    Key,
    VersionId,
    Retention: { Mode, RetainUntilDate: inDays(days) },
    BypassGovernanceRetention: bypass || undefined,
  });

conformance('s3:PutObjectRetention', {
  behaviour: 'a compliance-mode retention is never shortened nor changed to governance; it may be extended',
  source:
    'S3 User Guide, Object Lock, "Retention modes" (quoted by the AWS CDK reference, ObjectLockMode.COMPLIANCE): "When an object is locked in compliance mode, its retention mode can\'t be changed, and its retention period can\'t be shortened." AWS does not document the error code; AccessDenied is the one S3 answers for Object Lock.',
  refuses: [
    'shortening it, or changing it to governance with a later date, even by the root user with the bypass header',
    async () => {
      const s3 = world.as(S3Client, member);
      const version = await lockedVersion('compliance/a', 'COMPLIANCE', 3);
      await expect(s3.send(retention('compliance/a', version, 'COMPLIANCE', 1, true))).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(s3.send(retention('compliance/a', version, 'GOVERNANCE', 10, true))).rejects.toMatchObject(
        {
          name: 'AccessDenied',
        },
      );
      const kept = await s3.send(
        new GetObjectRetentionCommand({
          Bucket: 'conformance-locked',
          Key: 'compliance/a',
          VersionId: version,
        }),
      );
      expect(kept.Retention?.Mode).toBe('COMPLIANCE');
      expect(kept.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(inDays(2).getTime());
    },
  ],
  accepts: [
    'extending it, and a governance retention changed to compliance without shortening it',
    async () => {
      const s3 = world.as(S3Client, member);
      const version = await lockedVersion('compliance/b', 'COMPLIANCE', 3);
      await expect(s3.send(retention('compliance/b', version, 'COMPLIANCE', 5))).resolves.toBeDefined();
      const governed = await lockedVersion('compliance/c', 'GOVERNANCE', 3);
      await expect(s3.send(retention('compliance/c', governed, 'COMPLIANCE', 3))).resolves.toBeDefined();
    },
  ],
});

conformance('s3:PutObjectRetention', {
  behaviour:
    'a governance-mode retention is shortened only with the bypass header and s3:BypassGovernanceRetention',
  source:
    'S3 User Guide, Object Lock, "Retention modes": "In governance mode, users can\'t overwrite or delete an object version or alter its lock settings unless they have special permissions." botocore, PutObjectRetention: "Bypassing a Governance Retention configuration requires the s3:BypassGovernanceRetention permission."',
  refuses: [
    'shortening without the header, and with it by a role not allowed s3:BypassGovernanceRetention',
    async () => {
      const version = await lockedVersion('governance/a', 'GOVERNANCE', 3);
      const { credentials } = await world.roleSession(member, 'conformance-s3-retention-nobypass', [
        { Effect: 'Allow', Action: ['s3:PutObjectRetention'], Resource: 'arn:aws:s3:::conformance-locked/*' },
      ]);
      const s3 = s3As(credentials);
      await expect(s3.send(retention('governance/a', version, 'GOVERNANCE', 1))).rejects.toMatchObject({
        name: 'AccessDenied',
      });
      await expect(s3.send(retention('governance/a', version, 'GOVERNANCE', 1, true))).rejects.toMatchObject({
        name: 'AccessDenied',
      });
      await expect(
        world.as(S3Client, member).send(retention('governance/a', version, 'GOVERNANCE', 1)),
      ).rejects.toMatchObject({
        name: 'AccessDenied',
      });
    },
  ],
  accepts: [
    'shortening with the header by a role allowed s3:BypassGovernanceRetention',
    async () => {
      const version = await lockedVersion('governance/b', 'GOVERNANCE', 3);
      const { credentials } = await world.roleSession(member, 'conformance-s3-retention-bypass', [
        {
          Effect: 'Allow',
          Action: ['s3:PutObjectRetention', 's3:BypassGovernanceRetention'],
          Resource: 'arn:aws:s3:::conformance-locked/*',
        },
      ]);
      await expect(
        s3As(credentials).send(retention('governance/b', version, 'GOVERNANCE', 1, true)),
      ).resolves.toBeDefined();
    },
  ],
});

conformance('s3:DeleteObject', {
  behaviour:
    'a governance-locked version is deleted only with the bypass header and s3:BypassGovernanceRetention, which a bucket policy Deny removes',
  source:
    'botocore, DeleteObjectRequest.BypassGovernanceRetention: "Indicates whether S3 Object Lock should bypass Governance-mode restrictions to process this operation. To use this header, you must have the s3:BypassGovernanceRetention permission." IAM User Guide, "Policy evaluation logic": "An explicit deny in any of the policies overrides the allow".',
  refuses: [
    'a role without the permission, and a role allowed it that the bucket policy denies it',
    async () => {
      const statements = (bypass: boolean) => [
        {
          Effect: 'Allow',
          Action: [
            's3:DeleteObject',
            's3:DeleteObjectVersion',
            ...(bypass ? ['s3:BypassGovernanceRetention'] : []),
          ],
          Resource: 'arn:aws:s3:::conformance-locked/*',
        },
      ];
      const without = await world.roleSession(member, 'conformance-s3-delete-nobypass', statements(false));
      const denied = await world.roleSession(member, 'conformance-s3-delete-denied', statements(true));
      await world.as(S3Client, member).send(
        new PutBucketPolicyCommand({
          Bucket: 'conformance-locked',
          Policy: doc({
            Effect: 'Deny',
            Principal: { AWS: denied.arn },
            Action: 's3:BypassGovernanceRetention',
            Resource: 'arn:aws:s3:::conformance-locked/*',
          }),
        }),
      );
      const version = await lockedVersion('governance/delete-a', 'GOVERNANCE', 3);
      const request = new DeleteObjectCommand({
        Bucket: 'conformance-locked',
        Key: 'governance/delete-a',
        VersionId: version,
        BypassGovernanceRetention: true,
      });
      await expect(s3As(without.credentials).send(request)).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(s3As(denied.credentials).send(request)).rejects.toMatchObject({ name: 'AccessDenied' });
    },
  ],
  accepts: [
    'a role allowed s3:BypassGovernanceRetention that no policy denies',
    async () => {
      const allowed = await world.roleSession(member, 'conformance-s3-delete-bypass', [
        {
          Effect: 'Allow',
          Action: ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
          Resource: 'arn:aws:s3:::conformance-locked/*',
        },
      ]);
      const version = await lockedVersion('governance/delete-b', 'GOVERNANCE', 3);
      await expect(
        s3As(allowed.credentials).send(
          new DeleteObjectCommand({
            Bucket: 'conformance-locked',
            Key: 'governance/delete-b',
            VersionId: version,
            BypassGovernanceRetention: true,
          }),
        ),
      ).resolves.toBeDefined();
    },
  ],
});

conformance('s3:PutBucketVersioning', {
  behaviour: 'versioning of a bucket with Object Lock is never suspended',
  source:
    'S3 User Guide, "Object Lock considerations": "After you enable Object Lock on a bucket, you can\'t disable Object Lock or suspend versioning for that bucket." S3 error codes, InvalidBucketState (409 Conflict); S3 answers "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."',
  refuses: [
    'Suspended on the Object Lock bucket',
    async () => {
      await expect(
        world.as(S3Client, member).send(
          new PutBucketVersioningCommand({
            Bucket: 'conformance-locked',
            VersioningConfiguration: { Status: 'Suspended' },
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidBucketState', $metadata: { httpStatusCode: 409 } });
    },
  ],
  accepts: [
    'Enabled on it (no change), and Suspended on a bucket without Object Lock',
    async () => {
      const s3 = world.as(S3Client, member);
      await expect(
        s3.send(
          new PutBucketVersioningCommand({
            Bucket: 'conformance-locked',
            VersioningConfiguration: { Status: 'Enabled' },
          }),
        ),
      ).resolves.toBeDefined();
      await createBucket('conformance-unlocked');
      await expect(
        s3.send(
          new PutBucketVersioningCommand({
            Bucket: 'conformance-unlocked',
            VersioningConfiguration: { Status: 'Suspended' },
          }),
        ),
      ).resolves.toBeDefined();
    },
  ],
});

conformance('s3:DeleteObjects', {
  behaviour:
    'authorized per object: s3:DeleteObject on each key, and s3:DeleteObjectVersion for an entry with a VersionId',
  source:
    'botocore, DeleteObjects: "For each key, Amazon S3 performs a delete operation and returns the result of that delete, success or failure, in the response." Permissions: "s3:DeleteObject - To delete an object from a bucket, you must always specify the s3:DeleteObject permission. s3:DeleteObjectVersion - To delete a specific version of an object from a versioning-enabled bucket, you must specify the s3:DeleteObjectVersion permission."',
  refuses: [
    "a key outside the role's grant, and a version without s3:DeleteObjectVersion (each its own AccessDenied)",
    async () => {
      const owner = world.as(S3Client, member);
      await createBucket('conformance-batch');
      await owner.send(
        new PutBucketVersioningCommand({
          Bucket: 'conformance-batch',
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
      for (const Key of ['allowed/a', 'allowed/b', 'other/c'])
        await owner.send(new PutObjectCommand({ Bucket: 'conformance-batch', Key, Body: 'x' }));
      const version = (
        await owner.send(new PutObjectCommand({ Bucket: 'conformance-batch', Key: 'allowed/b', Body: 'y' }))
      ).VersionId!;
      const { credentials } = await world.roleSession(member, 'conformance-s3-batch', [
        { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::conformance-batch/allowed/*' },
      ]);
      const res = await s3As(credentials).send(
        new DeleteObjectsCommand({
          Bucket: 'conformance-batch',
          Delete: {
            Objects: [{ Key: 'allowed/a' }, { Key: 'other/c' }, { Key: 'allowed/b', VersionId: version }],
          },
        }),
      );
      expect((res.Deleted ?? []).map((d) => d.Key)).toEqual(['allowed/a']);
      expect((res.Errors ?? []).map((e) => [e.Key, e.Code]).sort()).toEqual([
        ['allowed/b', 'AccessDenied'],
        ['other/c', 'AccessDenied'],
      ]);
    },
  ],
  accepts: [
    'each key and version the role is allowed',
    async () => {
      const owner = world.as(S3Client, member);
      const version = (
        await owner.send(new PutObjectCommand({ Bucket: 'conformance-batch', Key: 'allowed/d', Body: 'z' }))
      ).VersionId!;
      const { credentials } = await world.roleSession(member, 'conformance-s3-batch-versions', [
        {
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          Resource: 'arn:aws:s3:::conformance-batch/allowed/*',
        },
      ]);
      const res = await s3As(credentials).send(
        new DeleteObjectsCommand({
          Bucket: 'conformance-batch',
          Delete: { Objects: [{ Key: 'allowed/b' }, { Key: 'allowed/d', VersionId: version }] },
        }),
      );
      expect(res.Errors ?? []).toEqual([]);
      expect((res.Deleted ?? []).map((d) => d.Key).sort()).toEqual(['allowed/b', 'allowed/d']);
    },
  ],
});

conformance('s3:PutBucketPolicy', {
  behaviour: 'a bucket policy naming an IAM role or user that does not exist is refused',
  source:
    'AWS Knowledge Center, s3-invalid-principal-in-policy-error: "You receive the Error: Invalid principal in policy message when the value of a Principal in your bucket policy isn\'t valid." "If the Principal is an AWS Identity and Access Management (IAM) user or role, then confirm that the user or role wasn\'t deleted." Error code MalformedPolicy (400).',
  refuses: [
    'a policy naming a role the account does not have',
    async () => {
      await createBucket('conformance-policy');
      await expect(
        world.as(S3Client, member).send(
          new PutBucketPolicyCommand({
            Bucket: 'conformance-policy',
            Policy: doc({
              Effect: 'Deny',
              Principal: { AWS: `arn:aws:iam::${member}:role/nobody` },
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::conformance-policy/*',
            }),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'MalformedPolicy',
        message: 'Invalid principal in policy',
        $metadata: { httpStatusCode: 400 },
      });
    },
  ],
  accepts: [
    'the same policy naming a role that exists, and one naming the account',
    async () => {
      const { arn } = await world.roleSession(member, 'conformance-s3-policy-principal', [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      ]);
      for (const AWS of [arn, member])
        await expect(
          world.as(S3Client, member).send(
            new PutBucketPolicyCommand({
              Bucket: 'conformance-policy',
              Policy: doc({
                Effect: 'Deny',
                Principal: { AWS },
                Action: 's3:GetObject',
                Resource: 'arn:aws:s3:::conformance-policy/*',
              }),
            }),
          ),
        ).resolves.toBeDefined();
    },
  ],
});

conformance('s3:GetObject', {
  behaviour:
    'a bucket policy Allow for "*" grants a role of the bucket\'s account that no IAM policy allows the object',
  source:
    'IAM User Guide, "Policy evaluation logic", within one account: "If either the identity-based policy or the resource-based policy within the same account allows the request and the other doesn\'t, the request is still allowed". A Principal of "*" names every principal, the caller included (IAM User Guide, "AWS JSON policy elements: Principal", anonymous principals).',
  refuses: [
    'the same role once a statement of the bucket policy explicitly denies it',
    async () => {
      const owner = world.as(S3Client, member);
      await createBucket('conformance-anyone');
      await owner.send(new PutObjectCommand({ Bucket: 'conformance-anyone', Key: 'o', Body: 'x' }));
      const bare = await world.roleSession(member, 'conformance-s3-anyone', [
        { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      ]);
      const grant = {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::conformance-anyone/*',
      };
      await owner.send(
        new PutBucketPolicyCommand({
          Bucket: 'conformance-anyone',
          Policy: doc(grant, { ...grant, Effect: 'Deny', Principal: { AWS: bare.arn } }),
        }),
      );
      await expect(
        s3As(bare.credentials).send(new GetObjectCommand({ Bucket: 'conformance-anyone', Key: 'o' })),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
    },
  ],
  accepts: [
    'the role by the "*" statement alone',
    async () => {
      const bare = await world.roleSession(member, 'conformance-s3-anyone-allowed', [
        { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      ]);
      await world.as(S3Client, member).send(
        new PutBucketPolicyCommand({
          Bucket: 'conformance-anyone',
          Policy: doc({
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::conformance-anyone/*',
          }),
        }),
      );
      await expect(
        s3As(bare.credentials).send(new GetObjectCommand({ Bucket: 'conformance-anyone', Key: 'o' })),
      ).resolves.toBeDefined();
    },
  ],
});
