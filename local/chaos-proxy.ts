import { createServer, type ServerResponse } from 'node:http';
import { credentialScope, forwardUpstream, listenOnLoopback } from './loopback-proxy';

export interface ChaosOptions {
  /** Share of requests answered with the service's own throttling error (0–1). */
  throttleRate: number;
  /** Every call signed for this region fails, as if the region were unreachable. */
  unreachableRegion?: string;
  random?: () => number;
}

export interface ChaosStats {
  forwarded: number;
  throttled: Record<string, number>;
  refused: number;
}

export interface ChaosProxy {
  endpoint: string;
  stats: ChaosStats;
  /** The faults to inject from now on; clients keep the same endpoint. */
  options: ChaosOptions;
  stop: () => Promise<void>;
}

/** The throttling answer each AWS protocol gives, so the SDK parses it as it would from AWS. */
function throttle(service: string, res: ServerResponse): string {
  const xml = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(body);
  };
  switch (service) {
    case 'ec2':
      xml(
        503,
        '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>chaos</RequestID></Response>',
      );
      return 'RequestLimitExceeded';
    case 'sts':
    case 'sns':
    case 'iam':
      xml(
        400,
        '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>chaos</RequestId></ErrorResponse>',
      );
      return 'Throttling';
    case 's3':
      xml(503, '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return 'SlowDown';
    case 'guardduty':
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'TooManyRequestsException',
      });
      res.end(JSON.stringify({ message: 'Rate exceeded' }));
      return 'TooManyRequestsException';
    default:
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      return 'ThrottlingException';
  }
}

/**
 * A loopback proxy in front of the AWS stand-in that injects the faults AWS has: throttling at
 * a given rate, and a whole region failing. Bounded to 127.0.0.1 and to the test's lifetime.
 */
export async function startChaosProxy(target: string, options: ChaosOptions): Promise<ChaosProxy> {
  const upstream = new URL(target);
  const stats: ChaosStats = { forwarded: 0, throttled: {}, refused: 0 };
  const server = createServer((req, res) => {
    const { service = '', region = '' } = credentialScope(req) ?? {};
    // The stand-in's own set-up endpoints (a role's credentials handed to a function, the
    // organization's accounts) are the platform, not an AWS API: no fault is injected there.
    const platform = (req.url ?? '').startsWith('/logwarden-standins/');
    if (!platform && options.unreachableRegion && region === options.unreachableRegion) {
      stats.refused++;
      req.socket.destroy();
      return;
    }
    if (!platform && (options.random ?? Math.random)() < options.throttleRate) {
      req.resume();
      const code = throttle(service, res);
      stats.throttled[code] = (stats.throttled[code] ?? 0) + 1;
      return;
    }
    stats.forwarded++;
    forwardUpstream(upstream, req, res);
  });
  const { endpoint, stop } = await listenOnLoopback(server);
  return { endpoint, stats, options, stop };
}
