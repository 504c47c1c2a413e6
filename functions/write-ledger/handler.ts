import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { createClient } from '../shared/clients';
import { metricsDisabled } from '../shared/metrics';
import { writeLedgerEnv } from './env';
import { coverageMetricLines, LedgerDeps, LedgerInput, LedgerSummary, writeLedger } from './ledger';
import type { RolloutProgress } from './rollout';

export interface WriteLedgerDeps extends LedgerDeps {
  logger: Logger;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): WriteLedgerDeps {
  const settings = writeLedgerEnv.parse(env);
  return {
    ddb: createClient(DynamoDBClient),
    sns: createClient(SNSClient),
    table: settings.ledgerTable,
    summaryTopicArn: settings.summaryTopicArn,
    logger: new Logger(),
    coverage: {
      governedRegions: settings.governedRegions,
      staleAfterMs: settings.coverageStaleAfterSeconds * 1000,
      emit: (coverage) => {
        // The switch Powertools Metrics honours (POWERTOOLS_METRICS_DISABLED "Explicitly
        // disables emitting metrics to stdout", Powertools for AWS Lambda (TypeScript),
        // "Environment variables"), from the function's environment.
        if (metricsDisabled(env)) return;
        const timestamp = new Date();
        // Standard output, not the Logger: an EMF line must be the JSON document alone.
        for (const line of coverageMetricLines(coverage, timestamp)) console.log(line);
      },
    },
  };
}

/** Last step of every workflow: the coverage ledger, and one summary when something failed. */
export function makeHandler(deps: WriteLedgerDeps) {
  return async (event: LedgerInput, context?: Context): Promise<LedgerSummary | RolloutProgress> => {
    if (context) deps.logger.addContext(context);
    return writeLedger(event, deps);
  };
}
