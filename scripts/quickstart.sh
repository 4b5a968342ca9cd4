#!/usr/bin/env bash
# Quick start: set up, ingest samples/ into the default SQLite store, and show a search.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
.venv/bin/timpora ingest samples/
.venv/bin/timpora search --place NTT
.venv/bin/timpora search --agency POLRES
