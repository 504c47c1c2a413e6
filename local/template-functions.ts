import * as path from 'node:path';
import { forEachState, resolveValue, type CfnTemplate, type TaskHandlers } from './asl';
import { envVarName } from '../functions/shared/env';
import { inFunctionEnvironment } from '../functions/shared/clients';
import { runAsFunction } from './function-context';

/** The variable that names a function's folder (`logwarden-<folder>`), set by NodeFunction. */
export const serviceNameVariable = envVarName('powertoolsServiceName');

const functionsDir = path.resolve(__dirname, '..', 'functions');

export interface FunctionResource {
  logicalId: string;
  /** The folder under functions/, from the Powertools service name every logwarden function gets. */
  name: string;
  environment: Record<string, string>;
  /** The function's execution role (its `Role`), whose credentials Lambda gives it. */
  roleArn: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The credentials Lambda gives a function: its execution role's, assumed as lambda.amazonaws.com. */
export type RoleCredentials = (roleArn: string) => Promise<Credentials>;

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
        roleArn: resolveValue(template, r.Properties?.Role, region, account),
      };
    })
    .filter((f) => f.name);
}

/**
 * Binds every Task of a state machine whose resource is one of the template's functions to that
 * function's real handler, in process: `makeHandler(depsFromEnv(env))` with the environment the
 * stack gives the function over this process's own (endpoint, region), and its own role's
 * credentials, as Lambda gives them (`functionHandler`). Nothing is stubbed and process.env is
 * left alone.
 */
export function bindTaskHandlers(
  template: CfnTemplate,
  definition: Record<string, unknown>,
  region: string,
  account: string,
  credentials: RoleCredentials,
): TaskHandlers {
  const fns = new Map(templateFunctions(template, region, account).map((f) => [f.logicalId, f]));
  const handlers: TaskHandlers = {};
  forEachState(definition, (stateName, state) => {
    const match = /:function:([A-Za-z0-9]+)$/.exec(String(state.Resource ?? ''));
    if (state.Type !== 'Task' || !match) return;
    const fn = fns.get(match[1]);
    if (!fn) throw new Error(`task ${stateName} names ${match[1]}, which is not a function of the template`);
    let handler: Promise<(e: unknown) => Promise<unknown>> | undefined;
    handlers[stateName] = async (input: unknown) => {
      // A cold start that failed is tried again at the next invocation, as Lambda does.
      handler ??= credentials(fn.roleArn)
        .then((c) => functionHandler(fn, c))
        .catch((err: unknown) => {
          handler = undefined;
          throw err;
        });
      const run = await handler;
      // Named for the local instruments (local/counting-proxy.ts): which function made a call.
      return runAsFunction(fn.name, () => run(input));
    };
  });
  return handlers;
}

/**
 * The environment Lambda gives a function: the stack's variables over this process's own
 * (endpoint, region, log settings), and its execution role's credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
 */
export function functionEnvironment(fn: FunctionResource, credentials: Credentials): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    ...fn.environment,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
  };
}

/**
 * A template function's real handler, built by its factory from the environment Lambda gives it
 * (`functionEnvironment`) and run in that environment, so every client it builds, at start or
 * per event, signs with its own role (functions/shared/clients.ts `inFunctionEnvironment`).
 */
export function functionHandler(
  fn: FunctionResource,
  credentials: Credentials,
): (event: unknown) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(functionsDir, fn.name, 'handler')) as {
    makeHandler: (deps: unknown) => (e: unknown) => Promise<unknown>;
    depsFromEnv: (env: Record<string, string | undefined>) => unknown;
  };
  const env = functionEnvironment(fn, credentials);
  const handler = inFunctionEnvironment(env, () => mod.makeHandler(mod.depsFromEnv(env)));
  return (event) => inFunctionEnvironment(env, () => handler(event));
}
