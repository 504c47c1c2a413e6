import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Context } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { silentAccountsEnv } from './env';
import { findSilentAccounts, type SilenceDeps } from './silent';

export interface SilentAccountsHandlerDeps extends SilenceDeps {
  logger: Logger;
  metrics: Metrics;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): SilentAccountsHandlerDeps {
  const settings = silentAccountsEnv.parse(env);
  return {
    // Organizations has one endpoint, in us-east-1.
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
    ddb: createClient(DynamoDBClient),
    table: settings.lastSeenTable,
    silentAfterMs: settings.silentAfterMinutes * 60 * 1000,
    expectCloudTrail: settings.expectCloudTrail ?? true,
    logger: new Logger(),
    metrics: new Metrics(),
  };
}

/** Scheduled: accounts that went silent, as the `SilentAccounts` metric and one log line each. */
export function makeHandler(deps: SilentAccountsHandlerDeps) {
  const { logger, metrics } = deps;
  return async (_event?: unknown, context?: Context): Promise<{ silentAccounts: number }> => {
    if (context) logger.addContext(context);
    try {
      const silent = await findSilentAccounts(deps);
      for (const s of silent)
        logger.warn('account silent', {
          account: s.account,
          source: s.source,
          lastSeen: s.lastSeen === undefined ? 'never' : new Date(s.lastSeen).toISOString(),
        });
      const silentAccounts = new Set(silent.map((s) => s.account)).size;
      metrics.addMetric('SilentAccounts', MetricUnit.Count, silentAccounts);
      return { silentAccounts };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
