import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');

describe('logwarden … | head (issue 21 §23)', () => {
  it('a reader that closes the pipe early ends the command quietly, without an EPIPE stack trace', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'cli', 'bin.ts'), '--help'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the command writes its first line.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|at .*\(/);
    expect(code).toBe(0);
  });

  it.each([[[]], [['--output', 'csv']], [['--output', 'json']]])(
    '`logwarden coverage %j | head -n 3` over 300 accounts × 12 regions: three lines, no EPIPE trace, exit 0 (issue 23 §4)',
    async (args) => {
      const stderrFile = path.join(mkdtempSync(path.join(tmpdir(), 'lw-pipe-')), 'stderr');
      const script = [
        `${JSON.stringify(process.execPath)} --import tsx test/fixtures/coverage-300.ts coverage ${args.join(' ')} 2>${JSON.stringify(stderrFile)}`,
        'head -n 3',
      ].join(' | ');
      const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(readFileSync(stderrFile, 'utf8')).not.toMatch(/EPIPE|Error|at .*\(/);
      // pipefail: the command itself ended with 0, not with a signal or a write error.
      expect(code).toBe(0);
    },
    60_000,
  );
});
