/**
 * A loopback proxy in front of the AWS stand-in that counts requests per (function, AWS service,
 * operation, account, region) and classifies each as a read, a write or `auth`.
 *
 * - **Function:** the logwarden function whose handler made the call (local/function-context.ts,
 *   carried by AsyncLocalStorage to the SDK's HTTP request, which names it in a header the proxy
 *   removes). Calls made outside every handler (the set-up's own) are not counted.
 * - **Service and region:** the SigV4 credential scope of the Authorization header.
 * - **Operation:** `X-Amz-Target` (JSON protocols), `Action=` (query protocols: EC2, STS, SNS),
 *   or the method and path matched against botocore's service model (REST protocols: GuardDuty,
 *   the Account API), the same models the stand-ins answer from.
 * - **Account:** the account of the signing credentials. The proxy learns each access key's
 *   account from the STS AssumeRole answers that pass through it (its `AssumedRoleUser` ARN).
 *
 * Only requests a function made are counted: not the set-up's own, nor the stand-in's set-up
 * endpoints (they are not AWS APIs). Bounded to 127.0.0.1 and to its owner's lifetime.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import httpModule, { createServer, type IncomingMessage, type RequestOptions } from 'node:http';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { currentFunction } from './function-context';
import { credentialScope, forwardUpstream, listenOnLoopback } from './loopback-proxy';

/**
 * `auth` is neither a read nor a write of what a control governs: STS hands out the member
 * role's credentials. Reads and writes are told by the operation's verb; a verb this table does
 * not know is an error, so a new call is classified on purpose, never by accident.
 */
export type CallKind = 'read' | 'write' | 'auth';

const authOperations = new Set(['sts:AssumeRole', 'sts:GetCallerIdentity']);
const readVerbs = /^(Describe|Get|List|Lookup|Query|Scan|BatchGet)/;
const writeVerbs =
  /^(Create|Put|Update|Delete|Start|Stop|Enable|Disable|Associate|Disassociate|Tag|Untag|Publish|Send|Subscribe|BatchWrite|Invite|Accept|Decline|Register|Deregister|Remove|Add|Set|Test)/;

export function kindOf(service: string, operation: string): CallKind {
  if (authOperations.has(`${service}:${operation}`)) return 'auth';
  if (readVerbs.test(operation)) return 'read';
  if (writeVerbs.test(operation)) return 'write';
  throw new Error(`counting proxy: ${service}:${operation} is neither a known read, write nor auth call`);
}

export interface CountedCall {
  /** The logwarden function that made it (POWERTOOLS_SERVICE_NAME without `logwarden-`). */
  fn: string;
  service: string;
  operation: string;
  kind: CallKind;
  /** The account of the signing credentials; undefined if the proxy never saw them issued. */
  account?: string;
  region: string;
  status: number;
}

export interface CountingProxy {
  endpoint: string;
  /** Every counted call, in the order the proxy received them. */
  calls: CountedCall[];
  /** Forgets the calls counted so far (the learned credentials stay). */
  reset: () => void;
  /** Tells the proxy who owns credentials obtained before it existed. */
  knowCredentials: (accessKeyId: string, account: string) => void;
  stop: () => Promise<void>;
}

interface RestOperation {
  name: string;
  method: string;
  pattern: RegExp;
}

const botocoreData = (() => {
  const lib = path.resolve(__dirname, '..', '.venv', 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  return python ? path.join(lib, python, 'site-packages', 'botocore', 'data') : undefined;
})();

/** botocore's folder for a SigV4 signing name, where the two differ. */
const botocoreFolder: Record<string, string> = {};

const restModels = new Map<string, RestOperation[]>();

/** The REST operations of a service, from botocore's model (its newest API version). */
function restOperations(service: string): RestOperation[] {
  const cached = restModels.get(service);
  if (cached) return cached;
  const folder = path.join(botocoreData ?? '', botocoreFolder[service] ?? service);
  if (!botocoreData || !existsSync(folder))
    throw new Error(`counting proxy: no botocore model for ${service} (run bash scripts/python-tools.sh)`);
  const version = readdirSync(folder).sort().at(-1)!;
  const file = path.join(folder, version, 'service-2.json');
  const text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : gunzipSync(readFileSync(`${file}.gz`)).toString('utf8');
  const model = JSON.parse(text) as {
    operations: Record<string, { http: { method: string; requestUri: string } }>;
  };
  const ops = Object.entries(model.operations).map(([name, op]) => {
    const [uriPath] = op.http.requestUri.split('?');
    const source = uriPath
      .split(/(\{[^}]+\})/)
      .map((part) =>
        part.startsWith('{')
          ? part.endsWith('+}')
            ? '.+'
            : '[^/]+'
          : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('');
    return { name, method: op.http.method, pattern: new RegExp(`^${source}/?$`) };
  });
  // The most specific template first: literal segments outrank a label that would match them.
  ops.sort(
    (a, b) =>
      b.pattern.source.replace(/\[\^\/\]\+|\.\+/g, '').length -
      a.pattern.source.replace(/\[\^\/\]\+|\.\+/g, '').length,
  );
  restModels.set(service, ops);
  return ops;
}

function operationOf(req: IncomingMessage, service: string, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').at(-1)!;
  const contentType = String(req.headers['content-type'] ?? '');
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const action = new URLSearchParams(body).get('Action');
    if (action) return action;
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const action = url.searchParams.get('Action');
  if (action) return action;
  const found = restOperations(service).find(
    (op) => op.method === req.method && op.pattern.test(decodeURIComponent(url.pathname)),
  );
  if (!found) throw new Error(`counting proxy: no ${service} operation for ${req.method} ${url.pathname}`);
  return found.name;
}

/** The header the local binding's requests carry to the proxy, removed before forwarding. */
const functionHeader = 'x-logwarden-function';

/** Ports of the counting proxies running in this process. */
const countingPorts = new Set<number>();

let requestPatched = false;

/**
 * Names the function on each request to a counting proxy, at the moment the SDK makes it (its
 * node:http `request`, called in the handler's async context). The SDK's HTTP handler takes
 * node:http's `request` when it creates its first agent, so the proxy is started before the
 * clients it counts. Local only: nothing in production code imports this module.
 */
function nameFunctionsOnRequests(): void {
  if (requestPatched) return;
  requestPatched = true;
  const original = httpModule.request;
  const named = function (this: unknown, ...args: unknown[]) {
    const options = args[0] as RequestOptions | string | URL;
    const fn = currentFunction();
    if (
      fn &&
      typeof options === 'object' &&
      !(options instanceof URL) &&
      countingPorts.has(Number(options.port))
    )
      options.headers = { ...(options.headers ?? {}), [functionHeader]: fn };
    return (original as (...a: unknown[]) => ReturnType<typeof original>).apply(this, args);
  } as typeof httpModule.request;
  httpModule.request = named;
}

/**
 * Where credentials are handed out, a reader of the answer that says whose they are: STS
 * AssumeRole (the `AssumedRoleUser` ARN names the account), and the stand-in's own
 * `service-credentials` endpoint, through which the local world gives a function its execution
 * role's credentials as Lambda does (the role ARN of the request names the account).
 */
function credentialsIssued(
  req: IncomingMessage,
  service: string | undefined,
  body: string,
): ((answer: string) => { key: string; account: string } | undefined) | undefined {
  if (service === 'sts' && /(^|&)Action=AssumeRole(&|$)/.test(body))
    return (xml) => {
      const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(xml)?.[1];
      const account = /<Arn>arn:aws:sts::(\d{12}):assumed-role\//.exec(xml)?.[1];
      return key && account ? { key, account } : undefined;
    };
  if (req.url?.startsWith('/logwarden-standins/service-credentials'))
    return (json) => {
      try {
        const account = /^arn:aws:iam::(\d{12}):role\//.exec(String(JSON.parse(body).roleArn))?.[1];
        const key = String((JSON.parse(json) as { accessKeyId?: string }).accessKeyId ?? '');
        return key && account ? { key, account } : undefined;
      } catch {
        return undefined;
      }
    };
  return undefined;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const calls: CountedCall[] = [];
  const accountOfKey = new Map<string, string>();
  nameFunctionsOnRequests();
  const server = createServer((req, res) => {
    const named = req.headers[functionHeader];
    const fn = typeof named === 'string' ? named : undefined;
    delete req.headers[functionHeader];
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const scope = credentialScope(req);
      let counted: CountedCall | undefined;
      try {
        if (scope && fn) {
          const operation = operationOf(req, scope.service, body.toString('utf8'));
          counted = {
            fn,
            service: scope.service,
            operation,
            kind: kindOf(scope.service, operation),
            account: accountOfKey.get(scope.key),
            region: scope.region,
            status: 0,
          };
          calls.push(counted);
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end((err as Error).message);
        return;
      }
      forwardUpstream(upstream, req, res, {
        body,
        onAnswer: (up) => {
          if (counted) counted.status = up.statusCode ?? 0;
          const learn = credentialsIssued(req, scope?.service, body.toString('utf8'));
          if (!learn) return false;
          // Learn whose credentials these are, then answer with the bytes as received.
          const answer: Buffer[] = [];
          up.on('data', (c: Buffer) => answer.push(c));
          up.on('end', () => {
            const issued = learn(Buffer.concat(answer).toString('utf8'));
            if (issued) accountOfKey.set(issued.key, issued.account);
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(answer));
          });
          return true;
        },
      });
    });
  });
  const listening = await listenOnLoopback(server);
  countingPorts.add(listening.port);
  return {
    endpoint: listening.endpoint,
    calls,
    reset: () => calls.splice(0),
    knowCredentials: (key, account) => accountOfKey.set(key, account),
    stop: () => {
      countingPorts.delete(listening.port);
      return listening.stop();
    },
  };
}
