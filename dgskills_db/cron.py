"""Reconcile pg_cron's `cron.job` with the declared retention jobs.

The declaration is `app_private.retention_job` (seeded by `sql/cron/`): job name, schedule
and the command each job runs (a DO block over its step function). Deploying makes
`cron.job` equal to it: declared jobs are upserted by name (a changed schedule or
command updates the job), jobs of ours that are no longer declared are unscheduled,
and jobs that are not ours are never touched.

"Ours" means: the name starts with ``dgskills.`` and the job runs in the target
database. pg_cron 1.4 keeps job names unique per user across the server, so when the
jobs are scheduled from another database (pg_cron can live only in
`cron.database_name`) the name carries the target database: ``dgskills.<job>@<db>``.

Where pg_cron lives decides how:
- `same-database`: pg_cron is (or can be) created in the target database; the
  reconciliation is part of `up`'s transaction and uses only what pg_cron grants every
  user: `cron.schedule(name, …)` (an upsert by name) and `cron.unschedule(name)`. So a
  non-superuser deployer such as Supabase's `postgres` role can run it; the
  superuser-only `cron.schedule_in_database` / `cron.alter_job` are never needed here.
- `other-database`: pg_cron lives in another database of the same server; after `up`
  commits, the toolkit connects there and uses `cron.schedule_in_database` (which pg_cron
  grants to superusers only, unless a superuser grants EXECUTE on it).
- `unavailable`: pg_cron is not loaded; `up` still deploys, and says loudly that
  retention is not scheduled (`verify` reports it as an ERROR).

A job's command (`app_private.retention_command()`) is a DO block that calls the job's step
function until it returns null and commits after each step: it must run at top level, outside
a transaction block, as pg_cron and psql (autocommit) run it. `run_job` runs it so by hand.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from .dsn import with_dbname

PREFIX = "dgskills."
# Supabase creates pg_cron in pg_catalog (its objects live in schema `cron` either way); an
# extension recorded in `public` is what splinter's extension_in_public lint reports.
CREATE_PG_CRON = "create extension if not exists pg_cron with schema pg_catalog"
DECLARATION = "app_private.retention_job"


@dataclasses.dataclass
class DeclaredJob:
    job: str
    schedule: str
    command: str
    run_in: str  # 'target' | 'cron' (pg_cron's own housekeeping runs where cron.job_run_details is)
    command_in_cron_db: str | None = None  # the command when run_in = 'cron' and pg_cron is elsewhere


@dataclasses.dataclass
class ReconcileResult:
    mode: str  # same-database | other-database | unavailable | no-declaration
    cron_database: str | None
    target_database: str
    declared: list[DeclaredJob] = dataclasses.field(default_factory=list)
    scheduled: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unscheduled: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    warning: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.scheduled or self.updated or self.unscheduled)

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["declared"] = [j.job for j in self.declared]
        return d


def job_name(job: str, target_db: str, same_db: bool) -> str:
    return f"{PREFIX}{job}" if same_db else f"{PREFIX}{job}@{target_db}"


def declared_jobs(conn: psycopg.Connection) -> list[DeclaredJob] | None:
    if not conn.execute("select pg_catalog.to_regclass(%s) is not null", (DECLARATION,)).fetchone()[0]:
        return None
    rows = conn.execute(
        f"select job, schedule, command, run_in, command_in_cron_db from {DECLARATION} order by job"
    ).fetchall()
    return [DeclaredJob(*r) for r in rows]


def cron_location(conn: psycopg.Connection) -> tuple[str | None, str]:
    """(cron.database_name or None when pg_cron is not loaded, current database)."""
    row = conn.execute(
        "select pg_catalog.current_setting('cron.database_name', true), pg_catalog.current_database()"
    ).fetchone()
    return row[0], row[1]


def _desired(jobs: list[DeclaredJob], target_db: str, cron_db: str, same_db: bool) -> dict[str, tuple[str, str, str]]:
    """jobname -> (schedule, command, database)."""
    out = {}
    for j in jobs:
        if j.run_in == "cron" and not same_db:
            # pg_cron's own housekeeping runs in pg_cron's database, where our functions do not exist.
            out[job_name(j.job, target_db, same_db)] = (j.schedule, j.command_in_cron_db or j.command, cron_db)
        else:
            out[job_name(j.job, target_db, same_db)] = (j.schedule, j.command, target_db)
    return out


def _apply(conn: psycopg.Connection, res: ReconcileResult, desired: dict[str, tuple[str, str, str]],
           same_db: bool) -> None:
    # Ours: our prefix, and (same db) any name without '@', or (other db) our '@<db>' suffix.
    if same_db:
        mine = "jobname like 'dgskills.%%' and jobname not like '%%@%%'"
        args: tuple = ()
    else:
        mine = "jobname like 'dgskills.%%' and jobname like %s"
        args = (f"%@{res.target_database}",)
    existing = {
        r[1]: (r[0], r[2], r[3], r[4], r[5])
        for r in conn.execute(
            f"select jobid, jobname, schedule, command, database, active from cron.job where {mine}", args
        ).fetchall()
    }
    if same_db:
        _apply_by_name(conn, res, desired, existing)
        return
    for name, (jobid, *_rest) in sorted(existing.items()):
        if name not in desired:
            conn.execute("select cron.unschedule(%s::bigint)", (jobid,))
            res.unscheduled.append(name)
    for name, (schedule, command, db) in sorted(desired.items()):
        cur = existing.get(name)
        if cur and (cur[1], cur[2], cur[3], cur[4]) == (schedule, command, db, True):
            res.unchanged.append(name)
            continue
        if cur and cur[3] != db:
            conn.execute("select cron.unschedule(%s::bigint)", (cur[0],))
        conn.execute(
            "select cron.schedule_in_database(%s, %s, %s, %s)", (name, schedule, command, db)
        )
        (res.updated if cur else res.scheduled).append(name)


def _apply_by_name(conn: psycopg.Connection, res: ReconcileResult, desired: dict[str, tuple[str, str, str]],
                   existing: dict[str, tuple]) -> None:
    """Same database: only `cron.schedule(name, schedule, command)` and `cron.unschedule(name)`,
    which pg_cron grants to PUBLIC and which act on the calling user's jobs. `cron.schedule`
    updates schedule and command of an existing job of that name but keeps `active` and
    `database`, so a deactivated or moved job is unscheduled and scheduled afresh."""
    for name in sorted(existing):
        if name not in desired:
            conn.execute("select cron.unschedule(%s::name)", (name,))
            res.unscheduled.append(name)
    for name, (schedule, command, db) in sorted(desired.items()):
        cur = existing.get(name)
        if cur and (cur[1], cur[2], cur[3], cur[4]) == (schedule, command, db, True):
            res.unchanged.append(name)
            continue
        if cur and (cur[3], cur[4]) != (db, True):
            conn.execute("select cron.unschedule(%s::name)", (name,))
        conn.execute("select cron.schedule(%s, %s, %s)", (name, schedule, command))
        (res.updated if cur else res.scheduled).append(name)


def reconcile_in_transaction(conn: psycopg.Connection) -> ReconcileResult:
    """Called inside `up`'s transaction. Does the work when pg_cron is in this database;
    otherwise returns what the caller must do after commit."""
    cron_db, target_db = cron_location(conn)
    jobs = declared_jobs(conn)
    res = ReconcileResult("no-declaration", cron_db, target_db)
    if jobs is None:
        return res
    res.declared = jobs
    if cron_db is None:
        res.mode = "unavailable"
        res.warning = (
            "pg_cron is not loaded on this server (shared_preload_libraries): the retention jobs are NOT "
            "scheduled and nothing will be deleted on time. The jobs can be run by hand: their commands are "
            "in app_private.retention_job."
        )
        return res
    if cron_db != target_db:
        res.mode = "other-database"
        return res
    res.mode = "same-database"
    has_ext = conn.execute("select exists (select from pg_catalog.pg_extension where extname = 'pg_cron')").fetchone()[0]
    if not has_ext:
        try:
            with conn.transaction():
                conn.execute(CREATE_PG_CRON)
        except psycopg.Error as exc:
            res.mode = "unavailable"
            res.warning = (
                f"pg_cron is preloaded but the extension could not be created in {target_db}: "
                f"{exc.diag.message_primary}. Retention jobs are NOT scheduled."
            )
            return res
    _apply(conn, res, _desired(jobs, target_db, target_db, True), same_db=True)
    return res


def job_command(conn: psycopg.Connection, job: str) -> str:
    """The declared command of a retention job (what pg_cron runs for it in this database)."""
    row = conn.execute(f"select command from {DECLARATION} where job = %s", (job,)).fetchone()
    if row is None:
        raise LookupError(f"no retention job named {job!r} is declared in {DECLARATION}")
    return row[0]


def run_job(dsn: str, job: str) -> None:
    """Run a declared retention job by hand, as pg_cron runs it: its command at top level on a
    connection of its own (autocommit), so that it commits after every batch. A job whose
    rule, school or account failed raises DG009 after every other unit ran and was recorded."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(job_command(conn, job))


def cron_dsn(target_conn: psycopg.Connection, cron_db: str) -> str:
    return with_dbname(target_conn.info.dsn, cron_db, password=target_conn.info.password)


def reconcile_other_database(target_conn: psycopg.Connection, res: ReconcileResult) -> ReconcileResult:
    """After `up` committed: schedule the jobs from the database where pg_cron lives."""
    assert res.cron_database
    try:
        with psycopg.connect(cron_dsn(target_conn, res.cron_database), autocommit=True) as cconn:
            has_ext = cconn.execute(
                "select exists (select from pg_catalog.pg_extension where extname = 'pg_cron')"
            ).fetchone()[0]
            if not has_ext:
                cconn.execute(CREATE_PG_CRON)
            with cconn.transaction():
                _apply(cconn, res, _desired(res.declared, res.target_database, res.cron_database, False), same_db=False)
    except psycopg.Error as exc:
        res.mode = "unavailable"
        res.warning = (
            f"pg_cron lives in database '{res.cron_database}' (cron.database_name) and the jobs could not be "
            f"scheduled from there: {exc}. Either deploy into '{res.cron_database}', or give the deploying "
            "user access to it. Retention jobs are NOT scheduled."
        )
    return res


def unschedule_database(conn_any: psycopg.Connection, target_db: str) -> int:
    """Remove every job of ours that runs in `target_db` (used when a database is dropped)."""
    cron_db, _ = cron_location(conn_any)
    if cron_db is None:
        return 0
    with psycopg.connect(cron_dsn(conn_any, cron_db), autocommit=True) as cconn:
        ids = cconn.execute(
            "select jobid from cron.job where jobname like %s", (f"{PREFIX}%@{target_db}",)
        ).fetchall()
        for (jobid,) in ids:
            cconn.execute("select cron.unschedule(%s::bigint)", (jobid,))
        return len(ids)
