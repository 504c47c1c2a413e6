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
    ...(options.http1 ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}
