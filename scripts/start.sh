#!/bin/sh
# Start Finsam locally on its embedded default (SQLite in ./var) with a demo data set.
# Creates .venv, installs Finsam, migrates, loads the demo once, starts the background worker
# (finsam db_worker: imports, evaluations) and serves http://127.0.0.1:8000; Ctrl-C stops both.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> Skapar virtuell miljö i .venv"
  "$PY" -m venv .venv
fi
echo "==> Installerar Finsam"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
echo "==> Skapar/uppdaterar databasen (var/finsam.sqlite3)"
.venv/bin/finsam migrate --verbosity 0
.venv/bin/finsam collectstatic --noinput --verbosity 0
echo "==> Läser in demodata"
.venv/bin/finsam demo --if-empty
echo "==> Startar bakgrundsarbetaren (finsam db_worker)"
.venv/bin/finsam db_worker --no-reload --verbosity 0 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null; wait "$WORKER" 2>/dev/null' EXIT INT TERM
echo "==> Finsam körs på http://127.0.0.1:${FINSAM_PORT:-8000} (avsluta med Ctrl-C)"
.venv/bin/finsam runserver "127.0.0.1:${FINSAM_PORT:-8000}"
