/**
 * Supply chain (issue 10 §7): what a poisoned dependency would need to run code on a developer's
 * or CI's machine is refused by the project's own files. These tests read those files; npm, pip
 * and Maven then enforce them on every install.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('supply chain', () => {
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
  };
  const allowScripts = (JSON.parse(read('package.json')) as { allowScripts: Record<string, boolean> })
    .allowScripts;

  it('npm refuses any install script it was not told about (strict-allow-scripts, approvals pinned)', () => {
    const npmrc = read('.npmrc');
    expect(npmrc).toMatch(/^strict-allow-scripts=true$/m);
    expect(npmrc).toMatch(/^allow-scripts-pin=true$/m);
  });

  it('every package with an install script is reviewed, and an approval names the exact version locked', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([at, p]) => ({ name: at.replace(/^.*node_modules\//, ''), version: p.version }));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const { name, version } of withScripts) {
      const decided = Object.keys(allowScripts).filter((k) => k === name || k.startsWith(`${name}@`));
      expect([name, decided.length]).toEqual([name, 1]);
      if (allowScripts[decided[0]]) expect(decided[0]).toBe(`${name}@${version}`);
    }
  });

  it('Python tools and pip itself are installed only with hashes (--require-hashes)', () => {
    expect(read('scripts/python-tools.sh')).toMatch(/--require-hashes/);
    for (const file of ['scripts/requirements-tools.txt', 'scripts/requirements-pip.txt']) {
      const requirements = read(file)
        .split('\n')
        .filter((line) => /^[A-Za-z0-9]/.test(line));
      expect(requirements.length).toBeGreaterThan(0);
      for (const line of requirements)
        expect([file, line]).toEqual([file, expect.stringMatching(/^\S+==\S+ \\$/)]);
      const hashes = read(file).match(/--hash=sha256:[0-9a-f]{64}/g) ?? [];
      expect(hashes.length).toBeGreaterThanOrEqual(requirements.length);
    }
    expect(read('scripts/requirements-pip.txt')).toMatch(/^pip==\S+ \\$/m);
  });

  it('Maven verifies every artifact checksum strictly', () => {
    expect(read('local/opensearch.ts')).toMatch(/'--strict-checksums'/);
  });
});
