#!/usr/bin/env bash
# Create .venv (if needed) and install timpora with its test extras into it.
# Usage: scripts/setup.sh            (idempotent; safe to re-run)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
