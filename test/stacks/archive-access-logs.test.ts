/**
 * The archive's server access logs record who read, wrote or re-configured the archive (issue 21,
 * compliance findings): their bucket gets the archive's deny (everyone but the break-glass role)
 * on deletes, lifecycle, policy and versioning changes, and those calls are alerts.
 */
import { buildExample, exampleConfig, templateOf } from './example-app';
import { archiveAccessLogsBucketName } from '../../contracts/names';
import { protectedAccessLogActions, protectedAccessLogEvents } from '../../stacks/central/archive-bucket';

const config = exampleConfig();
const template = templateOf(buildExample(config).central);
const accessLogs = archiveAccessLogsBucketName(config.accounts.logArchive, config.homeRegion);

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

describe('the archive access-log bucket', () => {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((p) =>
    JSON.stringify(p.Properties.Bucket).includes('AccessLogs'),
  );

  it('denies deletes, lifecycle, policy and versioning changes to everyone but the break-glass role', () => {
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Statement[];
    const deny = statements.find(
      (s) =>
        s.Effect === 'Deny' && s.Condition?.ArnNotEquals?.['aws:PrincipalArn'] === config.breakGlassRoleArn,
    );
    expect(deny).toBeDefined();
    expect(deny!.Principal).toEqual({ AWS: '*' });
    expect([deny!.Action].flat().sort()).toEqual(
      [
        's3:DeleteBucket',
        's3:DeleteBucketPolicy',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutBucketPolicy',
        's3:PutBucketVersioning',
        's3:PutLifecycleConfiguration',
      ].sort(),
    );
    expect([...protectedAccessLogActions].sort()).toEqual([deny!.Action].flat().sort());
  });

  it('those calls are alerts: the archive guard’s bucket rule names the access-log bucket and its calls', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.Name === 'logwarden-archive-guard-bucket',
    );
    expect(rules).toHaveLength(1);
    const pattern = JSON.stringify(rules[0].Properties.EventPattern);
    const [bucketId] = Object.entries(template.findResources('AWS::S3::Bucket')).find(
      ([, b]) => b.Properties.BucketName === accessLogs,
    )!;
    expect(pattern).toContain(JSON.stringify({ Ref: bucketId }));
    // CloudTrail's names for the bucket-level calls (management events); the object deletes are
    // data events, refused by the policy and recorded only where the trail logs S3 data events.
    for (const event of [
      'PutBucketPolicy',
      'DeleteBucketPolicy',
      'PutBucketLifecycle',
      'DeleteBucketLifecycle',
      'PutBucketVersioning',
      'DeleteBucket',
    ])
      expect(protectedAccessLogEvents).toContain(event);
    for (const event of protectedAccessLogEvents) expect(pattern).toContain(JSON.stringify(event));
  });
});
