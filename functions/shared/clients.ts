import { AsyncLocalStorage } from 'node:async_hooks';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface ClientOptions {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  /**
   * HTTP/1.1 instead of the client's default. The Kinesis client defaults to HTTP/2 for
   * SubscribeToShard, which logwarden never calls itself (Lambda's event source mapping does);
   * PutRecords and GetRecords work the same over HTTP/1.1, in AWS and on the local stand-in.
   */
  http1?: boolean;
}

export type ClientCtor<C> = new (config: {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  maxAttempts?: number;
  requestHandler?: NodeHttpHandler;
}) => C;

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The environment a function runs with. Lambda hands a function its role's credentials and its
 * region in its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 * AWS_REGION: Lambda Developer Guide, "Defined runtime environment variables"); on Lambda that
 * environment is `process.env`. A host running several functions in one process (the local
 * run) runs each one inside `inFunctionEnvironment(env, ...)`, so the clients a function builds,
 * in `depsFromEnv` or while handling an event, act with that function's own role.
 */
const functionEnvironment = new AsyncLocalStorage<Environment>();

export function inFunctionEnvironment<T>(env: Environment, run: () => T): T {
  return functionEnvironment.run(env, run);
}

function currentEnvironment(): Environment {
  return functionEnvironment.getStore() ?? process.env;
}

/**
 * The credentials of the current function environment: its AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (what the SDK's default chain reads first from
 * process.env), else the rest of the default chain (a profile or SSO for the CLI on a laptop).
 */
export function environmentCredentials(): AwsCredentialIdentityProvider {
  const env = currentEnvironment();
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (accessKeyId && secretAccessKey) {
    const identity = {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return async () => identity;
  }
  return fromNodeProviderChain();
}

/** Credentials of a role assumed with the current function environment's own credentials. */
export function assumedRoleCredentials(
  params: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number },
  region?: string,
): AwsCredentialIdentityProvider {
  return fromTemporaryCredentials({
    params,
    masterCredentials: environmentCredentials(),
    clientConfig: { region: region ?? currentEnvironment().AWS_REGION },
  });
}

/**
 * The one client factory. Every function builds its SDK clients here and hands them to its
 * pure core, so tests pass mocks and the local run reaches the stand-ins through
 * AWS_ENDPOINT_URL, which the SDK reads by itself: no code path differs between local and AWS.
 * Region and credentials come from the function's environment (see `inFunctionEnvironment`).
 */
export function createClient<C>(Ctor: ClientCtor<C>, options: ClientOptions = {}): C {
  return new Ctor({
    region: options.region ?? currentEnvironment().AWS_REGION,
    credentials: options.credentials ?? environmentCredentials(),
    // The cores retry with their own backoff where it matters; the SDK's own retries stay modest.
    maxAttempts: 3,
    ...(options.http1 ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}
