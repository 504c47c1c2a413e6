/**
 * The archive's optional replica (issue 21, compliance findings: "Give the archive an optional
 * cross-region or cross-account replica, with Object Lock on the replica"): synthesized with a
 * replica in another Region of the log-archive account and in another account, and read back
 * against the S3 User Guide's statements ("Setting up permissions for live replication",
 * "Replicating encrypted objects", the Object Lock addition).
 */
import { buildExample, exampleConfig, exampleConfigRaw, templateOf } from './example-app';
import { ConfigError } from '../../contracts/config';
import { prerequisites } from '../../contracts/prerequisites';

const archiveOverrides = (replica: unknown) => ({
  archive: { ...(exampleConfigRaw().archive as Record<string, unknown>), replica },
});

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const sorted = (a: string | string[]) => [a].flat().sort();

describe.each([
  ['cross-region', '222222222222', 'eu-central-1'],
  ['cross-account', '555555555555', 'eu-central-1'],
])('a %s replica of the archive', (_, account, region) => {
  const config = exampleConfig(archiveOverrides({ account, region }));
  const stacks = buildExample(config);
  const central = templateOf(stacks.central);
  const replicaStack = stacks.archiveReplica!;
  const replica = templateOf(replicaStack);
  const crossAccount = account !== config.accounts.logArchive;
  const archiveArn = `arn:aws:s3:::logwarden-archive-222222222222-eu-west-1`;
  const replicaArn = `arn:aws:s3:::logwarden-archive-replica-${account}-${region}`;
  const roleArn = 'arn:aws:iam::222222222222:role/logwarden-archive-replication';

  it('is its own stack in that account and Region, deployed before LogwardenCentral', () => {
    expect(replicaStack.account).toBe(account);
    expect(replicaStack.region).toBe(region);
    expect(stacks.central.dependencies).toContain(replicaStack);
  });

  it('preflight lists its CDK bootstrap when it is in the log-archive account (another account bootstraps its own)', () => {
    const ids = prerequisites(config).map((p) => p.id);
    expect(ids.includes(`cdk-bootstrap-${account}-${region}`)).toBe(!crossAccount);
  });

  it('the replica is Object-Locked with the archive’s mode and days, versioned, SSE-KMS with its own key', () => {
    const buckets = Object.values(replica.findResources('AWS::S3::Bucket')).filter(
      (b) => b.Properties.BucketName === `logwarden-archive-replica-${account}-${region}`,
    );
    expect(buckets).toHaveLength(1);
    const p = buckets[0].Properties;
    expect(p.ObjectLockEnabled).toBe(true);
    expect(p.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: config.archive.objectLock.days } },
    });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const [sse] = p.BucketEncryption.ServerSideEncryptionConfiguration;
    expect(sse.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    const [keyId] = Object.keys(replica.findResources('AWS::KMS::Key'));
    expect(sse.ServerSideEncryptionByDefault.KMSMasterKeyID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    replica.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/logwarden-archive-replica' });
  });

  it('the key admits the replication role alone, through S3 of the replica’s Region', () => {
    const [key] = Object.values(replica.findResources('AWS::KMS::Key'));
    const statements = key.Properties.KeyPolicy.Statement as Statement[];
    expect(statements.find((s) => s.Sid === 'ArchiveReplicationEncryptsReplicas')).toEqual({
      Sid: 'ArchiveReplicationEncryptsReplicas',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: ['kms:Decrypt', 'kms:Encrypt'],
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': roleArn },
        StringEquals: {
          'aws:PrincipalOrgID': config.organizationId,
          'kms:ViaService': `s3.${region}.amazonaws.com`,
        },
      },
    });
  });

  it('the bucket policy admits only the replication role, over TLS, and no one writes or deletes replicas', () => {
    const [policy] = Object.values(replica.findResources('AWS::S3::BucketPolicy')).filter((p) =>
      JSON.stringify(p.Properties.Bucket).includes('Bucket'),
    );
    const statements = policy.Properties.PolicyDocument.Statement as Statement[];
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    const replicate = [
      's3:ObjectOwnerOverrideToBucketOwner',
      's3:ReplicateDelete',
      's3:ReplicateObject',
      's3:ReplicateTags',
    ];
    const fromRole = {
      ArnEquals: { 'aws:PrincipalArn': roleArn },
      StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
    };
    expect(bySid('ArchiveReplicationWritesReplicas')).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: replicate,
      Condition: fromRole,
    });
    expect(bySid('ArchiveReplicationReadsTheBucket')).toMatchObject({
      Effect: 'Allow',
      Action: ['s3:GetBucketVersioning', 's3:ListBucket'],
      Condition: fromRole,
    });
    expect(bySid('OnlyTheArchiveReplicationReplicates')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: replicate,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArn } },
    });
    expect(sorted(bySid('NoOneWritesOrDeletesReplicas').Action)).toEqual(
      sorted([
        's3:BypassGovernanceRetention',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutObject',
        's3:PutObjectRetention',
      ]),
    );
    expect(bySid('NoOneWritesOrDeletesReplicas').Condition).toBeUndefined();
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // Every Allow names the replication role; nothing else is admitted.
    for (const s of statements.filter((s) => s.Effect === 'Allow' && s.Principal !== undefined))
      if (JSON.stringify(s.Principal) !== JSON.stringify({ Service: 'logging.s3.amazonaws.com' }))
        expect(s.Condition?.ArnEquals?.['aws:PrincipalArn']).toBe(roleArn);
  });

  it('the archive replicates every new version there: KMS objects, the replica key, owner override across accounts', () => {
    const [archive] = Object.values(central.findResources('AWS::S3::Bucket')).filter(
      (b) => b.Properties.BucketName === 'logwarden-archive-222222222222-eu-west-1',
    );
    const [roleId] = Object.keys(
      central.findResources('AWS::IAM::Role', {
        Properties: { RoleName: 'logwarden-archive-replication' },
      }),
    );
    expect(archive.Properties.ReplicationConfiguration).toEqual({
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Rules: [
        {
          Id: 'archive-replica',
          Status: 'Enabled',
          Priority: 1,
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Disabled' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: {
            Bucket: replicaArn,
            EncryptionConfiguration: {
              ReplicaKmsKeyID: `arn:aws:kms:${region}:${account}:alias/logwarden-archive-replica`,
            },
            ...(crossAccount ? { Account: account, AccessControlTranslation: { Owner: 'Destination' } } : {}),
          },
        },
      ],
    });
    expect(archive.DependsOn).toEqual(expect.arrayContaining([roleId]));
  });

  it('the replication role is trusted by S3 alone and holds exactly the guide’s statements', () => {
    const roles = central.findResources('AWS::IAM::Role', {
      Properties: { RoleName: 'logwarden-archive-replication' },
    });
    const [[roleId, role]] = Object.entries(roles);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const policies = Object.values(central.findResources('AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    expect(policies).toHaveLength(1);
    const [archiveKeyId] = Object.entries(central.findResources('AWS::KMS::Key')).find(([, k]) =>
      k.Properties.Description.includes('S3 log archive'),
    )!;
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadTheReplicationConfiguration',
        Effect: 'Allow',
        Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        Resource: archiveArn,
      },
      {
        Sid: 'ReadArchiveVersionsAndTheirLocks',
        Effect: 'Allow',
        Action: [
          's3:GetObjectLegalHold',
          's3:GetObjectRetention',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionTagging',
        ],
        Resource: `${archiveArn}/*`,
      },
      {
        Sid: 'WriteReplicas',
        Effect: 'Allow',
        Action: [
          ...(crossAccount ? ['s3:ObjectOwnerOverrideToBucketOwner'] : []),
          's3:ReplicateDelete',
          's3:ReplicateObject',
          's3:ReplicateTags',
        ],
        Resource: `${replicaArn}/*`,
      },
      {
        Sid: 'DecryptArchiveVersions',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [archiveKeyId, 'Arn'] },
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          // A Bucket Key's context is the bucket ARN, an object's without one its own ARN.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [archiveArn, `${archiveArn}/*`] },
        },
      },
      {
        Sid: 'EncryptReplicas',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: `arn:aws:kms:${region}:${account}:key/*`,
        Condition: {
          StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [replicaArn, `${replicaArn}/*`] },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/logwarden-archive-replica' },
        },
      },
    ]);
  });
});

describe('archive.replica', () => {
  it('is off by default: no replica stack, no replication rule, no replication role', () => {
    const stacks = buildExample(exampleConfig());
    expect(stacks.archiveReplica).toBeUndefined();
    const central = templateOf(stacks.central);
    for (const b of Object.values(central.findResources('AWS::S3::Bucket')))
      expect(b.Properties.ReplicationConfiguration).toBeUndefined();
    expect(
      Object.keys(
        central.findResources('AWS::IAM::Role', {
          Properties: { RoleName: 'logwarden-archive-replication' },
        }),
      ),
    ).toHaveLength(0);
  });

  it('refuses the archive’s own account and Region', () => {
    expect(() => exampleConfig(archiveOverrides({ account: '222222222222', region: 'eu-west-1' }))).toThrow(
      /archive\.replica: must be another Region or another account than the archive's \(222222222222, eu-west-1\)/,
    );
  });

  it('refuses an archive without Object Lock: the replica takes its mode and days', () => {
    const archive = exampleConfigRaw().archive as Record<string, unknown>;
    expect(() =>
      exampleConfig({
        archive: {
          ...archive,
          objectLock: { mode: 'off', acceptWeakerLock: 'a test of the replica refusal' },
          replica: { account: '555555555555', region: 'eu-central-1' },
        },
      }),
    ).toThrow(ConfigError);
  });

  it('names the account and Region fields when they are malformed', () => {
    expect(() => exampleConfig(archiveOverrides({ account: '5', region: 'mars' }))).toThrow(
      /archive\.replica\.account: must be a 12-digit AWS account id[\s\S]*archive\.replica\.region: must be an AWS region name/,
    );
  });
});
