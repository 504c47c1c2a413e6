/**
 * The OpenSearch domain's endpoint, as Amazon OpenSearch Service presents it to IAM principals:
 * every request must be signed with SigV4 (service `es`, the domain's region) by credentials the
 * stand-in issued; the stand-in verifies the signature and names the principal
 * (local/standins/sigv4.py); the request goes on to the node with the security plugin's proxy
 * authentication headers, the principal's ARN as the user and, for a role, its ARN as the backend
 * role (Amazon OpenSearch Service Developer Guide, "Fine-grained access control", Mapping roles to
 * users: "Specify users, IAM user ARNs ... in the Users section. Specify backend roles and IAM role
 * ARNs in the External identities section"). Unsigned, badly signed or expired requests are
 * refused with 403 and never reach the node.
 *
 * Only this gateway can reach the node: its HTTP layer requires a client certificate signed by the
 * CA the launcher generated at start (local/opensearch/src), and the security plugin trusts the
 * proxy headers only from 127.0.0.1 (`xff.internalProxies`).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Who signed a request, as the stand-in resolved it. */
export interface Principal {
  arn: string;
  account: string;
  /** The security plugin's user: the IAM user's ARN, or the IAM role's ARN (with its path). */
  userName: string;
  /** The role ARN for a role session; none for an IAM user. */
  backendRoles: string[];
}

export interface GatewayDomain {
  /** The stand-in that issued the credentials (logwarden's moto server). */
  iamEndpoint: string;
  region: string;
}

export interface NodeTls {
  port: number;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The security plugin's proxy authenticator headers (config.yml of local/opensearch.ts). */
export const proxyHeaders = { user: 'x-proxy-user', roles: 'x-proxy-roles' } as const;

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
]);
/** What a client may not pass on to the node: the node's own identity headers, and the signature. */
const stripped = (name: string) =>
  hopByHop.has(name) ||
  name === proxyHeaders.user ||
  name === proxyHeaders.roles ||
  name === 'x-forwarded-for' ||
  name === 'authorization' ||
  name.startsWith('x-amz-');

function send(res: ServerResponse, status: number, message: string) {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** `es:ESHttp<Method>`, the IAM action of a request to a domain. */
const actionOf = (method: string) => `es:ESHttp${method.charAt(0)}${method.slice(1).toLowerCase()}`;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function verify(
  domain: GatewayDomain,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ principal?: Principal; refused?: string }> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
  );
  const res = await fetch(`${domain.iamEndpoint}/logwarden-standins/sigv4`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      method: req.method,
      path: req.url,
      headers,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      service: 'es',
      region: domain.region,
    }),
  });
  const answer = (await res.json()) as Principal & { message?: string };
  if (res.status === 403) return { refused: answer.message ?? 'refused' };
  if (!res.ok) throw new Error(`logwarden-standins/sigv4 answered ${res.status}: ${answer.message}`);
  return { principal: answer };
}

export interface Gateway {
  endpoint: string;
  /** From now on requests are verified against `domain`; before, every request is answered 503. */
  serve(domain: GatewayDomain): void;
  close(): Promise<void>;
}

export async function startGateway(node: NodeTls): Promise<Gateway> {
  const agent = new Agent({ keepAlive: true, ca: node.ca, cert: node.cert, key: node.key });
  let domain: GatewayDomain | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (!domain) return send(res, 503, 'the domain is being created');
    if (!req.headers.authorization) {
      const action = actionOf(req.method ?? 'GET');
      return send(
        res,
        403,
        `User: anonymous is not authorized to perform: ${action} because no resource-based policy allows the ${action} action`,
      );
    }
    const { principal, refused } = await verify(domain, req, body);
    if (!principal) return send(res, 403, refused!);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !stripped(name)) headers[name] = value;
    headers[proxyHeaders.user] = principal.userName;
    if (principal.backendRoles.length) headers[proxyHeaders.roles] = principal.backendRoles.join(',');
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    headers['content-length'] = String(body.length);
    const upstream = httpsRequest(
      { host: '127.0.0.1', port: node.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (value !== undefined && !hopByHop.has(name)) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) send(res, 502, `the node did not answer: ${err.message}`);
      else res.destroy(err);
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, err.message);
      else res.destroy(err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    serve: (d) => (domain = d),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
