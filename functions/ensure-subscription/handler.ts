import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  destinationArn,
  pipelineLogGroups,
  subscriptionPolicyName,
  subscriptionRoleArn,
} from '../../contracts/names';
import { controlDepsFromEnv, controlHandler, type ControlDeps } from '../shared/control-handler';
import { ensureSubscriptionEnv } from './env';
import { ensureSubscription } from './ensure-subscription';

export interface EnsureSubscriptionDeps extends ControlDeps {
  logArchiveAccount: string;
  /** config subscription.besideForeignPolicy (default per-group-filters). */
  besideForeignPolicy?: 'per-group-filters' | 'report';
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): EnsureSubscriptionDeps {
  return { ...controlDepsFromEnv(env), ...ensureSubscriptionEnv.parse(env) };
}

/** Step Functions task: the account subscription policy of one account and region. */
export function makeHandler(deps: EnsureSubscriptionDeps) {
  return controlHandler(deps, ({ account, region }, clients) =>
    ensureSubscription(
      clients.member(CloudWatchLogsClient, account, region),
      { account, region },
      {
        destinationArn: destinationArn(region, deps.logArchiveAccount),
        roleArn: subscriptionRoleArn(account),
        policyName: subscriptionPolicyName(region),
        excludedLogGroups: pipelineLogGroups,
        besideForeignPolicy: deps.besideForeignPolicy,
      },
    ),
  );
}
