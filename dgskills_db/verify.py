"""`migrate.py verify`: the compliance checks (SPEC §10).

Each check is one catalog query in `dgskills_db/checks/NNNN_<name>.sql` returning the
fixed columns (name, level, object, detail, remediation); the name is splinter's where
a splinter lint matches. They run in one read-only transaction with an empty
search_path. Checks that need pg_cron's database (which may be another database of the
server) are written in Python below, with the same columns.

Exit contract (migrate.py): 0 clean (INFO allowed), 1 findings at WARN or ERROR,
2 could not run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import psycopg

from . import cron as cron_sync

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
LEVELS = ("ERROR", "WARN", "INFO")


@dataclasses.dataclass(frozen=True)
class Finding:
    name: str
    level: str
    object: str
    detail: str
    remediation: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def check_files() -> list[Path]:
    return sorted(CHECKS_DIR.glob("*.sql"))


def check_names() -> list[str]:
    return [p.stem.split("_", 1)[1] for p in check_files()] + ["retention_not_scheduled", "cron_job_drift",
                                                              "cron_job_failed", "schema_drift", "export_coverage"]


def _sql_checks(conn: psycopg.Connection) -> list[Finding]:
    out: list[Finding] = []
    with conn.transaction(force_rollback=True):
        conn.execute("set transaction read only")
        conn.execute("set local search_path = ''")
        for path in check_files():
            for row in conn.execute(path.read_text()).fetchall():
                out.append(Finding(*row))
    return out


def _cron_checks(conn: psycopg.Connection) -> list[Finding]:
    """Declared retention jobs vs cron.job, and their latest runs."""
    jobs = cron_sync.declared_jobs(conn)
    if jobs is None:
        return []
    cron_db, target_db = cron_sync.cron_location(conn)
    if cron_db is None:
        return [Finding("retention_not_scheduled", "ERROR", "pg_cron",
                        f"pg_cron is not loaded: none of the {len(jobs)} declared retention jobs runs",
                        "add pg_cron to shared_preload_libraries, set cron.database_name, restart, then `up`")]
    same = cron_db == target_db
    desired = cron_sync._desired(jobs, target_db, cron_db, same)
    try:
        cconn = conn if same else psycopg.connect(cron_sync.cron_dsn(conn, cron_db), autocommit=True)
    except psycopg.Error as exc:
        return [Finding("retention_not_scheduled", "ERROR", f"database {cron_db}",
                        f"cannot read cron.job in {cron_db}: {exc}", "grant the verifying user access to it")]
    try:
        if not cconn.execute("select exists (select from pg_catalog.pg_extension where extname = 'pg_cron')").fetchone()[0]:
            return [Finding("retention_not_scheduled", "ERROR", f"database {cron_db}",
                            "the pg_cron extension is not created", "run `migrate.py up`")]
        mine = "jobname like 'dgskills.%%' and " + ("jobname not like '%%@%%'" if same else "jobname like %s")
        args = () if same else (f"%@{target_db}",)
        live = {r[0]: r[1:] for r in cconn.execute(
            f"select jobname, schedule, command, database, active, jobid from cron.job where {mine}", args).fetchall()}
        out: list[Finding] = []
        for name, (schedule, command, db) in sorted(desired.items()):
            cur = live.get(name)
            if cur is None:
                out.append(Finding("retention_not_scheduled", "ERROR", name,
                                   f"declared retention job is not in cron.job (schedule {schedule})",
                                   "run `migrate.py up` to reconcile cron.job"))
            elif (cur[0], cur[1], cur[2], cur[3]) != (schedule, command, db, True):
                out.append(Finding("cron_job_drift", "ERROR", name,
                                   f"cron.job has schedule {cur[0]!r}, command {cur[1]!r}, database {cur[2]!r}, "
                                   f"active {cur[3]}; declared {schedule!r}, {command!r}, {db!r}",
                                   "run `migrate.py up` to reconcile cron.job"))
        for name in sorted(set(live) - set(desired)):
            out.append(Finding("cron_job_drift", "WARN", name, "job of ours in cron.job that is not declared",
                               "run `migrate.py up` (it unschedules undeclared jobs)"))
        failed = cconn.execute(
            f"""select j.jobname, d.status, d.return_message, d.start_time::text
                  from cron.job j
                  join lateral (select * from cron.job_run_details r where r.jobid = j.jobid
                                 order by r.runid desc limit 1) d on true
                 where {mine} and d.status not in ('succeeded', 'running', 'starting')""", args).fetchall()
        for name, status, msg, at in failed:
            out.append(Finding("cron_job_failed", "ERROR", name, f"latest run {at} {status}: {msg}",
                               "read cron.job_run_details, fix the cause, and check the next run"))
        return out
    finally:
        if cconn is not conn:
            cconn.close()


def waivers(conn: psycopg.Connection) -> dict[tuple[str, str], str]:
    if not conn.execute("select pg_catalog.to_regclass('app_private.verify_waiver') is not null").fetchone()[0]:
        return {}
    return {(r[0], r[1]): r[2] for r in conn.execute(
        "select check_name, object, reason from app_private.verify_waiver").fetchall()}


def _export_checks(conn: psycopg.Connection) -> list[Finding]:
    """Every table that references users (expected, from the catalog) must appear in what the
    export function actually returns; run for a throw-away account in a rolled-back transaction."""
    if not conn.execute("select pg_catalog.to_regprocedure('app_private.export_user(uuid)') is not null").fetchone()[0]:
        return [Finding("export_coverage", "ERROR", "app_private.export_user(uuid)", "the export function is missing",
                        "deploy sql/functions/0300_rpc_helpers.sql")]
    expected = {r[0] for r in conn.execute(
        """select case when n.nspname = 'public' then c.relname::text else n.nspname || '.' || c.relname end
             from pg_catalog.pg_constraint k
             join pg_catalog.pg_class c on c.oid = k.conrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where k.contype = 'f' and k.confrelid = 'public.users'::regclass and k.conrelid <> 'public.users'::regclass"""
    ).fetchall()}
    with conn.transaction(force_rollback=True):
        probe = conn.execute("select gen_random_uuid()").fetchone()[0]
        conn.execute("insert into auth.users (id) values (%s)", (probe,))
        conn.execute("insert into public.users (id, role, display_name) values (%s, 'developer', 'verify probe')", (probe,))
        got = set(conn.execute("select pg_catalog.jsonb_object_keys(app_private.export_user(%s) -> 'data')",
                               (probe,)).fetchall())
    got = {g[0] for g in got}
    return [Finding("export_coverage", "ERROR", t, "references users but is missing from export_my_data()",
                    "derive the export from the catalog (app_private.user_references()) or add the table")
            for t in sorted(expected - got)]


def run(dsn: str, drift: bool = False) -> list[Finding]:
    """All checks; with drift=True also the comparison with a fresh build of sql/."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        findings = _sql_checks(conn) + _cron_checks(conn) + _export_checks(conn)
        waived = waivers(conn)
    if drift:
        from . import drift as drift_mod

        findings += drift_mod.check(dsn)
    findings = [
        Finding(f.name, "INFO", f.object, f"waived: {waived[(f.name, f.object)]} (was {f.level}: {f.detail})",
                f.remediation) if (f.name, f.object) in waived else f
        for f in findings
    ]
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    return sorted(findings, key=lambda f: (order.get(f.level, 9), f.name, f.object))


def print_findings(findings: list[Finding], console) -> None:
    from rich.table import Table
    from rich.text import Text

    if not findings:
        console.print(f"verify: clean ({len(check_names())} checks).")
        return
    for lvl in LEVELS:
        group = [f for f in findings if f.level == lvl]
        if not group:
            continue
        t = Table(title=f"{lvl} ({len(group)})")
        t.add_column("check", no_wrap=True)
        t.add_column("object", overflow="fold")
        t.add_column("detail", overflow="fold")
        t.add_column("remediation", overflow="fold")
        for f in group:
            # literal text: details hold SQL such as uuid[] that rich would read as markup
            t.add_row(*(Text(x) for x in (f.name, f.object, f.detail, f.remediation)))
        console.print(t)
