/**
 * `npm run synth:summary`: synthesizes every stack offline and prints a
 * one-screen summary: stacks, resources per stack and cdk-nag findings.
 */
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../contracts/config';
import { synthSummary } from '../stacks/synth-summary';

function main(): number {
  const configPath = process.argv[2] ?? 'logwarden.config.json';
  const config = loadConfig(configPath);
  const outdir = path.resolve('cdk.out');
  const summary = synthSummary(config, outdir);
  console.log(`logwarden: synthesized ${summary.stacks.length} stacks from ${configPath} into ${outdir}\n`);
  const width = Math.max(...summary.stacks.map((s) => s.name.length));
  console.log(`${'stack'.padEnd(width)}  ${'account/region'.padEnd(26)}  resources`);
  for (const s of summary.stacks) {
    console.log(`${s.name.padEnd(width)}  ${s.environment.padEnd(26)}  ${String(s.resources).padStart(9)}`);
  }
  const errors = summary.findings.filter((f) => f.severity === 'error');
  const warnings = summary.findings.filter((f) => f.severity !== 'error');
  console.log(
    `\nnag findings: ${errors.length} errors, ${warnings.length} warnings (acknowledged findings carry reasons in the stacks)`,
  );
  for (const f of summary.findings.slice(0, 15))
    console.log(`  ${f.severity.padEnd(7)} ${f.rule}  ${f.path}`);
  if (summary.findings.length > 15)
    console.log(`  … ${summary.findings.length - 15} more in cdk.out/validation-report.json`);
  if (summary.failure) console.log(`\nsynth failed: ${summary.failure.split('\n')[0]}`);
  return summary.failure || errors.length ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`error: ${err.message}`);
    process.exitCode = 1;
  } else throw err;
}
