import { Logger } from '@aws-lambda-powertools/logger';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { stateMachineArn } from '../../contracts/names';
import type { Scope } from '../../contracts/scope';
import { scopeFromEnv, scopeRuleFor } from '../shared/scope';
import { createClient } from '../shared/clients';
import { lambdaRuntimeEnv } from '../shared/env';
import { startNamedExecution } from '../shared/start-execution';
import { dispatchEnv } from './env';
import { EventBridgeEvent, Route, routeEvents } from './route';

export interface DispatchDeps {
  sfn: SFNClient;
  governedRegions: string[];
  /** Where the workflows live: this function's own account and region. */
  controlAccount: string;
  managementAccount: string;
  region: string;
  logger: Logger;
  orgs: OrganizationsClient;
  scope: Scope;
}

export function depsFromEnv(env: Readonly<Record<string, string | undefined>>): DispatchDeps {
  const settings = dispatchEnv.parse(env);
  const { awsRegion } = lambdaRuntimeEnv.parse(env);
  return {
    sfn: createClient(SFNClient),
    orgs: createClient(OrganizationsClient, { region: 'us-east-1' }),
    governedRegions: settings.governedRegions,
    controlAccount: settings.controlAccount,
    managementAccount: settings.managementAccount,
    scope: scopeFromEnv(settings),
    region: awsRegion,
    logger: new Logger(),
  };
}

/**
 * EventBridge rule target: { trigger, event } → the workflow that heals it, under a name that
 * coalesces the events about one target within a window (route.ts).
 */
export function makeHandler(deps: DispatchDeps) {
  return async (input: { trigger: string; event: EventBridgeEvent }, context?: Context) => {
    if (context) deps.logger.addContext(context);
    const routes = routeEvents(input.trigger, input.event, {
      governedRegions: deps.governedRegions,
      managementAccount: deps.managementAccount,
      // The control plane runs in the security-tooling account, GuardDuty's delegated administrator.
      guardDutyAdminAccount: deps.controlAccount,
      controlAccount: deps.controlAccount,
    });
    const results = [];
    for (const route of routes) results.push(await startRoute(deps, input, route));
    return results.length === 1 ? results[0] : results;
  };
}

async function startRoute(
  deps: DispatchDeps,
  input: { trigger: string; event: EventBridgeEvent },
  route: Route,
) {
  // An out-of-scope account's region and VPC events start nothing. cover-account is started
  // whatever the scope: it re-evaluates it (an account created in, or moved to, an excluded
  // OU is recorded `excluded`, one moved out of one is covered).
  const account = route.start ? (route.input.account as string | undefined) : undefined;
  if (route.start && route.workflow !== 'cover-account' && route.workflow !== 'sweep' && account) {
    const rule = await scopeRuleFor(deps.orgs, account, deps.scope);
    if (rule) {
      const reason = `${account} is out of scope (${rule})`;
      deps.logger.info('event starts nothing', {
        trigger: input.trigger,
        eventId: input.event?.id,
        reason,
      });
      return { start: false as const, reason };
    }
  }
  if (!route.start) {
    deps.logger.info('event starts nothing', {
      trigger: input.trigger,
      eventId: input.event?.id,
      reason: route.reason,
    });
    return route;
  }
  const arn = stateMachineArn(route.workflow, deps.region, deps.controlAccount);
  const started = await startNamedExecution(deps.sfn, arn, route.name, route.input, route.rerunName);
  deps.logger.info(
    started.duplicate ? 'coalesced: the execution for this target is running or this event ran' : 'started',
    {
      trigger: input.trigger,
      ...started,
    },
  );
  return { ...route, ...started };
}
