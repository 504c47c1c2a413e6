/**
 * The archive guard SCP (contracts/archive-guard-scp.ts) against every resource a deployment
 * writes in the accounts it is attached to: the CDK bootstrap template (what `cdk bootstrap`
 * deploys, from the aws-cdk CLI) and every synthesized template. A denied action may only ever
 * apply to the archive's own resources, so a new bucket or key can never be silently refused.
 */
import { App, Stage } from 'aws-cdk-lib';
import {
  archiveGuardScp,
  archiveResources,
  protectedAliasActions,
  protectedBucketActions,
  protectedKeyActions,
} from '../../contracts/archive-guard-scp';
import { archiveAccessLogsBucketName, archiveBucketName, names } from '../../contracts/names';
import { bootstrapTemplate, resolveTemplate, type CfnResource } from '../../local/cdk-bootstrap';
import { buildApp } from '../../stacks/logwarden-app';
import { buildExample, exampleConfig } from './example-app';

const config = exampleConfig();
const scp = archiveGuardScp(config);
const { logArchive } = config.accounts;

/** IAM's wildcard match. */
const like = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

interface Target {
  stack: string;
  id: string;
  /** What the resource is, as an SCP's Resource element would name it. */
  arn: string;
  /** A key's aliases (kms:ResourceAliases). */
  aliases?: string[];
}

/** The SCP's statements that deny `action` on `target`. */
const denying = (action: string, t: Target) =>
  scp.Statement.filter(
    (s) =>
      s.Action.includes(action) &&
      s.Resource.some((r) => like(r, t.arn)) &&
      (!s.Condition['ForAnyValue:StringEquals'] ||
        (t.aliases ?? []).includes(s.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases'])),
  );

/**
 * Each bucket, key and alias of a template in `account`/`region`, with its ARN: a bucket by its
 * name (CloudFormation's generated `<stack>-<id>-<random>` for an unnamed one), a key with the
 * aliases that target it.
 */
function targets(
  stack: string,
  resources: Record<string, CfnResource>,
  account: string,
  region: string,
): Target[] {
  const out: Target[] = [];
  const aliasOf = (keyId: string) =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::KMS::Alias')
      .filter((r) => JSON.stringify(r.Properties?.TargetKeyId).includes(keyId))
      .map((r) => String(r.Properties?.AliasName));
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::S3::Bucket') {
      const name = r.Properties?.BucketName;
      out.push({
        stack,
        id,
        arn: `arn:aws:s3:::${typeof name === 'string' ? name : `${stack}-${id}-generated`.toLowerCase()}`,
      });
    } else if (r.Type === 'AWS::KMS::Key')
      out.push({
        stack,
        id,
        arn: `arn:aws:kms:${region}:${account}:key/generated-${id}`,
        aliases: aliasOf(id),
      });
    else if (r.Type === 'AWS::KMS::Alias')
      out.push({ stack, id, arn: `arn:aws:kms:${region}:${account}:${String(r.Properties?.AliasName)}` });
  }
  return out;
}

/** The actions that apply to a target's resource type (Service Authorization Reference). */
const actionsFor = (t: Target) =>
  t.arn.startsWith('arn:aws:s3:::')
    ? protectedBucketActions
    : t.arn.includes(':alias/')
      ? protectedAliasActions
      : [...protectedKeyActions, ...protectedAliasActions];

function allTargets(): Target[] {
  const { app, memberBaseline } = buildExample(config);
  const assembly = app.synth();
  const out: Target[] = [];
  for (const stack of assembly.stacks) {
    const env = stack.environment;
    out.push(
      ...targets(
        stack.stackName,
        stack.template.Resources as Record<string, CfnResource>,
        env.account,
        env.region,
      ),
    );
  }
  // The member baseline (the StackSet's template) reaches the log-archive account too.
  const baseline = Stage.of(memberBaseline)!.synth().getStackByName(memberBaseline.stackName).template;
  for (const region of config.governedRegions)
    out.push(
      ...targets('StackSet-baseline', baseline.Resources as Record<string, CfnResource>, logArchive, region),
    );
  for (const region of new Set([config.homeRegion, ...config.governedRegions]))
    out.push(
      ...targets(
        `CDKToolkit-${region}`,
        resolveTemplate(bootstrapTemplate(), { account: logArchive, region }),
        logArchive,
        region,
      ),
    );
  return out;
}

describe('the archive guard SCP', () => {
  const all = allTargets();

  it('names no resource by "*" and only the archive: its two buckets, its key by alias, the alias', () => {
    const resources = archiveResources(config);
    expect(scp.Statement.flatMap((s) => s.Resource)).toEqual([
      ...resources.bucketArns,
      ...resources.keyArns,
      ...resources.aliasArns,
    ]);
    for (const s of scp.Statement) expect(s.Resource).not.toContain('*');
    expect(resources.buckets).toEqual([
      archiveBucketName(logArchive, config.homeRegion),
      archiveAccessLogsBucketName(logArchive, config.homeRegion),
    ]);
  });

  it('denies nothing on the CDK bootstrap or any other stack: only on the archive, which the first deployment creates before it is attached', () => {
    const denied = all.filter((t) => actionsFor(t).some((a) => denying(a, t).length > 0));
    // Logical ids end in CDK's hash of the construct path.
    expect(denied.map((t) => `${t.stack}/${t.id.replace(/[0-9A-F]{8}$/, '')}`).sort()).toEqual([
      'LogwardenCentral/ArchiveAccessLogs',
      'LogwardenCentral/ArchiveBucket',
      'LogwardenCentral/ArchiveKey',
      'LogwardenCentral/ArchiveKeyAlias',
    ]);
    expect(all.filter((t) => t.stack.startsWith('CDKToolkit')).length).toBeGreaterThan(0);
  });

  it('denies every protected action on the archive itself', () => {
    const central = all.filter((t) => t.stack === 'LogwardenCentral');
    const bucket = central.find(
      (t) => t.arn === `arn:aws:s3:::${archiveBucketName(logArchive, config.homeRegion)}`,
    )!;
    for (const a of protectedBucketActions.filter((x) => x !== 's3:BypassGovernanceRetention'))
      expect(denying(a, bucket)).toHaveLength(1);
    expect(
      denying('s3:BypassGovernanceRetention', { ...bucket, arn: `${bucket.arn}/AWSLogs/x` }),
    ).toHaveLength(1);
    const key = central.find((t) => t.aliases?.includes(names.archiveKeyAlias))!;
    for (const a of protectedKeyActions) expect(denying(a, key)).toHaveLength(1);
    const alias = central.find((t) => t.arn.endsWith(`:${names.archiveKeyAlias}`))!;
    for (const a of protectedAliasActions) expect(denying(a, alias)).toHaveLength(1);
  });

  it('cdk destroy can finish: what the SCP or its bucket’s own policy denies CloudFormation to delete is retained', () => {
    // Without a DeletionPolicy, "CloudFormation deletes the resource" (CloudFormation User Guide,
    // DeletionPolicy attribute), as the stack's execution role, which is neither the break-glass
    // role nor the root user; "the root user of the AWS account that owns a bucket can always use
    // the GetBucketPolicy, PutBucketPolicy, and DeleteBucketPolicy API actions, even if their
    // policy explicitly denies the root user" (S3 API Reference, DeleteBucketPolicy), no one else.
    const { app } = buildExample(config);
    const deniedByOwnPolicy = (policy: CfnResource) =>
      (
        policy.Properties?.PolicyDocument as { Statement: { Effect: string; Action: string | string[] }[] }
      ).Statement.some((st) => st.Effect === 'Deny' && [st.Action].flat().includes('s3:DeleteBucketPolicy'));
    const refused: string[] = [];
    const retained: string[] = [];
    for (const stack of app.synth().stacks) {
      const resources = stack.template.Resources as Record<string, CfnResource & { DeletionPolicy?: string }>;
      const byId = new Map(
        targets(stack.stackName, resources, stack.environment.account, stack.environment.region).map((t) => [
          t.id,
          t,
        ]),
      );
      for (const [id, r] of Object.entries(resources)) {
        const deleteCall = {
          'AWS::S3::Bucket': ['s3:DeleteBucket', byId.get(id)],
          'AWS::KMS::Key': ['kms:ScheduleKeyDeletion', byId.get(id)],
          'AWS::KMS::Alias': ['kms:DeleteAlias', byId.get(id)],
        }[r.Type] as [string, Target] | undefined;
        const refusedDelete =
          (deleteCall && denying(deleteCall[0], deleteCall[1]).length > 0) ||
          (r.Type === 'AWS::S3::BucketPolicy' && deniedByOwnPolicy(r));
        if (!refusedDelete) continue;
        const name = `${stack.stackName}/${id.replace(/[0-9A-F]{8}$/, '')}`;
        refused.push(name);
        if (r.DeletionPolicy === 'Retain') retained.push(name);
      }
    }
    expect(refused.sort()).toEqual([
      'LogwardenCentral/ArchiveAccessLogsPolicy',
      'LogwardenCentral/ArchiveBucketPolicy',
      'LogwardenCentral/ArchiveKey',
      'LogwardenCentral/ArchiveKeyAlias',
    ]);
    expect(retained.sort()).toEqual(refused.sort());
  });

  it('with -c logwarden:breakGlass=true the central stack deploys as the break-glass role', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'logwarden:breakGlass': 'true' } });
    buildApp(app, config);
    const central = app.synth().getStackByName('LogwardenCentral');
    expect(central.assumeRoleArn).toBe(config.breakGlassRoleArn);
    expect(central.cloudFormationExecutionRoleArn).toBe(config.breakGlassRoleArn);
    const normal = buildExample(config).app.synth().getStackByName('LogwardenCentral');
    expect(normal.assumeRoleArn).toContain('cdk-hnb659fds-deploy-role');
  });
});
