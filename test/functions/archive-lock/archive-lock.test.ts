import {
  GetObjectRetentionCommand,
  PutObjectRetentionCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createdVersionOf, lockVersion } from '../../../functions/archive-lock/archive-lock';
import { depsFromEnv } from '../../../functions/archive-lock/handler';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });
const now = new Date('2026-11-29T06:00:00Z');
const version = {
  bucket: 'archive',
  key: 'ocsf/source=cloudtrail/date=2026-11-29/part-1.gz',
  versionId: 'v1',
  createdAt: new Date('2026-11-29T05:59:00Z'),
};
const settings = { mode: 'COMPLIANCE' as const, days: 2557 };
const until = new Date(version.createdAt.getTime() + 2557 * 86_400_000);
const noRetention = new S3ServiceException({
  name: 'NoSuchObjectLockConfiguration',
  $fault: 'client',
  $metadata: { httpStatusCode: 404 },
});

beforeEach(() => s3.reset());

describe('archive-lock: per-object Object Lock', () => {
  it('locks a new version in COMPLIANCE mode for the configured days from its creation', async () => {
    s3.on(GetObjectRetentionCommand).rejects(noRetention);
    s3.on(PutObjectRetentionCommand).resolves({});
    expect(await lockVersion(client, version, settings, now)).toBe('locked');
    const put = s3.commandCalls(PutObjectRetentionCommand)[0].args[0].input;
    expect(put).toEqual({
      Bucket: 'archive',
      Key: version.key,
      VersionId: 'v1',
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
    });
  });

  it('a re-delivered event writes nothing: the version is already locked until that date', async () => {
    s3.on(GetObjectRetentionCommand).resolves({ Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until } });
    expect(await lockVersion(client, version, settings, now)).toBe('already locked');
    expect(s3.commandCalls(PutObjectRetentionCommand)).toHaveLength(0);
  });

  it('raises a GOVERNANCE retention to COMPLIANCE, keeping its later date (never shortens it)', async () => {
    const later = new Date(until.getTime() + 1);
    s3.on(GetObjectRetentionCommand).resolves({ Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later } });
    s3.on(PutObjectRetentionCommand).resolves({});
    expect(await lockVersion(client, version, settings, now)).toBe('locked');
    expect(s3.commandCalls(PutObjectRetentionCommand)[0].args[0].input.Retention).toEqual({
      Mode: 'COMPLIANCE',
      RetainUntilDate: later,
    });
  });

  it('extends a shorter retention of the same mode to the wanted date', async () => {
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(until.getTime() - 86_400_000) },
    });
    s3.on(PutObjectRetentionCommand).resolves({});
    expect(await lockVersion(client, version, settings, now)).toBe('locked');
    expect(s3.commandCalls(PutObjectRetentionCommand)[0].args[0].input.Retention).toEqual({
      Mode: 'COMPLIANCE',
      RetainUntilDate: until,
    });
  });

  // S3 User Guide, Object Lock, retention modes (quoted by the AWS CDK reference,
  // ObjectLockMode.COMPLIANCE): "When an object is locked in compliance mode, its retention mode
  // can't be changed, and its retention period can't be shortened."
  describe('objectLock.mode changed from COMPLIANCE to GOVERNANCE: a COMPLIANCE lock is never weakened', () => {
    const governance = { mode: 'GOVERNANCE' as const, days: 2557 };

    it('a COMPLIANCE lock reaching the wanted date already satisfies GOVERNANCE: nothing is written', async () => {
      s3.on(GetObjectRetentionCommand).resolves({
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
      });
      expect(await lockVersion(client, version, governance, now)).toBe('already locked');
      expect(s3.commandCalls(PutObjectRetentionCommand)).toHaveLength(0);
    });

    it('a shorter COMPLIANCE lock is extended in COMPLIANCE mode, not changed to GOVERNANCE', async () => {
      s3.on(GetObjectRetentionCommand).resolves({
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(until.getTime() - 86_400_000) },
      });
      s3.on(PutObjectRetentionCommand).resolves({});
      expect(await lockVersion(client, version, governance, now)).toBe('locked');
      expect(s3.commandCalls(PutObjectRetentionCommand)[0].args[0].input.Retention).toEqual({
        Mode: 'COMPLIANCE',
        RetainUntilDate: until,
      });
    });

    it('an expired COMPLIANCE lock no longer counts: the version is locked in GOVERNANCE', async () => {
      s3.on(GetObjectRetentionCommand).resolves({
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(now.getTime() - 1) },
      });
      s3.on(PutObjectRetentionCommand).resolves({});
      expect(await lockVersion(client, version, governance, now)).toBe('locked');
      expect(s3.commandCalls(PutObjectRetentionCommand)[0].args[0].input.Retention).toEqual({
        Mode: 'GOVERNANCE',
        RetainUntilDate: until,
      });
    });
  });

  it('any other S3 error fails the invocation, so the event is retried and then kept on the failure queue', async () => {
    s3.on(GetObjectRetentionCommand).rejects(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(lockVersion(client, version, settings, now)).rejects.toThrow();
    expect(s3.commandCalls(PutObjectRetentionCommand)).toHaveLength(0);
  });

  it('a version whose lock period is already over is not touched', async () => {
    expect(
      await lockVersion(client, { ...version, createdAt: new Date('2010-01-01T00:00:00Z') }, settings, now),
    ).toBe('lock already expired');
    expect(s3.calls()).toHaveLength(0);
  });

  it('reads the S3 Object Created event; anything else is a clear error', () => {
    expect(
      createdVersionOf({
        time: '2026-11-29T05:59:00Z',
        detail: { bucket: { name: 'archive' }, object: { key: version.key, 'version-id': 'v1' } },
      }),
    ).toEqual(version);
    expect(() =>
      createdVersionOf({ time: '2026-11-29T05:59:00Z', detail: { bucket: { name: 'archive' } } }),
    ).toThrow(/not an S3 Object Created event of a versioned bucket/);
  });
});

describe('archive-lock environment', () => {
  it('parses its settings once and names a wrong variable', () => {
    expect(
      depsFromEnv({ LOCK_MODE: 'COMPLIANCE', LOCK_DAYS: '2557', AWS_REGION: 'eu-west-1' }).settings,
    ).toEqual({
      mode: 'COMPLIANCE',
      days: 2557,
    });
    expect(() => depsFromEnv({ LOCK_MODE: 'off', LOCK_DAYS: '2557' })).toThrow(
      /LOCK_MODE: must be COMPLIANCE or GOVERNANCE/,
    );
  });
});
