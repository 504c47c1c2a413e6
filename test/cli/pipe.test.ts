import { spawn } from 'node:child_process';
import * as path from 'node:path';

describe('logwarden … | head (issue 21 §23)', () => {
  it('a reader that closes the pipe early ends the command quietly, without an EPIPE stack trace', async () => {
    const repo = path.resolve(__dirname, '..', '..');
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
});
