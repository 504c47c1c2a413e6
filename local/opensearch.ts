import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

export interface LocalSearch {
  endpoint: string;
  stop: () => Promise<void>;
}

const root = path.resolve(__dirname, '..');
const project = path.join(root, 'local', 'opensearch');
const target = path.join(project, 'target');

/**
 * Builds the launcher (Maven, pinned versions in local/opensearch/pom.xml) when the pom changed
 * since the last build: OpenSearch 2.19 and its transport, analysis and painless plugins, all
 * from Maven Central.
 */
export function buildLauncher(): void {
  const stamp = path.join(target, '.pom.sha256');
  const want = createHash('sha256')
    .update(readFileSync(path.join(project, 'pom.xml')))
    .update(readFileSync(path.join(project, 'src/main/java/logwarden/LocalOpenSearch.java')))
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  // --strict-checksums: an artifact whose checksum from Maven Central does not match fails the build.
  execFileSync(
    'mvn',
    ['-q', '-B', '--strict-checksums', '-f', path.join(project, 'pom.xml'), '-DskipTests', 'package'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  writeFileSync(stamp, want);
}

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

/** A real single-node OpenSearch 2.19 on 127.0.0.1, its data under the git-ignored .local/. */
export async function startOpenSearch(): Promise<LocalSearch> {
  // The unit lane (npm run test:unit) promises that no stand-in process starts.
  if (process.env.LOGWARDEN_LANE === 'unit') throw new Error('a unit test tried to start a stand-in process');
  buildLauncher();
  const port = await freePort();
  const home = path.join(root, '.local', `opensearch-${port}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const classpath = [path.join(target, 'classes'), path.join(target, 'lib', '*')].join(path.delimiter);
  const child = spawn(
    'java',
    [
      '-Xms512m',
      '-Xmx512m',
      '-Dlog4j2.disable.jmx=true',
      '-cp',
      classpath,
      'logwarden.LocalOpenSearch',
      String(port),
      home,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output = (output + String(d)).slice(-8000)));
  child.stderr.on('data', (d) => (output = (output + String(d)).slice(-8000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`OpenSearch exited (${child.exitCode}): ${output}`);
    try {
      const res = await fetch(`${endpoint}/_cluster/health?wait_for_status=yellow&timeout=1s`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`OpenSearch did not start within 120 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          rmSync(home, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
