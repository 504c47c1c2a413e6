import { App } from 'aws-cdk-lib';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { LogwardenConfig } from '../contracts/config';
import { buildApp } from './logwarden-app';

export interface StackSummary {
  readonly name: string;
  readonly environment: string;
  readonly resources: number;
}

export interface NagFinding {
  readonly severity: string;
  readonly rule: string;
  readonly path: string;
}

export interface SynthSummary {
  readonly outdir: string;
  readonly stacks: StackSummary[];
  readonly findings: NagFinding[];
  readonly failure?: string;
}

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/** Synthesizes every stack (the member baseline included) and reads back what cdk-nag reported. */
export function synthSummary(config: LogwardenConfig, outdir: string): SynthSummary {
  const app = new App({ outdir });
  buildApp(app, config);
  let assembly: ReturnType<App['synth']> | undefined;
  let failure: string | undefined;
  try {
    assembly = app.synth();
  } catch (err) {
    // cdk-nag errors fail synthesis; the report on disk still says which rules on which constructs.
    failure = (err as Error).message;
  }
  const stacks: StackSummary[] = [];
  const collect = (a: NonNullable<typeof assembly>) => {
    for (const s of a.stacks) {
      stacks.push({
        name: s.stackName,
        environment: `${s.environment.account}/${s.environment.region}`,
        resources: Object.keys((s.template as { Resources?: object }).Resources ?? {}).length,
      });
    }
    for (const nested of a.nestedAssemblies) collect(nested.nestedAssembly);
  };
  if (assembly) collect(assembly);
  const reportPath = path.join(outdir, 'validation-report.json');
  const findings: NagFinding[] = [];
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ValidationReport;
    for (const plugin of report.pluginReports) {
      for (const v of plugin.violations) {
        for (const c of v.violatingConstructs) {
          findings.push({
            severity: v.severity,
            rule: `${plugin.pluginName}: ${v.ruleName}`,
            path: c.constructPath,
          });
        }
      }
    }
  }
  return { outdir, stacks, findings, failure };
}
