import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { requiredEnv } from '../shared/env';
import { signedSearchClient } from '../shared/opensearch/client';
import { installSearchSetup } from './setup';

const logger = new Logger();
const search = signedSearchClient({
  endpoint: requiredEnv('OPENSEARCH_ENDPOINT'),
  region: requiredEnv('AWS_REGION'),
});

/**
 * Custom resource (Provider framework onEvent). Create and Update install or correct the
 * template, ISM policy and roles; Delete leaves them, because indices outlive the stack.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string; Data: { actions: string } }> {
  const physicalId = 'logwarden-opensearch-setup';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId, Data: { actions: 'none' } };
  const props = event.ResourceProperties as unknown as {
    RetentionDays: string;
    WriterRoleArns?: string[];
    ReaderRoleArns?: string[];
  };
  const actions = await installSearchSetup(search, {
    retentionDays: Number(props.RetentionDays),
    writerRoleArns: props.WriterRoleArns,
    readerRoleArns: props.ReaderRoleArns,
  });
  logger.info('opensearch setup', { actions });
  return { PhysicalResourceId: physicalId, Data: { actions: actions.join('; ') || 'already up to date' } };
}
