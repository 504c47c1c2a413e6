import { request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * What the local run's loopback proxies in front of the AWS stand-in share: reading a request's
 * SigV4 credential scope, forwarding it upstream, and listening on 127.0.0.1 for a test's
 * lifetime.
 */

/** Key, region and service from the SigV4 credential scope: Credential=KEY/DATE/REGION/SERVICE/aws4_request. */
export function credentialScope(
  req: IncomingMessage,
): { key: string; region: string; service: string } | undefined {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  return m ? { key: m[1], region: m[2], service: m[3] } : undefined;
}

/**
 * Sends `req` on to `upstream` (its body piped, or `body` when already read) and answers `res`
 * with what comes back, unless `onAnswer` takes the upstream response over.
 */
export function forwardUpstream(
  upstream: URL,
  req: IncomingMessage,
  res: ServerResponse,
  options: { body?: Buffer; onAnswer?: (up: IncomingMessage) => boolean } = {},
): void {
  const forward = request(
    {
      hostname: upstream.hostname,
      port: upstream.port,
      path: req.url,
      method: req.method,
      headers: req.headers,
    },
    (up) => {
      if (options.onAnswer?.(up)) return;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  forward.on('error', () => res.destroy());
  if (options.body) forward.end(options.body);
  else req.pipe(forward);
}

/** Listens on a free port of 127.0.0.1; `stop` closes every connection and the server. */
export async function listenOnLoopback(
  server: Server,
): Promise<{ endpoint: string; port: number; stop: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
