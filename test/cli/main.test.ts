import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../cli/main';
import { exampleConfigPath, exampleConfigRaw } from '../stacks/example-app';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('logwarden CLI', () => {
  it('config check prints what the config governs', async () => {
    const c = capture();
    expect(await runCli(['config', 'check', '--config', exampleConfigPath], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('governed regions: eu-west-1, eu-central-1');
  });

  it('config check names the broken field, exit 2, no stack trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lw-cli-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...exampleConfigRaw(), governedRegions: ['eu-central-1'] }));
    const c = capture();
    expect(await runCli(['config', 'check', '--config', file], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('governedRegions: must include the home region eu-west-1');
    expect(c.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('an unknown command or a missing option value is a usage error', async () => {
    const c = capture();
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(c.err[0]).toContain('unknown command: frobnicate');
    expect(await runCli(['config', 'check', '--config'], c.io)).toBe(2);
    expect(c.err[1]).toContain('--config needs a value');
  });
});
