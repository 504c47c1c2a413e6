import { AsyncLocalStorage } from 'node:async_hooks';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
} from '../../contracts/function-runtime';

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
  /** A handler, or the default handler's options (the SDK accepts either). */
  requestHandler?:
    NodeHttpHandler | { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
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
  params: { RoleArn: string; RoleSessionName: string; DurationSeconds?: number; ExternalId?: string },
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
  // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
  const timeouts = {
    connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
    requestTimeout: SDK_REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  };
  return new Ctor({
    region: options.region ?? currentEnvironment().AWS_REGION,
    credentials: options.credentials ?? environmentCredentials(),
    // The cores retry with their own backoff where it matters; the SDK's own retries stay modest.
    maxAttempts: SDK_MAX_ATTEMPTS,
    // Every client gives up on a silent endpoint (contracts/function-runtime.ts says why and how
    // soon). The options form applies to each client's default HTTP/1.1 handler; Kinesis defaults
    // to HTTP/2, which takes no such options, so a function's Kinesis client is built with http1.
    requestHandler: options.http1 ? new NodeHttpHandler(timeouts) : timeouts,
  });
}
