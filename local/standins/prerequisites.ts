/**
 * The local world's own set-up on logwarden's moto server (`startMoto()`): clients acting as an
 * account's root user, accounts under chosen ids, service credentials and IAM enforcement. The
 * organization's prerequisites are taken from contracts/prerequisites.ts by
 * local/scenario/prerequisites.ts.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsEvent } from '../aws-events';

/** The launcher's root key: requests signed with it act as the root user of `x-moto-account-id`. */
export const rootAccessKey = 'AKIAIOSFODNN7EXAMPLE';

interface MiddlewareClient {
  middlewareStack: {
    add: (
      middleware: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: 'build'; name: string },
    ) => void;
  };
}

/** An SDK client acting as the root user of `account` on the stand-ins at `endpoint`. */
export function asRoot<C>(
  Ctor: new (config: Record<string, unknown>) => C,
  endpoint: string,
  account: string,
  region: string,
): C {
  const client = new Ctor({
    endpoint,
    region,
    credentials: { accessKeyId: rootAccessKey, secretAccessKey: 'not-a-secret' },
    requestHandler: new NodeHttpHandler(),
  });
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build', name: 'standinsAccount' },
  );
  return client;
}

async function post<T>(endpoint: string, name: string, body: object): Promise<T> {
  const res = await fetch(`${endpoint}/logwarden-standins/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`logwarden-standins/${name}: ${answer.message ?? res.status}`);
  return answer;
}

/**
 * Credentials of `roleArn` as AWS service `service` (lambda.amazonaws.com, states.amazonaws.com)
 * obtains them for a function or workflow: refused unless the role's trust names the service.
 */
export function serviceCredentials(
  endpoint: string,
  roleArn: string,
  service: string,
  source: { sourceAccount?: string; sourceArn?: string } = {},
) {
  return post<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }>(
    endpoint,
    'service-credentials',
    { roleArn, service, ...source },
  );
}

/**
 * Whether `service`, acting with `roleArn` (its trust evaluated with `source`), may take `action`
 * on `resource`: the role's identity policies and, across accounts, the resource's policy, as
 * the stand-in's IAM evaluates them (EventBridge sending to another account's bus as the
 * rule target's role). Throws with AWS's message when refused.
 */
export function serviceAuthorize(
  endpoint: string,
  request: {
    roleArn: string;
    service: string;
    action: string;
    resource: string;
    region: string;
    sourceAccount?: string;
    sourceArn?: string;
  },
) {
  return post<{ allowed: true }>(endpoint, 'service-authorize', request);
}

/**
 * EventBridge sending a matched event to an SQS queue target (no role): the queue's policy must
 * let `service` send, with the rule's ARN and account as `aws:SourceArn` / `aws:SourceAccount`;
 * allowed, the stand-in puts the message into the queue. Throws when refused.
 */
export function serviceSendMessage(
  endpoint: string,
  request: {
    queueArn: string;
    service: string;
    messageBody: string;
    sourceAccount: string;
    sourceArn: string;
  },
) {
  return post<{ messageId: string }>(endpoint, 'service-send-message', request);
}

/** An account joins the organization under a chosen id, as CreateAccount leaves it before CreateAccountResult. */
export function addOrganizationAccount(endpoint: string, management: string, accountId: string) {
  return post<{ accountId: string }>(endpoint, 'organization-account', {
    managementAccount: management,
    accountId,
    email: `${accountId}@example.com`,
  });
}

/** A request the stand-in's IAM refused (local/standins/iam.py DENIALS). */
export interface Denial {
  action: string;
  caller: string;
  code: string;
  message: string;
  /** When, in milliseconds since the epoch. */
  at: number;
}

/** Every request refused since the server started, oldest first. */
export async function deniedRequests(endpoint: string): Promise<Denial[]> {
  const res = await fetch(`${endpoint}/logwarden-standins/denials`);
  if (!res.ok) throw new Error(`logwarden-standins/denials: ${res.status}`);
  return ((await res.json()) as { denials: Denial[] }).denials;
}

/** Turns IAM enforcement on or off for every later request. */
export function enforceIam(endpoint: string, enforce: boolean) {
  return post<{ enforce: boolean }>(endpoint, 'iam', { enforce });
}

/**
 * The events AWS emitted since `after` (local/standins/events.py): the CloudTrail record of every
 * management write made on the stand-in, in its EventBridge envelope, and the services' own
 * events (Region Opt-In Status Change). `next` is where the following read starts.
 */
export async function emittedEvents(
  endpoint: string,
  after = 0,
): Promise<{ events: AwsEvent[]; next: number; failures: string[] }> {
  const res = await fetch(`${endpoint}/logwarden-standins/events?after=${after}`);
  if (!res.ok) throw new Error(`logwarden-standins/events: ${res.status}`);
  return (await res.json()) as { events: AwsEvent[]; next: number; failures: string[] };
}
