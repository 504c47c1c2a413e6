/**
 * `logwarden preflight` against the stand-ins, as an operator runs it: the CLI itself (runCli),
 * with the management account's administrator as the default credentials and
 * OrganizationAccountAccessRole assumed in the log-archive and security-tooling accounts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultDeps, runCli } from '../../cli/main';
import type { Finding } from '../../cli/preflight';
import type { LogwardenConfig } from '../../contracts/config';
import { organizationAccessRole } from '../emulated-org';

export interface PreflightRun {
  code: number;
  /** What it printed (stdout and stderr). */
  lines: string[];
}

export async function runPreflight(
  config: LogwardenConfig,
  options: { json?: boolean } = {},
): Promise<PreflightRun> {
  const dir = path.join(__dirname, '..', '..', '.local');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `preflight-config-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(config));
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  const args = ['preflight', '--config', file, '--assume-role', organizationAccessRole];
  const code = await runCli(options.json ? [...args, '--json'] : args, { ...defaultDeps(), io });
  return { code, lines };
}

/** The findings of a `--json` run. */
export async function preflightFindings(
  config: LogwardenConfig,
): Promise<{ code: number; findings: Finding[] }> {
  const run = await runPreflight(config, { json: true });
  try {
    return {
      code: run.code,
      findings: (JSON.parse(run.lines.join('\n')) as { findings: Finding[] }).findings,
    };
  } catch {
    throw new Error(`logwarden preflight --json printed no JSON (exit ${run.code}): ${run.lines.join('\n')}`);
  }
}
