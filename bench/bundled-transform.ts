/**
 * The transform as Lambda runs it: one esbuild bundle, minified, with the AWS SDK left to the
 * runtime, as stacks/node-function.ts bundles every function (NodejsFunction's defaults). The
 * benchmark measures this, not the module graph tsx loads, whose cross-module calls go through
 * export getters that the deployed bundle does not have.
 */
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

type TransformModule = typeof import('../functions/transform/transform') &
  typeof import('../functions/shared/flow-log-formats');

export function bundledTransform(): TransformModule {
  // Inside node_modules, so the bundle resolves the AWS SDK there as Lambda's runtime would provide it.
  const dir = path.resolve(__dirname, '..', 'node_modules', '.cache', 'logwarden-bench');
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'entry.ts');
  const outfile = path.join(dir, 'transform.js');
  buildSync({
    stdin: {
      contents: [
        `export * from ${JSON.stringify(path.resolve(__dirname, '../functions/transform/transform'))};`,
        `export * from ${JSON.stringify(path.resolve(__dirname, '../functions/shared/flow-log-formats'))};`,
      ].join('\n'),
      resolveDir: dir,
      sourcefile: entry,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    minify: process.env.BENCH_NO_MINIFY !== '1',
    external: ['@aws-sdk/*'],
    outfile,
    logLevel: 'error',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile) as TransformModule;
}
