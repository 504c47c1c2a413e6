import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient } from '../shared/clients';
import { requiredEnv } from '../shared/env';
import { createdVersionOf, lockVersion, type LockSettings } from './archive-lock';

const logger = new Logger();
const s3 = createClient(S3Client);
const mode = requiredEnv('LOCK_MODE');
if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE')
  throw new Error(`LOCK_MODE ${mode} is not COMPLIANCE or GOVERNANCE`);
const settings: LockSettings = { mode, days: Number(requiredEnv('LOCK_DAYS')) };

/** EventBridge target for the archive's "Object Created" events; failures go to its on-failure queue. */
export async function handler(event: Parameters<typeof createdVersionOf>[0]): Promise<void> {
  const version = createdVersionOf(event);
  const outcome = await lockVersion(s3, version, settings);
  logger.info('archive object version', { key: version.key, versionId: version.versionId, outcome });
}
