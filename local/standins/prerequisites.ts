/**
 * The one-time steps a real organization takes before logwarden is deployed (docs/deploying.md, "Deploying
 * for real"), performed on logwarden's moto server (`startMoto()`), so the
 * local run and the end-to-end tests start from the organization the stand-ins expect: an
 * organization with all features, the log-archive, security-tooling and member accounts under
 * their configured ids, trusted access for the services logwarden relies on, the
 * security-tooling account as their delegated administrator, and GuardDuty's delegated admin in
 * every governed region. Each step is named as the AWS CLI command it stands for.
 */
import { GuardDutyClient, EnableOrganizationAdminAccountCommand } from '@aws-sdk/client-guardduty';
import {
  CreateOrganizationCommand,
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { LogwardenConfig } from '../../contracts/config';

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

/** Trusted access logwarden needs (Organizations user guide, "AWS services that you can use with AWS Organizations"). */
export const trustedServices = [
  'account.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'guardduty.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
] as const;

/** Services whose delegated administrator is the security-tooling account. */
export const delegatedServices = [
  'account.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
] as const;

/**
 * Sets the organization up; returns its id and, step by step, what was done (for the local
 * run to print where each prerequisite is emulated).
 */
export async function emulateOrganizationPrerequisites(
  endpoint: string,
  config: LogwardenConfig,
  members: readonly string[],
): Promise<{ organizationId: string; steps: string[] }> {
  const { management, logArchive, securityTooling } = config.accounts;
  const orgs = asRoot(OrganizationsClient, endpoint, management, 'us-east-1');
  const steps: string[] = [];
  const org = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const organizationId = org.Organization!.Id!;
  steps.push(`aws organizations create-organization --feature-set ALL → ${organizationId}`);
  for (const accountId of [logArchive, securityTooling, ...members]) {
    await post(endpoint, 'organization-account', {
      managementAccount: management,
      accountId,
      email: `${accountId}@example.com`,
    });
  }
  steps.push(`accounts ${[logArchive, securityTooling, ...members].join(', ')} in the organization`);
  for (const principal of trustedServices) {
    await orgs.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
    steps.push(`aws organizations enable-aws-service-access --service-principal ${principal}`);
  }
  for (const principal of delegatedServices) {
    await orgs.send(
      new RegisterDelegatedAdministratorCommand({ AccountId: securityTooling, ServicePrincipal: principal }),
    );
    steps.push(
      `aws organizations register-delegated-administrator --account-id ${securityTooling} --service-principal ${principal}`,
    );
  }
  for (const region of config.governedRegions) {
    await asRoot(GuardDutyClient, endpoint, management, region).send(
      new EnableOrganizationAdminAccountCommand({ AdminAccountId: securityTooling }),
    );
    steps.push(
      `aws guardduty enable-organization-admin-account --admin-account-id ${securityTooling} --region ${region}`,
    );
  }
  return { organizationId, steps };
}
