import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  destinationArn,
  pipelineLogGroups,
  subscriptionPolicyName,
  subscriptionRoleArn,
} from '../../contracts/names';
import { controlDepsFromEnv, controlHandler, type ControlDeps } from '../shared/control-handler';
import { readLedgerCell } from '../shared/ledger-cell';
import { ensureSubscriptionEnv } from './env';
import { ensureSubscription, ownFiltersMayRemain, type SubscriptionSettings } from './ensure-subscription';

export interface EnsureSubscriptionDeps extends ControlDeps {
  logArchiveAccount: string;
  /** config subscription.besideForeignPolicy (default per-group-filters). */
  besideForeignPolicy?: 'per-group-filters' | 'report';
  /** The coverage ledger, read for the cell's previous row. */
  ledgerTable: string;
  ledgerRegion: string;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): EnsureSubscriptionDeps {
  return { ...controlDepsFromEnv(env), ...ensureSubscriptionEnv.parse(env) };
}

/** The account subscription policy the control puts in one account and region. */
export function subscriptionSettings(
  account: string,
  region: string,
  deps: Pick<EnsureSubscriptionDeps, 'logArchiveAccount' | 'besideForeignPolicy'>,
): SubscriptionSettings {
  return {
    destinationArn: destinationArn(region, deps.logArchiveAccount),
    roleArn: subscriptionRoleArn(account),
    policyName: subscriptionPolicyName(region),
    excludedLogGroups: pipelineLogGroups,
    besideForeignPolicy: deps.besideForeignPolicy,
  };
}

/**
 * Step Functions task: the account subscription policy of one account and region. The cell's
 * previous ledger row tells whether logwarden's own per-group filters may be left from a
 * fallback, so only then are the account's log groups read for them.
 */
export function makeHandler(deps: EnsureSubscriptionDeps) {
  return controlHandler(deps, async ({ account, region }, clients) => {
    const previous = await readLedgerCell(
      clients.own(DynamoDBClient, deps.ledgerRegion),
      deps.ledgerTable,
      account,
      region,
      'subscription',
    );
    return ensureSubscription(
      clients.member(CloudWatchLogsClient, account, region),
      { account, region },
      { ...subscriptionSettings(account, region, deps), ownFiltersMayRemain: ownFiltersMayRemain(previous) },
    );
  });
}
