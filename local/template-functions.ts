import * as path from 'node:path';
import { forEachState, resolveValue, type CfnTemplate, type TaskHandlers } from './asl';
import { envVarName } from '../functions/shared/env';
import { runAsFunction } from './function-context';

/** The variable that names a function's folder (`logwarden-<folder>`), set by NodeFunction. */
export const serviceNameVariable = envVarName('powertoolsServiceName');

const functionsDir = path.resolve(__dirname, '..', 'functions');

export interface FunctionResource {
  logicalId: string;
  /** The folder under functions/, from the Powertools service name every logwarden function gets. */
  name: string;
  environment: Record<string, string>;
}

/** The Lambda functions of a synthesized template, with the environment the stack gives them. */
export function templateFunctions(
  template: CfnTemplate,
  region: string,
  account: string,
): FunctionResource[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([logicalId, r]) => {
      const vars = ((r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {}) as Record<string, unknown>;
      const environment = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, resolveValue(template, v, region, account)]),
      );
      return {
        logicalId,
        name: (environment[serviceNameVariable] ?? '').replace(/^logwarden-/, ''),
        environment,
      };
    })
    .filter((f) => f.name);
}

/**
 * Binds every Task of a state machine whose resource is one of the template's functions to that
 * function's real handler, in process: `makeHandler(depsFromEnv(env))` with the environment the
 * stack gives the function over this process's own (endpoint, credentials, region). Each function
 * gets its own settings; nothing is stubbed and process.env is left alone.
 */
export function bindTaskHandlers(
  template: CfnTemplate,
  definition: Record<string, unknown>,
  region: string,
  account: string,
  /** The stand-in emulates CloudTrail delegated administration (local/standins). */
  options: { trailDelegation?: boolean } = {},
): TaskHandlers {
  const fns = new Map(templateFunctions(template, region, account).map((f) => [f.logicalId, f]));
  const handlers: TaskHandlers = {};
  forEachState(definition, (stateName, state) => {
    const match = /:function:([A-Za-z0-9]+)$/.exec(String(state.Resource ?? ''));
    if (state.Type !== 'Task' || !match) return;
    const fn = fns.get(match[1]);
    if (!fn) throw new Error(`task ${stateName} names ${match[1]}, which is not a function of the template`);
    let handler: ((e: unknown) => Promise<unknown>) | undefined;
    handlers[stateName] = async (input: unknown) => {
      handler ??= functionHandler(options.trailDelegation ? fn : withoutDelegatedAdmin(fn, account));
      // Named for the local instruments (local/counting-proxy.ts): which function made a call.
      return runAsFunction(fn.name, () => handler!(input));
    };
  });
  return handlers;
}

/**
 * Bare moto has no CloudTrail delegated administration: an organization trail the security-tooling
 * account creates stays in that account's backend, where on AWS the management account owns it
 * (contracts/names.ts organizationTrailArn). Locally the trail control therefore addresses the
 * trail by an ARN naming the account that runs the control plane; its code path is unchanged.
 */
function withoutDelegatedAdmin(fn: FunctionResource, controlAccount: string): FunctionResource {
  if (fn.name !== 'ensure-trail' || !fn.environment.MANAGEMENT_ACCOUNT) return fn;
  return { ...fn, environment: { ...fn.environment, MANAGEMENT_ACCOUNT: controlAccount } };
}

/** A template function's real handler, built by its factory from the environment the stack gives it. */
export function functionHandler(fn: FunctionResource): (event: unknown) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(functionsDir, fn.name, 'handler')) as {
    makeHandler: (deps: unknown) => (e: unknown) => Promise<unknown>;
    depsFromEnv: (env: Record<string, string | undefined>) => unknown;
  };
  return mod.makeHandler(mod.depsFromEnv({ ...process.env, ...fn.environment }));
}
