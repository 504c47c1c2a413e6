import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { lambdaRuntimeEnv } from '../shared/env';
import { signedSearchClient, type SearchClient } from '../shared/opensearch/client';
import { opensearchSetupEnv } from './env';
import { installSearchSetup } from './setup';

export interface SetupDeps {
  search: SearchClient;
  logger: Logger;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): SetupDeps {
  const { opensearchEndpoint } = opensearchSetupEnv.parse(env);
  const { awsRegion } = lambdaRuntimeEnv.parse(env);
  return {
    search: signedSearchClient({ endpoint: opensearchEndpoint, region: awsRegion }),
    logger: new Logger(),
  };
}

/**
 * Custom resource (Provider framework onEvent). Create and Update install or correct the
 * template, ISM policy and roles; Delete leaves them, because indices outlive the stack.
 */
export function makeHandler(deps: SetupDeps) {
  return async (
    event: CloudFormationCustomResourceEvent,
    context?: Context,
  ): Promise<{ PhysicalResourceId: string; Data: { actions: string } }> => {
    if (context) deps.logger.addContext(context);
    const physicalId = 'logwarden-opensearch-setup';
    if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId, Data: { actions: 'none' } };
    const props = event.ResourceProperties as unknown as {
      RetentionDays: string;
      HotDays?: string;
      WarmDays?: string;
      PrimaryShards?: string;
      WriterRoleArns?: string[];
      ReaderRoleArns?: string[];
      ResponderRoleArns?: string[];
      AdminRoleArns?: string[];
      SamlReaderGroups?: string[];
      SamlResponderGroups?: string[];
      SamlAdminGroups?: string[];
      SetupRoleArn?: string;
      SetupRoleMapped?: string;
    };
    const actions = await installSearchSetup(deps.search, {
      retentionDays: Number(props.RetentionDays),
      tiers:
        props.HotDays && props.WarmDays
          ? { hotDays: Number(props.HotDays), warmDays: Number(props.WarmDays) }
          : undefined,
      primaryShards: props.PrimaryShards ? Number(props.PrimaryShards) : undefined,
      writerRoleArns: props.WriterRoleArns,
      readerRoleArns: props.ReaderRoleArns,
      responderRoleArns: props.ResponderRoleArns,
      adminRoleArns: props.AdminRoleArns,
      samlGroups: {
        reader: props.SamlReaderGroups,
        responder: props.SamlResponderGroups,
        admin: props.SamlAdminGroups,
      },
      setupRoleArn: props.SetupRoleArn,
      setupRoleMapped: props.SetupRoleMapped === 'true',
    });
    deps.logger.info('opensearch setup', { actions });
    return { PhysicalResourceId: physicalId, Data: { actions: actions.join('; ') || 'already up to date' } };
  };
}
