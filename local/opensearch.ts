import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { proxyHeaders, startGateway, type GatewayDomain } from './opensearch-gateway';

/** What AWS sets up when CloudFormation creates a domain with fine-grained access control. */
export interface LocalDomain extends GatewayDomain {
  /**
   * The master user (`AdvancedSecurityOptions.MasterUserOptions.MasterUserARN`): mapped to
   * `all_access` and `security_manager` (Developer Guide, "Fine-grained access control",
   * Additional master users: "map the new master user to the all_access and security_manager
   * roles"), as a backend role when it is an IAM role, as a user when it is an IAM user.
   */
  masterUserArn: string;
}

export interface LocalSearch {
  /**
   * The domain endpoint: the signing gateway (local/opensearch-gateway.ts). Until `createDomain`
   * it answers 503 to everything.
   */
  endpoint: string;
  /** AWS's part of creating the domain: the master user's mappings, then the endpoint serves. */
  createDomain(domain: LocalDomain): Promise<void>;
  stop: () => Promise<void>;
}

const root = path.resolve(__dirname, '..');
const project = path.join(root, 'local', 'opensearch');
const target = path.join(project, 'target');
const pom = path.join(project, 'pom.xml');
const pluginDir = path.join(target, 'opensearch-security');

function pomProperty(name: string): string {
  const value = new RegExp(`<${name.replace(/\./g, '\\.')}>([^<]+)</`).exec(readFileSync(pom, 'utf8'))?.[1];
  if (!value) throw new Error(`local/opensearch/pom.xml has no <${name}>`);
  return value.trim();
}

/**
 * The security plugin's zip from Maven Central, checked against the SHA-512 pinned in the pom
 * before it is unpacked. Maven Central serves no .sha1/.md5/.sha512 beside this zip (checked
 * 2026-12-06: `--strict-checksums` answers "Checksum validation failed, no checksums
 * available"), so Maven cannot verify it; the pin was taken at the first download, and every
 * bundled jar that Maven Central also serves with checksums (bcprov and bcpkix 1.78, netty
 * 4.1.118, transport-netty4-client 2.19.1 ...) is byte for byte the one Maven verifies.
 */
function installSecurityPlugin(): void {
  const version = pomProperty('opensearch.security.version');
  const want = pomProperty('opensearch.security.sha512');
  // Central publishes no checksum files for it: Maven's own check would fail, the pin decides.
  execFileSync('mvn', ['-q', '-B', '--lax-checksums', '-f', pom, 'dependency:copy@security-plugin'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const zip = path.join(target, `opensearch-security-${version}.zip`);
  const got = createHash('sha512').update(readFileSync(zip)).digest('hex');
  if (got !== want) {
    rmSync(zip, { force: true });
    throw new Error(
      `opensearch-security-${version}.zip from Maven Central has SHA-512 ${got}, not the ${want} pinned in local/opensearch/pom.xml: refused`,
    );
  }
  rmSync(pluginDir, { recursive: true, force: true });
  mkdirSync(pluginDir, { recursive: true });
  execFileSync('jar', ['xf', zip], { cwd: pluginDir, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Builds the launcher (Maven, pinned versions in local/opensearch/pom.xml) when the pom or the
 * launcher changed since the last build: OpenSearch 2.19 and its transport, analysis and
 * painless plugins from Maven Central (`--strict-checksums`), and the security plugin's zip
 * (checked against its pinned SHA-512).
 */
export function buildLauncher(): void {
  const stamp = path.join(target, '.pom.sha256');
  const want = createHash('sha256')
    .update(readFileSync(pom))
    .update(readFileSync(path.join(project, 'src/main/java/logwarden/LocalOpenSearch.java')))
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want && existsSync(pluginDir)) return;
  // --strict-checksums: an artifact whose checksum from Maven Central does not match fails the build.
  execFileSync('mvn', ['-q', '-B', '--strict-checksums', '-f', pom, '-DskipTests', 'package'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  installSecurityPlugin();
  writeFileSync(stamp, want);
}

/** The launcher's class path: its classes, its Maven jars, then the plugin's jars that are not among them. */
function classPath(): string {
  const lib = path.join(target, 'lib');
  const have = new Set(readdirSync(lib));
  const plugin = readdirSync(pluginDir)
    .filter((f) => f.endsWith('.jar') && !have.has(f))
    .map((f) => path.join(pluginDir, f));
  return [path.join(target, 'classes'), path.join(lib, '*'), ...plugin].join(path.delimiter);
}

const meta = (type: string) => ({ _meta: { type, config_version: 2 } });

/**
 * The security configuration the security index is initialised from: what a domain with
 * fine-grained access control and an IAM master user has. No internal users, no anonymous
 * access; one authentication domain, the proxy authenticator, trusting the user and backend role
 * headers only from the signing gateway on 127.0.0.1 (OpenSearch documentation, "Proxy-based
 * authentication": "the Security plugin compares the remote address of the HTTP request with the
 * list of configured internal proxies"); no role mapped until the domain is created.
 * `security_manager` is OpenSearch Service's role for the security REST API (listed in the
 * launcher's `plugins.security.restapi.roles_enabled`; the plugin itself ships no such role).
 */
export const securityConfiguration = {
  'config.yml': {
    ...meta('config'),
    config: {
      dynamic: {
        http: {
          anonymous_auth_enabled: false,
          xff: { enabled: true, internalProxies: '127\\.0\\.0\\.1', remoteIpHeader: 'x-forwarded-for' },
        },
        authc: {
          iam_signing_gateway: {
            description: 'IAM principals, verified by the signing gateway (local/opensearch-gateway.ts)',
            http_enabled: true,
            transport_enabled: false,
            order: 0,
            http_authenticator: {
              type: 'proxy',
              challenge: false,
              config: { user_header: proxyHeaders.user, roles_header: proxyHeaders.roles },
            },
            authentication_backend: { type: 'noop' },
          },
        },
        authz: {},
      },
    },
  },
  'internal_users.yml': meta('internalusers'),
  'roles.yml': {
    ...meta('roles'),
    security_manager: {
      reserved: true,
      description: 'OpenSearch Service: manage security (the security REST API)',
      cluster_permissions: [],
      index_permissions: [],
    },
  },
  'roles_mapping.yml': meta('rolesmapping'),
  'action_groups.yml': meta('actiongroups'),
  'tenants.yml': meta('tenants'),
  'nodes_dn.yml': meta('nodesdn'),
  'allowlist.yml': { ...meta('allowlist'), config: { enabled: false, requests: {} } },
  'audit.yml': { ...meta('audit'), config: { enabled: false } },
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Answer {
  status: number;
  body: unknown;
}

/** A request to the node itself with the domain administrator's certificate (the plugin's admin DN). */
function adminRequest(
  agent: Agent,
  port: number,
  method: string,
  p: string,
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path: p,
        agent,
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * A real single-node OpenSearch 2.19 with the security plugin on 127.0.0.1, its data under the
 * git-ignored .local/, reached only through the signing gateway.
 */
export async function startOpenSearch(): Promise<LocalSearch> {
  // The unit lane (npm run test:unit) promises that no stand-in process starts.
  if (process.env.LOGWARDEN_LANE === 'unit') throw new Error('a unit test tried to start a stand-in process');
  buildLauncher();
  const port = await freePort();
  const home = path.join(root, '.local', `opensearch-${port}`);
  rmSync(home, { recursive: true, force: true });
  const securityDir = path.join(home, 'config', 'opensearch-security');
  mkdirSync(securityDir, { recursive: true });
  for (const [file, content] of Object.entries(securityConfiguration))
    writeFileSync(path.join(securityDir, file), JSON.stringify(content, null, 2));
  const child = spawn(
    'java',
    [
      '-Xms512m',
      '-Xmx512m',
      '-Dlog4j2.disable.jmx=true',
      '-cp',
      classPath(),
      'logwarden.LocalOpenSearch',
      String(port),
      home,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output = (output + String(d)).slice(-8000)));
  child.stderr.on('data', (d) => (output = (output + String(d)).slice(-8000)));
  const config = path.join(home, 'config');
  const pem = (name: string) => readFileSync(path.join(config, name));
  let admin: Agent | undefined;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`OpenSearch exited (${child.exitCode}): ${output}`);
    if (!admin && existsSync(path.join(config, 'gateway-key.pem')))
      admin = new Agent({
        keepAlive: true,
        ca: pem('root-ca.pem'),
        cert: pem('admin.pem'),
        key: pem('admin-key.pem'),
      });
    // Ready when the security index is initialised: the security API answers.
    const ready = admin
      ? await adminRequest(admin, port, 'GET', '/_plugins/_security/api/rolesmapping').catch(() => undefined)
      : undefined;
    if (ready?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`OpenSearch did not start within 180 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const gateway = await startGateway({
    port,
    ca: pem('root-ca.pem'),
    cert: pem('gateway.pem'),
    key: pem('gateway-key.pem'),
  });
  const domainAdmin = admin!;
  return {
    endpoint: gateway.endpoint,
    async createDomain(domain) {
      const isRole = /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(domain.masterUserArn);
      const mapping = isRole ? { backend_roles: [domain.masterUserArn] } : { users: [domain.masterUserArn] };
      for (const role of ['all_access', 'security_manager']) {
        const res = await adminRequest(
          domainAdmin,
          port,
          'PUT',
          `/_plugins/_security/api/rolesmapping/${role}`,
          mapping,
        );
        if (res.status >= 300)
          throw new Error(`mapping the master user to ${role}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      gateway.serve(domain);
    },
    stop: async () => {
      await gateway.close();
      domainAdmin.destroy();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
