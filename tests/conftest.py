"""Test harness: one PostgreSQL server per run, the migrated schema built once into a
template database, and a fresh clone of it for each test that asks for `db`.

The server is chosen by DGSKILLS_TEST_BACKEND:
  embedded (default)  the project's embedded cluster (started on demand, pg_cron loaded)
  external            the server at DGSKILLS_TEST_DSN (a superuser URL; pg_cron preloaded)
  docker              a testcontainers PostgreSQL 15 + pg_cron container; fails loudly
                      when no Docker daemon answers (never a silent pass)
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from pytest_postgresql.janitor import DatabaseJanitor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dgskills_db import cron as cron_sync  # noqa: E402
from dgskills_db import embedded, runner  # noqa: E402
from dgskills_db.dsn import with_dbname  # noqa: E402


def _docker_dsn() -> str:
    try:
        import docker

        docker.from_env().ping()
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"DGSKILLS_TEST_BACKEND=docker but no Docker daemon answers: {exc}", returncode=3)
    from testcontainers.postgres import PostgresContainer

    image = os.environ.get("DGSKILLS_TEST_IMAGE", "ghcr.io/cloudnative-pg/postgresql:15")
    container = PostgresContainer(image, username="postgres", password="postgres", dbname="dgskills")
    container.with_command("postgres -c shared_preload_libraries=pg_cron -c cron.database_name=dgskills")
    container.start()
    import atexit

    atexit.register(container.stop)
    dsn = container.get_connection_url(driver=None)
    with psycopg.connect(dsn) as c:
        if c.execute("select current_setting('cron.database_name', true)").fetchone()[0] is None:
            pytest.exit(f"the image {image} does not load pg_cron: set DGSKILLS_TEST_IMAGE to one that does", returncode=3)
    return dsn


@pytest.fixture(scope="session")
def server_dsn() -> str:
    """A superuser URL of the server the tests run on (its maintenance database)."""
    backend = os.environ.get("DGSKILLS_TEST_BACKEND", "embedded")
    if backend == "external":
        dsn = os.environ.get("DGSKILLS_TEST_DSN")
        if not dsn:
            pytest.exit("DGSKILLS_TEST_BACKEND=external needs DGSKILLS_TEST_DSN", returncode=3)
        return dsn
    if backend == "docker":
        return _docker_dsn()
    if backend != "embedded":
        pytest.exit(f"unknown DGSKILLS_TEST_BACKEND={backend!r}", returncode=3)
    cluster = embedded.default_cluster()
    cluster.start()
    return cluster.url()


def dsn_for(server_dsn: str, dbname: str) -> str:
    return with_dbname(server_dsn, dbname)


def _janitor(server_dsn: str, dbname: str, template: str | None = None) -> DatabaseJanitor:
    p = conninfo_to_dict(server_dsn)
    return DatabaseJanitor(
        user=p.get("user", "postgres"), host=p.get("host", "127.0.0.1"), port=p.get("port", 5432),
        password=p.get("password"), dbname=dbname, template_dbname=template,
        maintenance_dbname=p.get("dbname", "postgres"),
    )


@pytest.fixture(scope="session")
def template_db(server_dsn):
    """The migrated schema, built once per run (cron jobs are not scheduled for it, so
    pg_cron never connects to it and it can be cloned)."""
    name = f"dgskills_tmpl_{os.getpid()}"
    _unschedule_stale_jobs(server_dsn)
    jan = _janitor(server_dsn, name)
    jan.drop()
    jan.init()
    runner.up(dsn_for(server_dsn, name), reconcile_cron=False)
    yield name
    jan.drop()


def _unschedule_stale_jobs(server_dsn: str) -> None:
    """Jobs left by the test databases of an earlier, killed run (verify reports them as cron_job_stale)."""
    with psycopg.connect(server_dsn, autocommit=True) as c:
        cron_db, _ = cron_sync.cron_location(c)
        if cron_db is None:
            return
        dsn = cron_sync.cron_dsn(c, cron_db)
    with psycopg.connect(dsn, autocommit=True) as cc:
        if cc.execute("select to_regclass('cron.job') is not null").fetchone()[0]:
            cc.execute("""select cron.unschedule(jobid) from cron.job
                           where jobname like 'dgskills.%%@dgskills\\_t\\_%%'
                             and not exists (select from pg_database d where d.datname = cron.job.database)""")


def cron_dsn_for(dsn: str) -> str:
    """The URL of the database where pg_cron lives on the server of `dsn`."""
    with psycopg.connect(dsn) as c:
        cron_db, _ = cron_sync.cron_location(c)
        return cron_sync.cron_dsn(c, cron_db)


class TestDB:
    """A fresh database cloned from the template."""

    def __init__(self, server_dsn: str, name: str):
        self.server_dsn = server_dsn
        self.name = name
        self.dsn = dsn_for(server_dsn, name)
        self._conns: list[psycopg.Connection] = []

    def connect(self, autocommit: bool = True) -> psycopg.Connection:
        conn = psycopg.connect(self.dsn, autocommit=autocommit)
        self._conns.append(conn)
        return conn

    def close(self) -> None:
        for c in self._conns:
            c.close()


def new_db(server_dsn: str, template: str | None):
    name = f"dgskills_t_{uuid.uuid4().hex[:12]}"
    jan = _janitor(server_dsn, name, template)
    jan.init()
    tdb = TestDB(server_dsn, name)
    if template:
        # A clone is a fresh deploy: its retention jobs are declared now, not when the
        # template was built (liveness counts a job without runs from when it was declared).
        with psycopg.connect(tdb.dsn, autocommit=True) as c:
            c.execute("""do $$ begin
                           if to_regclass('app_private.retention_job_declared') is not null then
                               update app_private.retention_job_declared set declared_at = now();
                           end if;
                         end $$""")
    return jan, tdb


def drop_db(jan: DatabaseJanitor, tdb: TestDB) -> None:
    tdb.close()
    with psycopg.connect(tdb.server_dsn, autocommit=True) as c:
        cron_sync.unschedule_database(c, tdb.name)
    jan.drop()


@pytest.fixture
def db(server_dsn, template_db):
    """A fresh clone of the migrated template for this test."""
    jan, tdb = new_db(server_dsn, template_db)
    yield tdb
    drop_db(jan, tdb)


@pytest.fixture
def empty_db(server_dsn):
    """A fresh, empty database (no migrations applied)."""
    jan, tdb = new_db(server_dsn, None)
    yield tdb
    drop_db(jan, tdb)


@pytest.fixture
def owner(db):
    """A connection as the deploying superuser (sets up data; never used to test RLS)."""
    return db.connect()


@pytest.fixture(scope="module")
def module_db(server_dsn, template_db):
    """A clone shared by one module whose tests each roll back (e.g. the access matrix)."""
    jan, tdb = new_db(server_dsn, template_db)
    yield tdb
    drop_db(jan, tdb)


@pytest.fixture(scope="module")
def matrix_world(module_db):
    import world as world_mod

    conn = module_db.connect()
    w = world_mod.build(conn)
    return conn, w


@pytest.fixture(scope="module")
def isolation_conn(module_db):
    return module_db.connect()


@pytest.fixture(scope="module")
def rpc_world(module_db):
    import world as world_mod

    conn = module_db.connect()
    return conn, world_mod.build(conn)
