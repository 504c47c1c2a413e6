import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ConfigError, loadConfig, parseConfig } from '../../contracts/config';
import { exampleConfigPath, exampleConfigRaw } from './example-app';

function errorFor(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('logwarden.config.json', () => {
  it('the committed example is valid and gets defaults', () => {
    const config = loadConfig(exampleConfigPath);
    expect(config.governedRegions).toContain(config.homeRegion);
    expect(config.kinesis.retentionHours).toBe(168);
    expect(config.flowLogs.acceptForeignFlowLogs).toBe(false);
  });

  it.each([
    [{ organizationId: 'org-1' }, 'organizationId: must be an AWS Organizations id'],
    [
      { accounts: { management: '1', logArchive: '222222222222', securityTooling: '333333333333' } },
      'accounts.management: must be a 12-digit AWS account id',
    ],
    [{ homeRegion: 'Ireland' }, 'homeRegion: must be an AWS region name'],
    [{ governedRegions: [] }, 'governedRegions: must list at least one region'],
    [{ governedRegions: ['eu-central-1'] }, 'governedRegions: must include the home region eu-west-1'],
    [{ trail: { mode: 'everything' } }, 'trail.mode:'],
    [
      { kinesis: { capacity: 'lots', retentionHours: 168 } },
      'kinesis.capacity: must be "on-demand" or a shard count from 1 to 500',
    ],
    [{ kinesis: { capacity: 2, retentionHours: 12 } }, 'kinesis.retentionHours: must be at least 24'],
    [{ alerts: { emails: ['not-an-address'] } }, 'alerts.emails.0: must be an e-mail address'],
    [{ surprise: true }, 'surprise'],
    [{ scope: { includeOUs: ['sandbox'] } }, 'scope.includeOUs.0: must be an organizational unit id'],
    [
      { scope: { includeOUs: ['ou-ab12-cd34ef56'], excludeOUs: ['ou-ab12-cd34ef56'] } },
      'scope.excludeOUs: must not list an OU that scope.includeOUs lists (ou-ab12-cd34ef56)',
    ],
    [{ scope: { excludeOUs: ['r-ab12'] } }, 'scope.excludeOUs: must not list the organization root'],
    [
      { scope: { excludeAccounts: ['333333333333'] } },
      "scope.excludeAccounts: must not list the securityTooling account 333333333333: logwarden's own accounts are always governed",
    ],
    [
      { scope: { excludeAccounts: ['111111111111'], coverManagementAccount: true } },
      'scope.excludeAccounts: lists the management account 111111111111 while scope.coverManagementAccount is true',
    ],
    [{ scope: { excludeAccounts: ['12'] } }, 'scope.excludeAccounts.0: must be a 12-digit AWS account id'],
    // GuardDuty API Reference, UpdateOrganizationConfiguration, AutoEnableOrganizationMembers:
    // "ALL: Indicates that all accounts in the organization have GuardDuty enabled automatically".
    [
      { scope: { excludeAccounts: ['444444444444'] } },
      'guardDuty.autoEnable: ALL would enable GuardDuty in every account of the organization, including those scope.excludeAccounts (444444444444) leaves out; set "NEW" or "NONE" (logwarden adds each governed account itself with CreateMembers)',
    ],
    [
      { scope: { includeOUs: ['ou-ab12-cd34ef56'] }, guardDuty: { autoEnable: 'ALL' } },
      'guardDuty.autoEnable: ALL would enable GuardDuty in every account of the organization, including those scope.includeOUs leaves out; set "NEW" or "NONE" (logwarden adds each governed account itself with CreateMembers)',
    ],
    [{ mode: 'dry-run' }, 'mode: must be "enforce" or "observe"'],
    [{ trail: { mode: 'external' } }, 'trail.arn: is required when trail.mode is external'],
    [
      { trail: { mode: 'external', arn: 'arn:aws:cloudtrail:eu-west-1:444444444444:trail/their-trail' } },
      'trail.arn: must be an organization trail of the management account in the home region',
    ],
    [
      {
        trail: {
          mode: 'external',
          arn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/aws-controltower-BaselineCloudTrail',
          s3BucketName: 'mine',
        },
      },
      'trail.s3BucketName: must not be set when trail.mode is external',
    ],
    [
      { trail: { mode: 'organization', arn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/x' } },
      'trail.arn: is only for trail.mode external',
    ],
    [
      // DescribeTrails answers KmsKeyId as "a fully specified ARN to a KMS key" (Trail.KmsKeyId):
      // an alias would differ from it at every sweep.
      { trail: { mode: 'organization', kmsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:alias/trail' } },
      'trail.kmsKeyArn: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias',
    ],
    [{ guardDuty: { mode: 'hands-off' } }, 'guardDuty.mode: must be "manage" or "verify-only"'],
    [{ guardDuty: { autoEnable: 'SOME' } }, 'guardDuty.autoEnable: must be "ALL", "NEW" or "NONE"'],
    [
      { subscription: { besideForeignPolicy: 'replace' } },
      'subscription.besideForeignPolicy: must be "per-group-filters" or "report"',
    ],
    [
      { flowLogs: { requiredFields: ['Src Addr'] } },
      'flowLogs.requiredFields.0: must be a flow-log field name',
    ],
  ])('rejects %j naming the field and the rule', (override, expected) => {
    const message = errorFor({ ...exampleConfigRaw(), ...override });
    expect(message).toContain(expected);
  });

  it('trail.mode external takes its name from the ARN; scope, mode and coexistence settings default to today', () => {
    const config = parseConfig({
      ...exampleConfigRaw(),
      trail: {
        mode: 'external',
        arn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/aws-controltower-BaselineCloudTrail',
        owner: 'Control Tower',
      },
    });
    expect(config.trail.name).toBe('aws-controltower-BaselineCloudTrail');
    expect(config.mode).toBe('enforce');
    expect(config.scope).toEqual({
      includeOUs: [],
      excludeOUs: [],
      excludeAccounts: [],
      coverManagementAccount: false,
    });
    expect(config.guardDuty).toEqual({ mode: 'manage', autoEnable: 'ALL' });
    expect(config.subscription).toEqual({ besideForeignPolicy: 'per-group-filters' });
  });

  it('rejects an object lock that outlives the retention', () => {
    const raw = exampleConfigRaw();
    const archive = {
      ...(raw.archive as object),
      retentionDays: 400,
      objectLock: { mode: 'GOVERNANCE', days: 500 },
    };
    expect(errorFor({ ...raw, archive })).toContain(
      'archive.objectLock.days: must not exceed archive.retentionDays',
    );
  });

  it('the break-glass role is required and must be a role of the log-archive account', () => {
    const raw = exampleConfigRaw();
    delete raw.breakGlassRoleArn;
    expect(errorFor(raw)).toContain('breakGlassRoleArn:');
    expect(errorFor({ ...raw, breakGlassRoleArn: 'admin' })).toContain(
      'breakGlassRoleArn: must be an IAM role ARN',
    );
    expect(
      errorFor({ ...raw, breakGlassRoleArn: 'arn:aws:iam::333333333333:role/logwarden-break-glass' }),
    ).toContain('breakGlassRoleArn: must be a role of the log-archive account 222222222222');
  });

  it('by default the lock is COMPLIANCE for the whole retention, applied per object', () => {
    const config = loadConfig(exampleConfigPath);
    expect(config.archive.objectLock).toEqual({
      mode: 'COMPLIANCE',
      days: config.archive.retentionDays,
      appliedBy: 'per-object',
    });
    const archive = { ...(exampleConfigRaw().archive as Record<string, unknown>) };
    delete archive.objectLock;
    expect(parseConfig({ ...exampleConfigRaw(), archive }).archive.objectLock).toEqual({
      mode: 'COMPLIANCE',
      days: 2557,
      appliedBy: 'per-object',
    });
  });

  it.each([
    [{ mode: 'GOVERNANCE' }, 'a GOVERNANCE lock can be lifted'],
    [{ mode: 'off' }, 'Object Lock is off'],
    [{ mode: 'COMPLIANCE', days: 365 }, 'the lock (365 days) is shorter than the retention (2557 days)'],
  ])('a weaker lock %j is refused unless acceptWeakerLock names the reason', (objectLock, why) => {
    const raw = exampleConfigRaw();
    const archive = (lock: object) => ({ ...(raw.archive as object), objectLock: lock });
    const message = errorFor({ ...raw, archive: archive(objectLock) });
    expect(message).toContain('archive.objectLock.acceptWeakerLock: is required');
    expect(message).toContain(why);
    expect(errorFor({ ...raw, archive: archive({ ...objectLock, acceptWeakerLock: 'why' }) })).toContain(
      'acceptWeakerLock: must give the reason',
    );
    const accepted = parseConfig({
      ...raw,
      archive: archive({ ...objectLock, acceptWeakerLock: 'a documented business reason' }),
    });
    expect(accepted.archive.objectLock.mode).toBe(objectLock.mode);
  });

  it('the alerter reserves at least two executions per provisioned shard', () => {
    const raw = exampleConfigRaw();
    expect(
      errorFor({
        ...raw,
        kinesis: { capacity: 40, retentionHours: 168 },
        alerts: { ...(raw.alerts as object), alerterReservedConcurrency: 50 },
      }),
    ).toContain('alerts.alerterReservedConcurrency: must be at least 80');
  });

  it('names unreadable and non-JSON files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lw-config-'));
    expect(() => loadConfig(path.join(dir, 'missing.json'))).toThrow(/cannot be read \(ENOENT\)/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "organizationId": ');
    expect(() => loadConfig(bad)).toThrow(/is not valid JSON/);
  });

  it('cdk synth fails on a bad config with the field named and no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lw-config-'));
    const bad = path.join(dir, 'logwarden.config.json');
    writeFileSync(bad, JSON.stringify({ ...exampleConfigRaw(), homeRegion: 'nowhere' }));
    let stderr = '';
    try {
      execFileSync('npx', ['tsx', 'stacks/app.ts'], {
        cwd: path.join(__dirname, '..', '..'),
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ 'logwarden:config': bad }),
          CDK_OUTDIR: dir,
        },
        stdio: 'pipe',
      });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(stderr).toContain('homeRegion: must be an AWS region name');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
