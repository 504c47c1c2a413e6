import { GetObjectRetentionCommand, PutObjectRetentionCommand, type S3Client } from '@aws-sdk/client-s3';

/** One new object version in the archive, as S3's "Object Created" EventBridge event names it. */
export interface CreatedVersion {
  bucket: string;
  key: string;
  versionId: string;
  /** When S3 created the version (the event's `time`). */
  createdAt: Date;
}

export interface LockSettings {
  mode: 'COMPLIANCE' | 'GOVERNANCE';
  days: number;
}

export type LockOutcome = 'locked' | 'already locked' | 'lock already expired';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The S3 "Object Created" event (EventBridge) reduced to what the lock needs; a clear error otherwise. */
export function createdVersionOf(event: {
  time?: string;
  detail?: { bucket?: { name?: string }; object?: { key?: string; 'version-id'?: string } };
}): CreatedVersion {
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  const versionId = event.detail?.object?.['version-id'];
  const createdAt = new Date(event.time ?? '');
  if (!bucket || !key || !versionId || Number.isNaN(createdAt.getTime())) {
    throw new Error(
      `not an S3 Object Created event of a versioned bucket (bucket, object.key, object.version-id, time): ${JSON.stringify(event).slice(0, 300)}`,
    );
  }
  return { bucket, key, versionId, createdAt };
}

/** How strictly a retention mode protects a version: COMPLIANCE above GOVERNANCE above none. */
const strictness = (mode: string | undefined): number =>
  mode === 'COMPLIANCE' ? 2 : mode === 'GOVERNANCE' ? 1 : 0;

/**
 * Locks one archived object version for `days` from its creation, the `per-object` way of
 * applying Object Lock (contracts/config.ts). Describes first: a version already locked at least
 * as strictly (the same mode, or COMPLIANCE for a wanted GOVERNANCE) until at least that date is
 * left alone, so a re-delivered event, or one read after `objectLock.mode` changed from
 * COMPLIANCE to GOVERNANCE, writes nothing. Otherwise it never weakens the version's current,
 * unexpired retention: it keeps the stricter mode and the later date. S3 User Guide, Object Lock
 * retention modes: in compliance mode "its retention mode can't be changed, and its retention
 * period can't be shortened"; shortening a governance retention needs the bypass header and
 * s3:BypassGovernanceRetention, which logwarden never uses. Both are refused (AccessDenied), so
 * trying would fail the event on every retry.
 * PutObjectRetention requires an integrity header, which the SDK computes itself.
 * S3 API: GetObjectRetention, PutObjectRetention (s3:GetObjectRetention, s3:PutObjectRetention).
 */
export async function lockVersion(
  s3: S3Client,
  version: CreatedVersion,
  settings: LockSettings,
  now: Date = new Date(),
): Promise<LockOutcome> {
  const retainUntil = new Date(version.createdAt.getTime() + settings.days * DAY_MS);
  if (retainUntil <= now) return 'lock already expired';
  const target = { Bucket: version.bucket, Key: version.key, VersionId: version.versionId };
  let current: { Mode?: string; RetainUntilDate?: Date } | undefined;
  try {
    current = (await s3.send(new GetObjectRetentionCommand(target))).Retention;
  } catch (err) {
    // A version without retention answers NoSuchObjectLockConfiguration: it is what we lock.
    if ((err as { name?: string }).name !== 'NoSuchObjectLockConfiguration') throw err;
  }
  // An expired retention protects nothing any more, and S3 lets it be replaced freely.
  const held =
    current?.Mode && current.RetainUntilDate && current.RetainUntilDate.getTime() > now.getTime()
      ? { mode: current.Mode, until: current.RetainUntilDate }
      : undefined;
  if (
    held &&
    strictness(held.mode) >= strictness(settings.mode) &&
    held.until.getTime() >= retainUntil.getTime()
  ) {
    return 'already locked';
  }
  const mode = held && strictness(held.mode) > strictness(settings.mode) ? held.mode : settings.mode;
  const until = held && held.until.getTime() > retainUntil.getTime() ? held.until : retainUntil;
  await s3.send(
    new PutObjectRetentionCommand({
      ...target,
      Retention: { Mode: mode as LockSettings['mode'], RetainUntilDate: until },
    }),
  );
  return 'locked';
}
