#!/usr/bin/env bash
# Install what the dashboard needs and start it on its embedded default:
# the DuckDB file data/export_amazon.duckdb (the sample catalogue loaded on first start)
# and the local SP-API sandbox (started by the dashboard itself in demo mode).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
.venv/bin/python -m core.bootstrap
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
