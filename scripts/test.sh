#!/bin/sh
# Install the development dependencies into .venv and run the whole test suite.
# Uses SQLite by default; set DATABASE_URL=postgres://… to run against PostgreSQL.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
exec .venv/bin/python -m pytest -n "${FINSAM_TEST_WORKERS:-2}" "$@"
