import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';

export interface ClientOptions {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
}

type ClientCtor<C> = new (config: {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  maxAttempts?: number;
}) => C;

/**
 * The one client factory. Every function builds its SDK clients here and hands them to its
 * pure core, so tests pass mocks and the local run reaches the stand-ins through
 * AWS_ENDPOINT_URL, which the SDK reads by itself: no code path differs between local and AWS.
 */
export function createClient<C>(Ctor: ClientCtor<C>, options: ClientOptions = {}): C {
  return new Ctor({
    region: options.region ?? process.env.AWS_REGION,
    credentials: options.credentials,
    // The cores retry with their own backoff where it matters; the SDK's own retries stay modest.
    maxAttempts: 3,
  });
}
