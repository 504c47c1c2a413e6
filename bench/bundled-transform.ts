/**
 * The transform as Lambda runs it: one esbuild bundle, minified, for the functions' esbuild
 * target, with the AWS SDK left to the runtime, as stacks/node-function.ts bundles them. The
 * benchmark measures this, not the module graph tsx loads, whose cross-module calls go through
 * export getters that the deployed bundle does not have.
 */
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_BUNDLE_TARGET } from '../contracts/function-runtime';

type TransformModule = typeof import('../functions/transform/transform') &
  typeof import('../functions/shared/flow-log-formats');

/**
 * Bundles `source` (TypeScript whose imports resolve from bench/, or an entry file there) as
 * stacks/node-function.ts bundles a function, into node_modules/.cache/logwarden-bench/<name>.js, and returns the file's path.
 * Inside node_modules, so the bundle resolves the AWS SDK there as Lambda's runtime provides it.
 */
export function bundle(name: string, source: string | { entry: string }): string {
  const dir = path.resolve(__dirname, '..', 'node_modules', '.cache', 'logwarden-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, `${name}.js`);
  buildSync({
    ...(typeof source === 'string'
      ? {
          stdin: { contents: source, resolveDir: __dirname, sourcefile: `${name}.ts`, loader: 'ts' as const },
        }
      : { entryPoints: [path.resolve(__dirname, source.entry)] }),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: FUNCTION_BUNDLE_TARGET,
    minify: process.env.BENCH_NO_MINIFY !== '1',
    external: ['@aws-sdk/*'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export function bundledTransform(): TransformModule {
  const file = bundle(
    'transform',
    [
      `export * from '../functions/transform/transform';`,
      `export * from '../functions/shared/flow-log-formats';`,
    ].join('\n'),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as TransformModule;
}
