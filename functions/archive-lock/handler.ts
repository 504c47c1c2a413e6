import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { createdVersionOf, lockVersion, type LockSettings } from './archive-lock';
import { archiveLockEnv } from './env';

export interface ArchiveLockDeps {
  s3: S3Client;
  settings: LockSettings;
  logger: Logger;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): ArchiveLockDeps {
  const { lockMode, lockDays } = archiveLockEnv.parse(env);
  return { s3: createClient(S3Client), settings: { mode: lockMode, days: lockDays }, logger: new Logger() };
}

/**
 * EventBridge target for the archive's "Object Created" events. A failure throws, so EventBridge
 * and Lambda's asynchronous invocation retry it, then keep the event in the failure queue.
 */
export function makeHandler(deps: ArchiveLockDeps) {
  return async (event: Parameters<typeof createdVersionOf>[0], context?: Context): Promise<void> => {
    if (context) deps.logger.addContext(context);
    const version = createdVersionOf(event);
    const outcome = await lockVersion(deps.s3, version, deps.settings);
    deps.logger.info('archive object version', { key: version.key, versionId: version.versionId, outcome });
  };
}
