/** CHANGELOG.md keeps an Unreleased section and records the version `logwarden --version` prints. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import packageJson from '../../package.json';

const changelog = readFileSync(path.join(__dirname, '..', '..', 'CHANGELOG.md'), 'utf8');

describe('CHANGELOG.md', () => {
  it('has an Unreleased section first, then the package version as a dated release', () => {
    const versions = [...changelog.matchAll(/^## \[([^\]]+)\]( - (\d{4}-\d{2}-\d{2}))?$/gm)].map((m) => m[1]);
    expect(versions[0]).toBe('Unreleased');
    expect(versions).toContain(packageJson.version);
    expect(changelog).toMatch(
      new RegExp(`^## \\[${packageJson.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
    );
  });
});
