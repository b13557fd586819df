# dgskills-db: every target does its own set-up (packages, .venv, the embedded cluster).
PY := .venv/bin/python
STAMP := .venv/.dgskills-installed

.PHONY: deploy test lint bench setup db-stop clean

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh

setup: $(STAMP)
	@bash scripts/bootstrap.sh

## deploy: start the embedded database, apply sql/, verify it, print its URL
deploy: setup
	$(PY) migrate.py db start
	$(PY) migrate.py up
	$(PY) migrate.py verify
	@echo "Database URL: $$($(PY) migrate.py db url)"

## test: lint, then the whole test suite against real PostgreSQL 15 + pg_cron, once under each
## default-privileges regime of the auth shim (legacy: Supabase's old grants to the API roles;
## secure: none, as new Supabase projects), so that no grant the project needs is implicit
test: setup
	$(PY) migrate.py lint
	DGSKILLS_DEFAULT_PRIVILEGES=legacy $(PY) -m pytest
	DGSKILLS_DEFAULT_PRIVILEGES=secure $(PY) -m pytest

lint: setup
	$(PY) migrate.py lint

## bench: the benchmark suite (see README, Performance)
bench: setup
	DGSKILLS_BENCH_PKGS=1 bash scripts/bootstrap.sh
	$(PY) -m bench

db-stop:
	-$(PY) migrate.py db stop

clean: db-stop
	rm -rf .pgdata
