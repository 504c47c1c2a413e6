import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import * as path from 'node:path';
import { defaultDeps, runCli } from '../../cli/main';
import { exampleConfigPath } from '../stacks/example-app';

/**
 * The CLI against endpoints on 127.0.0.1 with its real clients: a closed port (connection
 * refused) and a silent port (accepts the connection, never answers). Either way: one line,
 * exit 4, within the timeouts, where before it stack-traced or hung.
 */
let silent: Server;
let silentPort: number;
let closedPort: number;
const sockets: Socket[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket)); // reads nothing, answers nothing
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  // Static keys so that no credential provider is consulted; the endpoint as the SDK reads it.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
  process.env = saved;
});

async function run(port: number, ...args: string[]) {
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await runCli([...args, '--config', exampleConfigPath, '--timeout', '0.5'], {
    ...defaultDeps(),
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
  });
  return { code, out, err, seconds: (Date.now() - started) / 1000 };
}

describe('the CLI against unreachable endpoints', () => {
  it('a closed port: one line naming the endpoint and the call, exit 4', async () => {
    // coverage reads the ledger, the account list and the OU tree at once (Promise.all); whichever
    // of the three refuses first is the call the line names.
    const r = await run(closedPort, 'coverage');
    expect(r.code).toBe(4);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(
      new RegExp(
        `^error: cannot reach http://127\\.0\\.0\\.1:${closedPort} for (DynamoDB Scan|Organizations ListAccounts|Organizations ListRoots): connection refused\\.`,
      ),
    );
  });

  it('a silent port: one line within the request timeout (2 attempts of 0.5 s), exit 4', async () => {
    const r = await run(silentPort, 'remediate', '--account', '444444444444', '--wait');
    expect(r.code).toBe(4);
    expect(r.err).toEqual([
      `error: cannot reach http://127.0.0.1:${silentPort} for Organizations DescribeAccount: no answer within 500 ms. Check the network, a proxy, or AWS_ENDPOINT_URL.`,
    ]);
    // Two attempts of 0.5 s and the SDK's backoff between them; without timeouts this never ends.
    expect(r.seconds).toBeLessThan(15);
  });

  it('the binary itself exits with code 4 and one line on a silent port', async () => {
    const bin = path.join(__dirname, '..', '..', 'cli', 'bin.ts');
    const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = execFile(
        tsx,
        [bin, 'sweep', '--config', exampleConfigPath, '--timeout', '0.5'],
        {
          env: {
            ...process.env,
            AWS_ENDPOINT_URL: `http://127.0.0.1:${silentPort}`,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
          timeout: 50_000,
        },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: cannot reach http://127.0.0.1:${silentPort} for SFN StartExecution: no answer within 500 ms. Check the network, a proxy, or AWS_ENDPOINT_URL.`,
    ]);
  });
});
