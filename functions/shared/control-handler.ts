import { Logger } from '@aws-lambda-powertools/logger';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Context } from 'aws-lambda';
import type { ControlResult, ControlTarget } from '../../contracts/coverage';
import { createClient, type ClientCtor } from './clients';
import { memberClient } from './member-clients';
import { z } from 'zod';
import { defineEnv } from './env';
import { heldBack, readOnlyClients, type PlannedCall } from './read-only';

export interface ControlEvent extends ControlTarget {
  vpcIds?: string[];
  /**
   * The name of the workflow execution running the control (`$$.Execution.Name`, passed by
   * workflows/control-step.ts): deterministic and unique, so idempotency tokens derived from it
   * repeat within one execution's retries and never across executions.
   */
  execution: string;
  /**
   * `logwarden plan`: run read-only and hand back, with the result, every write a heal would
   * make (its call and parameters) instead of making it.
   */
  plan?: boolean;
}

/** Where a control's SDK clients act: this (the control-plane) account, or a member account. */
export interface AwsClients {
  own<C>(Ctor: ClientCtor<C>, region: string): C;
  /**
   * Through the member's logwarden execution role; clients given the same `credentials`
   * (`memberCredentials(account, region)`) share one assumed session.
   */
  member<C>(
    Ctor: ClientCtor<C>,
    account: string,
    region: string,
    credentials?: AwsCredentialIdentityProvider,
  ): C;
}

export const awsClients: AwsClients = {
  own: (Ctor, region) => createClient(Ctor, { region }),
  member: memberClient,
};

/** What every control handler is built from, besides its own settings. */
export interface ControlDeps {
  clients: AwsClients;
  logger: Logger;
  /** config `mode`: `observe` reads only and reports what a heal would change. Default `enforce`. */
  mode?: 'enforce' | 'observe';
}

/** Every control function's LOGWARDEN_MODE (config `mode`). */
export const controlModeEnv = defineEnv({
  logwardenMode: z.enum(['enforce', 'observe'], { error: 'must be enforce or observe' }),
});

export const controlDepsFromEnv = (env: Readonly<Record<string, string | undefined>>): ControlDeps => ({
  clients: awsClients,
  logger: new Logger(),
  mode: controlModeEnv.parse(env).logwardenMode,
});

/** Checks the event every control receives from its workflow; a bad one is a bug upstream. */
export function parseControlEvent(event: unknown): ControlEvent {
  const e = event as Partial<ControlEvent>;
  if (
    !e ||
    !/^\d{12}$/.test(String(e.account)) ||
    typeof e.region !== 'string' ||
    !e.region ||
    typeof e.execution !== 'string' ||
    !/^[A-Za-z0-9_-]{1,80}$/.test(e.execution)
  ) {
    throw new Error(
      `a control needs {account, region, execution}; got ${JSON.stringify(event).slice(0, 200)}`,
    );
  }
  return {
    account: e.account as string,
    region: e.region,
    execution: e.execution,
    vpcIds: Array.isArray(e.vpcIds) ? e.vpcIds : undefined,
    ...(e.plan === true ? { plan: true } : {}),
  };
}

/**
 * A control's Step Functions task: parse the event, run the control, and log what it found
 * and did, so every change is explained in its log too. In `observe` mode (or when `verifyOnly`
 * names why this control may not write), the control runs with read-only clients: its writes
 * are held back and reported as the cell's failure reason (functions/shared/read-only.ts).
 */
export function controlHandler(
  deps: ControlDeps,
  run: (event: ControlEvent, clients: AwsClients) => Promise<ControlResult>,
  verifyOnly?: string,
): (event: unknown, context?: Context) => Promise<ControlResult & { planned?: PlannedCall[] }> {
  return async (event, context) => {
    if (context) deps.logger.addContext(context);
    const parsed = parseControlEvent(event);
    if (parsed.plan) {
      const planned: PlannedCall[] = [];
      const found = await run(parsed, readOnlyClients(deps.clients, planned));
      deps.logger.info(`${found.control} plan`, { ...found, planned });
      return { ...found, planned };
    }
    const why = deps.mode === 'observe' ? 'mode is observe' : verifyOnly;
    let result: ControlResult;
    if (why) {
      const calls: PlannedCall[] = [];
      result = heldBack(
        await run(parseControlEvent(event), readOnlyClients(deps.clients, calls)),
        calls,
        why,
      );
    } else result = await run(parseControlEvent(event), deps.clients);
    deps.logger.info(`${result.control} ${result.status}`, { ...result });
    return result;
  };
}
