import type { ControlResult } from '../../contracts/coverage';
import type { AwsClients } from './control-handler';

/** A write a control would have made: the service, the operation and its parameters. */
export interface PlannedCall {
  service: string;
  operation: string;
  input: unknown;
}

/**
 * The operations that only read. Every AWS API that changes nothing is named Describe*, Get* or
 * List* in the services the controls call (EC2, CloudWatch Logs, CloudTrail, GuardDuty,
 * EventBridge, Organizations); everything else is a write and is recorded instead of sent.
 */
export const isReadOperation = (operation: string): boolean => /^(Describe|Get|List)[A-Z]/.test(operation);

interface Sender {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
  config?: { serviceId?: string };
}

const operationOf = (command: unknown): string =>
  ((command as { constructor?: { name?: string } }).constructor?.name ?? 'Unknown').replace(/Command$/, '');

/**
 * The client, read-only: reads are sent, writes are recorded in `calls` and answered with an
 * empty response (the controls read nothing from a write's answer that they do not default).
 */
export function readOnlyClient<C>(client: C, calls: PlannedCall[]): C {
  const target = client as unknown as Sender;
  const service =
    target.config?.serviceId ??
    ((client as { constructor?: { name?: string } }).constructor?.name ?? 'Unknown').replace(/Client$/, '');
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop !== 'send') return Reflect.get(obj, prop, receiver) as unknown;
      return async (command: unknown, ...rest: unknown[]) => {
        const operation = operationOf(command);
        if (isReadOperation(operation)) return obj.send(command, ...rest);
        calls.push({ service, operation, input: (command as { input?: unknown }).input });
        return {};
      };
    },
  }) as unknown as C;
}

/** Every client a control makes, read-only (see `readOnlyClient`). */
export function readOnlyClients(inner: AwsClients, calls: PlannedCall[]): AwsClients {
  return {
    own: (Ctor, region) => readOnlyClient(inner.own(Ctor, region), calls),
    member: (Ctor, account, region, credentials) =>
      readOnlyClient(inner.member(Ctor, account, region, credentials), calls),
  };
}

/** One planned call as a line: `EC2 CreateFlowLogs {"ResourceIds":["vpc-1"],…}`. */
export const describeCall = (c: PlannedCall): string =>
  `${c.service} ${c.operation} ${JSON.stringify(c.input)}`;

/**
 * A control's result when its writes were held back (config `mode: observe`, a verify-only
 * control): what it found stays; what a heal would have changed becomes the failure reason, so
 * the drift is reported (ledger, summary, alarm) and nothing is repaired.
 */
export function heldBack(result: ControlResult, calls: PlannedCall[], why: string): ControlResult {
  if (!calls.length) return result;
  const would = result.actions.length ? result.actions : calls.map(describeCall);
  return {
    ...result,
    status: 'failed',
    actions: [],
    reason: [`${why}: not repaired; a heal would: ${would.join('; ')}`, result.reason]
      .filter(Boolean)
      .join('; ')
      .slice(0, 1000),
  };
}
