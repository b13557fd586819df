#!/usr/bin/env bash
# One-time (idempotent) set-up of a machine for dgskills-db:
#   - Debian's PostgreSQL 15, pg_cron, pgaudit, pgTAP, plpgsql_check and pg_prove packages when
#     they are missing (and Node.js/npm), and chromium (the HTML report is tested in
#     headless chromium),
#   - a virtualenv in .venv with the project and its test extras,
#   - Supabase's CLI, pinned, in .tools/supabase (npm): the external oracle the suite runs,
#   - TypeScript, pinned, in .tools/typescript (npm): the suite type-checks contracts/types.ts.
# Called by `make`; safe to run again. Needs root (or sudo) only to install packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR="${PG_MAJOR:-15}"
PG_LIB="/usr/lib/postgresql/${PG_MAJOR}/lib"
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"

need_pkgs=()
[ -x "${PG_BIN}/postgres" ] || need_pkgs+=("postgresql-${PG_MAJOR}")
[ -f "${PG_LIB}/pg_cron.so" ] || need_pkgs+=("postgresql-${PG_MAJOR}-cron")
# pgaudit: the embedded cluster logs reads of pupil data (object audit, README "Operator access").
[ -f "${PG_LIB}/pgaudit.so" ] || need_pkgs+=("postgresql-${PG_MAJOR}-pgaudit")
[ -f "${PG_LIB}/plpgsql_check.so" ] || need_pkgs+=("postgresql-${PG_MAJOR}-plpgsql-check")
[ -f "/usr/share/postgresql/${PG_MAJOR}/extension/pgtap.control" ] || need_pkgs+=("postgresql-${PG_MAJOR}-pgtap")
command -v pg_prove >/dev/null 2>&1 || need_pkgs+=("libtap-parser-sourcehandler-pgtap-perl")
command -v npm >/dev/null 2>&1 || need_pkgs+=("npm")
# The report test renders the HTML register in a real headless browser.
command -v chromium >/dev/null 2>&1 || need_pkgs+=("chromium")
if [ "${DGSKILLS_BENCH_PKGS:-0}" = 1 ] && ! command -v sqitch >/dev/null 2>&1; then
  need_pkgs+=("sqitch")
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need_pkgs[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists; refresh them once before installing.
  # Wait for a concurrent install instead of failing on dpkg's lock.
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
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

# Supabase's CLI (npm package `supabase`), pinned: newer releases do not install everywhere.
SUPABASE_CLI_VERSION=2.117.0
cli=.tools/supabase/node_modules/.bin/supabase
if [ ! -x "$cli" ] || [ "$("$cli" --version 2>/dev/null)" != "$SUPABASE_CLI_VERSION" ]; then
  echo "bootstrap: installing Supabase's CLI ${SUPABASE_CLI_VERSION} into .tools/supabase"
  mkdir -p .tools/supabase
  if ! npm install --prefix .tools/supabase --no-audit --no-fund --silent "supabase@${SUPABASE_CLI_VERSION}"; then
    echo "bootstrap: WARNING: Supabase's CLI could not be installed; the tests that run it will say so" >&2
  fi
fi

# TypeScript (npm package `typescript`, pinned; 5.x is plain JavaScript, no per-platform build):
# tests/ecosystem/test_types_compile.py runs `tsc --noEmit --strict` over contracts/types.ts.
TYPESCRIPT_VERSION=5.9.3
tsc=.tools/typescript/node_modules/.bin/tsc
if [ ! -x "$tsc" ] || [ "$("$tsc" --version 2>/dev/null)" != "Version ${TYPESCRIPT_VERSION}" ]; then
  echo "bootstrap: installing TypeScript ${TYPESCRIPT_VERSION} into .tools/typescript"
  mkdir -p .tools/typescript
  if ! npm install --prefix .tools/typescript --no-audit --no-fund --silent "typescript@${TYPESCRIPT_VERSION}"; then
    echo "bootstrap: WARNING: TypeScript could not be installed; the test that type-checks contracts/types.ts will say so" >&2
  fi
fi
