import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  archiveBucketName,
  archiveReplicaBucketName,
  archiveReplicaKeyAliasArn,
  names,
} from '../../contracts/names';
import { acknowledge } from '../../workflows/acknowledge';
import { replicaWriteActions } from '../archive-replica-stack';

export interface ArchiveReplicationProps {
  /** The archive; it gains the replication rule. */
  readonly bucket: s3.Bucket;
  readonly key: kms.IKey;
  /** `archive.replica`: where the replica stack put the replica. */
  readonly replica: { account: string; region: string };
}

/**
 * Replicates every new version of the archive into the replica (stacks/archive-replica-stack.ts),
 * with the role S3 assumes to do it. The role's statements are those of the S3 User Guide,
 * "Setting up permissions for live replication" (step 2, and step 4 across accounts),
 * "Replicating encrypted objects" (the keys) and the Object Lock addition; each is quoted below.
 */
export class ArchiveReplication extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ArchiveReplicationProps) {
    super(scope, id);
    const { bucket, key, replica } = props;
    const stack = Stack.of(this);
    const crossAccount = replica.account !== stack.account;
    const replicaBucketArn = `arn:${stack.partition}:s3:::${archiveReplicaBucketName(replica.account, replica.region)}`;
    // The archive by its fixed name: a reference to the bucket would make the bucket depend on
    // the role's policy and the policy on the bucket.
    const archiveArn = `arn:${stack.partition}:s3:::${archiveBucketName(stack.account, stack.region)}`;

    // "The following example shows a trust policy where you identify Amazon S3 as the AWS service
    // principal that can assume the role" (step 2): the guide's trust carries no condition, and
    // it does not say which request context S3 sends when it assumes the role.
    this.role = new iam.Role(this, 'Role', {
      roleName: names.archiveReplicationRole,
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: 'logwarden: S3 replicates the archive into its Object-Locked replica',
    });
    const statements = [
      // "s3:GetReplicationConfiguration and s3:ListBucket – Permissions for these actions on the
      // source bucket allow Amazon S3 to retrieve the replication configuration and list the
      // bucket content."
      new iam.PolicyStatement({
        sid: 'ReadTheReplicationConfiguration',
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [archiveArn],
      }),
      // "s3:GetObjectVersionForReplication and s3:GetObjectVersionAcl – ... granted on all
      // objects to allow Amazon S3 to get a specific object version and access control list";
      // "s3:GetObjectVersionTagging – ... allow Amazon S3 to read object tags for replication";
      // and "To use Object Lock with replication, you must grant two additional permissions on
      // the source S3 bucket ... s3:GetObjectRetention and s3:GetObjectLegalHold."
      new iam.PolicyStatement({
        sid: 'ReadArchiveVersionsAndTheirLocks',
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
        ],
        resources: [`${archiveArn}/*`],
      }),
      // "s3:ReplicateObject and s3:ReplicateDelete – ... allow Amazon S3 to replicate objects or
      // delete markers to the destination bucket", s3:ReplicateTags for the tags; across accounts
      // also s3:ObjectOwnerOverrideToBucketOwner (step 4, "Changing the replica owner").
      new iam.PolicyStatement({
        sid: 'WriteReplicas',
        actions: crossAccount
          ? replicaWriteActions
          : replicaWriteActions.filter((a) => a !== 's3:ObjectOwnerOverrideToBucketOwner'),
        resources: [`${replicaBucketArn}/*`],
      }),
      // "You must grant kms:Decrypt permissions for the AWS KMS key that's used to decrypt the
      // source object" ... "We recommend that you restrict these permissions only to the
      // destination buckets and objects by using AWS KMS condition keys"; "When an S3 Bucket Key
      // is enabled for the source or destination bucket, the encryption context will be the
      // bucket Amazon Resource Name (ARN), not the object ARN" (Replicating encrypted objects).
      new iam.PolicyStatement({
        sid: 'DecryptArchiveVersions',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          // The bucket ARN under a Bucket Key, the object ARN for any version written without
          // one: the guide's examples hold the context with StringLike to bucket/prefix*.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [archiveArn, `${archiveArn}/*`] },
        },
      }),
      // "You must grant kms:Encrypt permissions for the AWS KMS key that's used to encrypt the
      // object replica", and kms:Decrypt of it with a Bucket Key ("The call to kms:Decrypt
      // verifies the integrity of the S3 Bucket Key before using it"). The replica's key has no
      // ARN this stack can know (another stack, account or Region creates it), so the statement
      // names that account's keys in that Region and holds to the one under the replica alias.
      new iam.PolicyStatement({
        sid: 'EncryptReplicas',
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: [`arn:${stack.partition}:kms:${replica.region}:${replica.account}:key/*`],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${replica.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [replicaBucketArn, `${replicaBucketArn}/*`] },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.archiveReplicaKeyAlias },
        },
      }),
    ];
    for (const statement of statements) this.role.addToPolicy(statement);
    acknowledge(
      this.role,
      'Replication reads every version of the archive and writes every replica: the objects of both buckets are the resource (S3 User Guide, "Setting up permissions for live replication", step 2, grants them as bucket/*). The replica key has no ARN this stack can know; the statement is held to the key under the replica alias, through S3, with the replica bucket as encryption context.',
      `AwsSolutions-IAM5[Resource::${archiveArn}/*]`,
      `AwsSolutions-IAM5[Resource::${replicaBucketArn}/*]`,
      `AwsSolutions-IAM5[Resource::arn:${stack.partition}:kms:${replica.region}:${replica.account}:key/*]`,
    );

    // "Additionally, to replicate objects from S3 Object Lock enabled buckets, your destination
    // bucket must also have S3 Object Lock enabled", and replication of such buckets can be
    // enabled with "the S3 console, AWS API, AWS CLI, AWS SDKs, or AWS CloudFormation" (Amazon S3
    // FAQs, Replication). The rule takes every new version; delete markers are not replicated,
    // so the archive's own expiry does not reach the replica, which expires on its lifecycle.
    const cfn = bucket.node.defaultChild as s3.CfnBucket;
    cfn.replicationConfiguration = {
      role: this.role.roleArn,
      rules: [
        {
          id: 'archive-replica',
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          // "Explicitly opt in by enabling replication of objects encrypted by using KMS keys by
          // adding the SourceSelectionCriteria element" (Replicating encrypted objects).
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: replicaBucketArn,
            encryptionConfiguration: {
              replicaKmsKeyId: archiveReplicaKeyAliasArn(replica.account, replica.region),
            },
            ...(crossAccount
              ? { account: replica.account, accessControlTranslation: { owner: 'Destination' } }
              : {}),
          },
        },
      ],
    };
    // CloudFormation must create the role's policy before the bucket's replication rule uses it.
    cfn.node.addDependency(this.role);
  }
}
