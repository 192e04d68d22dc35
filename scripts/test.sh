#!/usr/bin/env bash
# Install what the tests need (Python packages; Debian's chromium for the browser test) and run them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-test.txt
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser test…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
      || echo "chromium could not be installed: the browser test will fail" >&2
  else
    echo "chromium is missing and cannot be installed here (needs root and apt-get)" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
