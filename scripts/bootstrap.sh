#!/usr/bin/env bash
# One-time (idempotent) set-up of a machine for dgskills-db:
#   - Debian's PostgreSQL 15 and pg_cron packages when they are missing,
#   - a virtualenv in .venv with the project and its test extras.
# Called by `make`; safe to run again. Needs root (or sudo) only to install packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR="${PG_MAJOR:-15}"
PG_LIB="/usr/lib/postgresql/${PG_MAJOR}/lib"
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"

need_pkgs=()
[ -x "${PG_BIN}/postgres" ] || need_pkgs+=("postgresql-${PG_MAJOR}")
[ -f "${PG_LIB}/pg_cron.so" ] || need_pkgs+=("postgresql-${PG_MAJOR}-cron")
if [ "${DGSKILLS_BENCH_PKGS:-0}" = 1 ] && ! command -v sqitch >/dev/null 2>&1; then
  need_pkgs+=("sqitch")
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need_pkgs[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists; refresh them once before installing.
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.dgskills-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  touch "$stamp"
fi
