/** Why the lockfile check exists: test/repo/lockfile.test.ts. */
export interface LockedPackage {
  name?: string;
  version?: string;
  resolved?: string;
  link?: boolean;
}

const registry = 'https://registry.npmjs.org/';

/**
 * Every locked package's `resolved` must be exactly the registry's tarball URL for the package it
 * installs: `<registry><name>/-/<basename>-<version>.tgz`, where `name` is the real package name
 * (the lockfile's `name` field for an alias, the path's last segment otherwise).
 */
export function lockfileProblems(packages: Record<string, LockedPackage>): string[] {
  const problems: string[] = [];
  for (const [key, pkg] of Object.entries(packages)) {
    if (key === '' || pkg.link || pkg.resolved === undefined) continue;
    const name = pkg.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const expected = `${registry}${name}/-/${name.split('/').pop()}-${pkg.version}.tgz`;
    if (pkg.resolved !== expected) problems.push(`${key}: ${pkg.resolved} is not ${expected}`);
  }
  return problems;
}
