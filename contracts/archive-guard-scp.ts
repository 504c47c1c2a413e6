/**
 * The archive's protections, written once: the actions only the break-glass role may take on the
 * archive (its bucket policy and key policy deny them to everyone else, stacks/central/), and the
 * service control policy that closes the gap a resource policy leaves. S3 lets an account's root
 * user re-write a bucket policy whatever it says; an SCP binds the root user of a member account
 * too (Organizations User Guide, "Service control policies": SCPs "affect all users and roles in
 * attached accounts, including the root user").
 *
 * The SCP names the archive's resources only, never `*`: the same account deploys the CDK
 * bootstrap stack and the other log-archive stacks, whose buckets and keys it must not touch
 * (a test checks it against every template). It is attached after the first deployment
 * (docs/deploying.md): CloudFormation writes the archive's bucket policy, lifecycle and key
 * policy when it creates them.
 */
import type { LogwardenConfig } from './config';
import { archiveAccessLogsBucketName, archiveBucketName, names } from './names';
import { pipelineRegions } from './pipelines';

/**
 * The bucket-level calls that could shorten the archive: its Object Lock configuration, its
 * lifecycle, its policy (which holds the deny), lifting a GOVERNANCE lock, and its replication
 * rule, which keeps the replica (`archive.replica`) fed (PutBucketReplication and
 * DeleteBucketReplication are both authorized as s3:PutReplicationConfiguration, Service
 * Authorization Reference, Amazon S3).
 */
export const protectedBucketActions = [
  's3:PutBucketObjectLockConfiguration',
  's3:PutLifecycleConfiguration',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:BypassGovernanceRetention',
  's3:PutReplicationConfiguration',
];

/** The key calls that would make every archived object unreadable, or allow it later. */
export const protectedKeyActions = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy'];

/**
 * The calls that would take the alias off the archive key. The SCP names the key by its alias
 * (a key's ARN is known only once it exists); without the alias, the key statement would no
 * longer match it. DeleteAlias and UpdateAlias both need permission on the alias (Service
 * Authorization Reference, AWS KMS: resource types alias and key).
 */
export const protectedAliasActions = ['kms:DeleteAlias', 'kms:UpdateAlias'];

export const archiveGuardPolicyName = 'logwarden-archive-guard';

export interface ScpStatement {
  Sid: string;
  Effect: 'Deny';
  Action: string[];
  Resource: string[];
  Condition: Record<string, Record<string, string>>;
}

export interface Scp {
  Version: '2012-10-17';
  Statement: ScpStatement[];
}

type ArchiveFields = Pick<LogwardenConfig, 'accounts' | 'homeRegion' | 'governedRegions' | 'pipeline'>;

/**
 * The archive's resources, as the SCP names them: the home region's archive, or with
 * `pipeline.regional` every pipeline region's (contracts/pipelines.ts).
 */
export function archiveResources(config: ArchiveFields) {
  const { logArchive } = config.accounts;
  const regions = pipelineRegions(config);
  const buckets = regions.flatMap((region) => [
    archiveBucketName(logArchive, region),
    archiveAccessLogsBucketName(logArchive, region),
  ]);
  return {
    buckets,
    bucketArns: buckets.flatMap((b) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`]),
    /** Every key of the account and region: the statement's alias condition picks the archive key. */
    keyArns: regions.map((region) => `arn:aws:kms:${region}:${logArchive}:key/*`),
    aliasArns: regions.map((region) => `arn:aws:kms:${region}:${logArchive}:${names.archiveKeyAlias}`),
  };
}

/** The archive guard SCP, for the log-archive account. */
export function archiveGuardScp(config: ArchiveFields & Pick<LogwardenConfig, 'breakGlassRoleArn'>): Scp {
  const resources = archiveResources(config);
  const notBreakGlass = { ArnNotLike: { 'aws:PrincipalArn': config.breakGlassRoleArn } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'LogwardenArchiveBucketsOnlyBreakGlass',
        Effect: 'Deny',
        Action: protectedBucketActions,
        Resource: resources.bucketArns,
        Condition: notBreakGlass,
      },
      {
        Sid: 'LogwardenArchiveKeyOnlyBreakGlass',
        Effect: 'Deny',
        Action: protectedKeyActions,
        Resource: resources.keyArns,
        Condition: {
          ...notBreakGlass,
          // kms:ResourceAliases: "Filters access to specified AWS KMS operations based on aliases
          // associated with the AWS KMS key" (Service Authorization Reference, a condition key
          // of the key resource type, so of every action on a key).
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': names.archiveKeyAlias },
        },
      },
      {
        Sid: 'LogwardenArchiveKeyAliasOnlyBreakGlass',
        Effect: 'Deny',
        Action: protectedAliasActions,
        Resource: resources.aliasArns,
        Condition: notBreakGlass,
      },
    ],
  };
}
