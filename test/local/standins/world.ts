/**
 * A small emulated organization on logwarden's moto server for the stand-in tests: the real SDK
 * clients, each acting as one account (moto's `x-moto-account-id`, signed with the root key) or
 * with a role's own credentials.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startMoto, type Moto } from '../../../local/moto';

export const management = '111111111111';
export const securityTooling = '222222222222';
export const logArchive = '333333333333';
export const member = '444444444444';
/** An account outside the organization. */
export const outsider = '999999999999';
export const region = 'eu-west-1';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Handler = (args: { request: unknown }) => Promise<unknown>;
interface AnyClient {
  // The SDK's middleware types differ per client; this helper only adds a header.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: { add: (middleware: any, options: { step: 'build'; name: string }) => void };
}

export class World {
  private constructor(readonly moto: Moto) {}

  static async start(options: { iam?: boolean } = {}): Promise<World> {
    return new World(await startMoto({ iam: options.iam ?? false }));
  }

  stop(): Promise<void> {
    return this.moto.stop();
  }

  /** A client acting as the root user of `account` (the launcher's root access key). */
  as<C extends AnyClient>(
    Ctor: new (config: Record<string, unknown>) => C,
    account: string,
    where: string = region,
  ): C {
    const client = new Ctor({
      endpoint: this.moto.endpoint,
      region: where,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-secret' },
      maxAttempts: 1,
      // moto speaks HTTP/1.1; the Kinesis client would otherwise try HTTP/2.
      requestHandler: new NodeHttpHandler(),
    });
    client.middlewareStack.add(
      (next: Handler) => async (args: { request: unknown }) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
        return next(args);
      },
      { step: 'build', name: 'motoAccount' },
    );
    return client;
  }

  /** A client signing with `credentials` (a role session): moto finds the account from them. */
  with<C extends AnyClient>(
    Ctor: new (config: Record<string, unknown>) => C,
    credentials: Credentials,
    where: string = region,
  ): C {
    return new Ctor({
      endpoint: this.moto.endpoint,
      region: where,
      credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
  }

  async fixture<T>(name: string, body: object): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.moto.endpoint}/logwarden-standins/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** The organization: management, security-tooling, log-archive and one member account. */
  async organization(): Promise<string> {
    const org = await this.as(OrganizationsClient, management, 'us-east-1').send(
      new CreateOrganizationCommand({ FeatureSet: 'ALL' }),
    );
    for (const accountId of [securityTooling, logArchive, member]) {
      const res = await this.fixture('organization-account', {
        managementAccount: management,
        accountId,
        email: `${accountId}@example.com`,
      });
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    }
    return org.Organization!.Id!;
  }

  async serviceCredentials(roleArn: string, service: string) {
    return this.fixture<Credentials & { message?: string }>('service-credentials', { roleArn, service });
  }

  /** A role `name` of `account` allowed `statements`, and the credentials Lambda gives a function of it. */
  async roleSession(
    account: string,
    name: string,
    statements: object[],
  ): Promise<{ arn: string; credentials: Credentials }> {
    const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
    const iam = this.as(IAMClient, account, 'us-east-1');
    const trust = doc({
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    const arn = (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust })))
      .Role!.Arn!;
    await iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: doc(...statements) }),
    );
    const res = await this.serviceCredentials(arn, 'lambda.amazonaws.com');
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return { arn, credentials: res.body };
  }
}

/**
 * A CloudWatch Logs destination's access policy that grants the whole organization, as
 * logwarden's destinations do: subscription filters and account policies of any of its accounts.
 */
export function organizationDestinationPolicy(destinationArn: string, organizationId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
        Resource: destinationArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    ],
  });
}
