import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** What the commands talk to; tests pass mocked clients, the binary real ones. */
export interface CliClients {
  ddb: DynamoDBClient;
  sfn: SFNClient;
  orgs: OrganizationsClient;
  sts: STSClient;
  /** The control functions, for `logwarden plan` and `logwarden uninstall`. */
  lambda?: LambdaClient;
}

export interface CliTimeouts {
  /** How long to wait for a TCP (and TLS) connection. */
  connectMs: number;
  /** How long one request may take, from sending to the whole answer. */
  requestMs: number;
  /** Attempts per call, the first included (the SDK retries timeouts and throttling). */
  attempts: number;
}

/**
 * A person waits at a terminal: 5 s to connect, 10 s per request, 2 attempts, so an endpoint
 * that accepts the connection and never answers gives one line in about 20 s.
 */
export const defaultTimeouts: CliTimeouts = { connectMs: 5_000, requestMs: 10_000, attempts: 2 };

/** Where a call went, recorded on the error it failed with, so the one line can name it. */
export interface CallSite {
  service: string;
  operation: string;
  endpoint?: string;
}

const callSites = new WeakMap<object, CallSite>();

/** The service, operation and endpoint of a failed call made through a client of `cliClients`. */
export function callSiteOf(err: unknown): CallSite | undefined {
  return err && typeof err === 'object' ? callSites.get(err) : undefined;
}

interface MiddlewareClient {
  middlewareStack: {
    add: (
      mw: (
        next: (args: { request?: unknown }) => Promise<unknown>,
        context: Record<string, unknown>,
      ) => (args: { request?: unknown }) => Promise<unknown>,
      options: { step: 'initialize' | 'build'; name: string; override?: boolean },
    ) => void;
  };
}

/**
 * Two middlewares: one in the build step notes the endpoint each attempt goes to, one in the
 * initialize step (outside the retries) tags the final error with service, operation and endpoint.
 */
export function recordCallSites<C>(client: C): C {
  const stack = (client as unknown as MiddlewareClient).middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const req = args.request as { protocol?: string; hostname?: string; port?: number } | undefined;
      if (req?.hostname)
        context.logwardenEndpoint = `${req.protocol ?? 'https:'}//${req.hostname}${req.port ? `:${req.port}` : ''}`;
      return next(args);
    },
    { step: 'build', name: 'logwardenRecordEndpoint' },
  );
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (err && typeof err === 'object')
          callSites.set(err, {
            service: String(context.clientName ?? 'AWS').replace(/Client$/, ''),
            operation: String(context.commandName ?? 'call').replace(/Command$/, ''),
            endpoint: context.logwardenEndpoint as string | undefined,
          });
        throw err;
      }
    },
    { step: 'initialize', name: 'logwardenRecordCallSite' },
  );
  return client;
}

/** Attempts and timeouts of every CLI client; a fresh request handler each time. */
export function timeoutOptions(timeouts: CliTimeouts) {
  return {
    maxAttempts: timeouts.attempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    }),
  };
}

/**
 * The CLI's clients: every one with connection and request timeouts. `throwOnRequestTimeout`
 * makes `requestTimeout` an error; without it @smithy/node-http-handler 4 only logs a warning.
 * Endpoints and credentials come from the SDK's own chain (AWS_PROFILE, AWS_ENDPOINT_URL, …).
 */
export function cliClients(homeRegion: string, timeouts: CliTimeouts = defaultTimeouts): CliClients {
  const common = () => timeoutOptions(timeouts);
  return {
    ddb: recordCallSites(new DynamoDBClient({ region: homeRegion, ...common() })),
    sfn: recordCallSites(new SFNClient({ region: homeRegion, ...common() })),
    // Organizations is global; its endpoint is in us-east-1.
    orgs: recordCallSites(new OrganizationsClient({ region: 'us-east-1', ...common() })),
    sts: recordCallSites(new STSClient({ region: homeRegion, ...common() })),
    // A control may page through a whole region: the functions' 5 minutes, not a person's 10 s.
    lambda: recordCallSites(
      new LambdaClient({ region: homeRegion, ...timeoutOptions({ ...timeouts, requestMs: 300_000 }) }),
    ),
  };
}

/**
 * The clients of `logwarden replay` (run with log-archive credentials), in the region of the
 * pipeline replayed: the home region, or with pipeline.regional the one `--region` names.
 */
export function defaultReplayClients(
  config: { homeRegion: string },
  timeouts: CliTimeouts = defaultTimeouts,
  region: string = config.homeRegion,
) {
  const handler = (requestTimeout: number) => ({
    maxAttempts: timeouts.attempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectMs,
      requestTimeout,
      throwOnRequestTimeout: true,
    }),
  });
  return {
    s3: recordCallSites(new S3Client({ region, ...handler(timeouts.requestMs) })),
    // An invocation answers when the function is done: up to its own timeout (the indexer's 2 minutes).
    lambda: recordCallSites(new LambdaClient({ region, ...handler(Math.max(timeouts.requestMs, 150_000)) })),
    kinesis: recordCallSites(new KinesisClient({ region, ...handler(timeouts.requestMs) })),
    // The direct flow-log path has a delivery stream in each governed Region (cli/replay.ts).
    firehose: (streamRegion: string) =>
      recordCallSites(new FirehoseClient({ region: streamRegion, ...handler(timeouts.requestMs) })),
  };
}
