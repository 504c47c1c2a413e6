#!/usr/bin/env bash
# Creates the project's git-ignored venv and installs the pinned Python tools into it.
# Supply chain: pip itself, then every tool and each of their dependencies, come from
# requirement files that pin exact versions with their sha256 hashes (--require-hashes): a
# package whose archive differs from the reviewed one is refused. Regenerate them from the .in
# files with pip-tools (commands at the top of each .in file).
# Re-runs are cheap: the install is skipped while the requirement files are unchanged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
pip_req="$root/scripts/requirements-pip.txt"
req="$root/scripts/requirements-tools.txt"
stamp="$venv/.requirements.sha256"
want="$(cat "$pip_req" "$req" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "python-tools: installing $(grep -c '^[a-z0-9].*==' "$req") hash-pinned packages into .venv (first run only)" >&2
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes)
"${pip[@]}" --no-deps -r "$pip_req" >&2
"${pip[@]}" -r "$req" >&2
echo "$want" > "$stamp"
