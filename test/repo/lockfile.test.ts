/**
 * The lockfile must install on a machine whose npm cache is empty. npm fetches each package from
 * its `resolved` URL and checks it against `integrity`; an aliased package (`"wrap-ansi-cjs":
 * "npm:wrap-ansi@7.0.0"`) is published only under its real name, so a URL built from the alias
 * (`wrap-ansi-cjs/-/wrap-ansi-cjs-7.0.0.tgz`) is a 404 that only a warm cache hides.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lockfileProblems } from './lockfile';

const lock = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { name?: string; version?: string; resolved?: string; link?: boolean }>;
};

describe('package-lock.json', () => {
  it('resolves every package to an https registry URL that names the package and its version', () => {
    expect(lockfileProblems(lock.packages)).toEqual([]);
  });

  it('reports an alias URL, a plain-http URL and a version the URL does not carry', () => {
    expect(
      lockfileProblems({
        '': {},
        'node_modules/wrap-ansi-cjs': {
          name: 'wrap-ansi',
          version: '7.0.0',
          resolved: 'https://registry.npmjs.org/wrap-ansi-cjs/-/wrap-ansi-cjs-7.0.0.tgz',
        },
        'node_modules/@jest/react-is-18': {
          name: 'react-is',
          version: '18.3.1',
          resolved: 'https://registry.npmjs.org/@jest/react-is-18/-/react-is-18-18.3.1.tgz',
        },
        'node_modules/a': { version: '1.0.0', resolved: 'http://registry.npmjs.org/a/-/a-1.0.0.tgz' },
        'node_modules/b': { version: '2.0.0', resolved: 'https://registry.npmjs.org/b/-/b-1.0.0.tgz' },
        'node_modules/@s/c': { version: '1.0.0', resolved: 'https://registry.npmjs.org/@s/c/-/c-1.0.0.tgz' },
        'node_modules/local': { link: true, resolved: 'packages/local' },
      }),
    ).toEqual([
      'node_modules/wrap-ansi-cjs: https://registry.npmjs.org/wrap-ansi-cjs/-/wrap-ansi-cjs-7.0.0.tgz is not https://registry.npmjs.org/wrap-ansi/-/wrap-ansi-7.0.0.tgz',
      'node_modules/@jest/react-is-18: https://registry.npmjs.org/@jest/react-is-18/-/react-is-18-18.3.1.tgz is not https://registry.npmjs.org/react-is/-/react-is-18.3.1.tgz',
      'node_modules/a: http://registry.npmjs.org/a/-/a-1.0.0.tgz is not https://registry.npmjs.org/a/-/a-1.0.0.tgz',
      'node_modules/b: https://registry.npmjs.org/b/-/b-1.0.0.tgz is not https://registry.npmjs.org/b/-/b-2.0.0.tgz',
    ]);
  });
});
