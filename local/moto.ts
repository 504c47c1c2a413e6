import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

export interface Moto {
  endpoint: string;
  stop: () => Promise<void>;
}

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
/** moto with logwarden's extension (local/standins): the launcher the local world runs. */
const launcher = path.join(root, 'local', 'standins', 'server.py');

export interface MotoOptions {
  /**
   * Enforce IAM from the first request (local/standins/iam.py): every call is allowed or denied
   * by its caller's policies. The default; `false` only for the stand-in tests that exercise a
   * service's own behaviour as root users (test/local/standins/world.ts).
   */
  iam?: boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts moto server (pinned in scripts/requirements-tools.txt, installed into .venv by
 * scripts/python-tools.sh) with logwarden's extension (local/standins/server.py) on a free port
 * of 127.0.0.1 and waits until it answers.
 */
export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
  // The unit lane (npm run test:unit) promises that no stand-in process starts.
  if (process.env.LOGWARDEN_LANE === 'unit') throw new Error('a unit test tried to start a stand-in process');
  const iam = options.iam ?? true;
  if (!existsSync(python)) {
    throw new Error(`${python} is missing: run bash scripts/python-tools.sh (npm test does it first)`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = [launcher, '-H', '127.0.0.1', '-p', String(port), ...(iam ? ['--iam'] : [])];
  const child: ChildProcess = spawn(python, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
