"""Retention liveness (S-RET-12): is every declared retention job actually keeping its
promise? Read by `verify` (the findings) and `report` (per job: last success, oldest row
still waiting).

- a job's **last success** is the later of pg_cron's last succeeded run
  (`cron.job_run_details`) and the last run in the run log (`app_private.retention_run`)
  none of whose rows failed; before its first run a job counts from when it was declared
  (`app_private.retention_job_declared`);
- a job is **late** when that is longer ago than twice its declared `run_every`;
- a rule's rows are **overdue** when older than `keep` plus one `run_every`;
- a school or leaver is past its **deadline** (`retention_rule.deadline`, 30 days) when it
  is still present after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import psycopg
from psycopg import sql

from . import cron as cron_sync

CRON_TABLE = "cron.job_run_details"


@dataclasses.dataclass
class RuleState:
    target: str
    ts_column: str
    keep: dt.timedelta
    action: str
    nullify_column: str | None
    deadline: dt.timedelta | None
    oldest_waiting: dt.datetime | dt.date | None = None  # oldest row the rule will act on (ts < now - keep)
    overdue: int = 0  # rows older than keep + run_every
    oldest_overdue: dt.datetime | dt.date | None = None
    past_deadline: int = 0


@dataclasses.dataclass
class JobState:
    job: str
    requirement: str
    schedule: str
    run_every: dt.timedelta | None
    declared_at: dt.datetime
    last_success_log: dt.datetime | None = None
    last_success_cron: dt.datetime | None = None
    last_failure: str | None = None
    rules: list[RuleState] = dataclasses.field(default_factory=list)

    @property
    def last_success(self) -> dt.datetime | None:
        known = [t for t in (self.last_success_log, self.last_success_cron) if t is not None]
        return max(known) if known else None

    def late(self, now: dt.datetime) -> bool:
        if self.run_every is None:
            return False
        since = self.last_success or self.declared_at
        return since < now - 2 * self.run_every


def _declared(conn: psycopg.Connection) -> bool:
    return conn.execute(
        """select exists (select from pg_catalog.pg_attribute
                          where attrelid = pg_catalog.to_regclass('app_private.retention_job')
                            and attname = 'run_every' and not attisdropped)
               and pg_catalog.to_regclass('app_private.retention_job_declared') is not null"""
    ).fetchone()[0]


def _count_limited(conn, target: str, where: sql.Composable, args: tuple) -> tuple[int, object]:
    q = sql.SQL("select count(*), min(t) from (select {ts} as t from {tbl} where {w} order by 1 limit 10000) s")
    return conn.execute(q.format(ts=args[0], tbl=sql.SQL(target), w=where), args[1:]).fetchone()


def states(conn: psycopg.Connection) -> tuple[list[JobState], dt.datetime] | None:
    """Per declared job its last success and per rule its waiting and overdue rows; None when
    the database has no liveness declaration (an older deploy)."""
    if not _declared(conn):
        return None
    now = conn.execute("select pg_catalog.now()").fetchone()[0]
    jobs = {r[0]: JobState(*r) for r in conn.execute(
        """select j.job, j.requirement, j.schedule, j.run_every, coalesce(d.declared_at, pg_catalog.now())
             from app_private.retention_job j left join app_private.retention_job_declared d using (job)
            order by j.job""").fetchall()}
    for job, finished in conn.execute(
        """select job, max(finished) from (
               select job, coalesce(run_started_at, started_at) as run, max(finished_at) as finished,
                      bool_and(outcome = 'ok') as ok
                 from app_private.retention_run group by 1, 2) s
            where ok group by job""").fetchall():
        if job in jobs:
            jobs[job].last_success_log = finished
    for job, err in conn.execute(
        """select distinct on (job) job, error from app_private.retention_run
            where outcome = 'failed' order by job, finished_at desc""").fetchall():
        if job in jobs:
            jobs[job].last_failure = err
    cron_db, target_db = cron_sync.cron_location(conn)
    cconn = None
    if cron_db is not None:
        same = cron_db == target_db
        try:
            cconn = conn if same else psycopg.connect(cron_sync.cron_dsn(conn, cron_db), autocommit=True)
            if cconn.execute("select pg_catalog.to_regclass('cron.job_run_details') is not null").fetchone()[0]:
                names = {cron_sync.job_name(j, target_db, same): j for j in jobs}
                for name, end in cconn.execute(
                    """select j.jobname, max(d.end_time) from cron.job j
                         join cron.job_run_details d on d.jobid = j.jobid and d.status = 'succeeded'
                        where j.jobname = any(%s) group by j.jobname""", (list(names),)).fetchall():
                    jobs[names[name]].last_success_cron = end
            else:
                cconn = None
        except psycopg.Error:
            cconn = None
    try:
        for job, target, ts, keep, action, col, deadline in conn.execute(
            """select job, target, ts_column, keep, action, nullify_column, deadline
                 from app_private.retention_rule order by job, target""").fetchall():
            st = jobs[job]
            rule = RuleState(target, ts, keep, action, col, deadline)
            st.rules.append(rule)
            on = cconn if target == CRON_TABLE else conn
            if on is None or on.execute("select pg_catalog.to_regclass(%s) is null", (target,)).fetchone()[0]:
                continue
            cond = sql.SQL("{ts} < %s").format(ts=sql.Identifier(ts))
            if action == "nullify":
                cond = sql.SQL("{c} and {col} is not null").format(c=cond, col=sql.Identifier(col))
            tsid = sql.Identifier(ts)
            rule.oldest_waiting = _count_limited(on, target, cond, (tsid, now - keep))[1]
            if st.run_every is not None:
                rule.overdue, rule.oldest_overdue = _count_limited(on, target, cond, (tsid, now - keep - st.run_every))
            if deadline is not None:
                rule.past_deadline = _count_limited(on, target, cond, (tsid, now - deadline))[0]
    finally:
        if cconn is not None and cconn is not conn:
            cconn.close()
    return list(jobs.values()), now


def _by_hand(job: str) -> str:
    return f"psql: select command from app_private.retention_job where job = '{job}' \\gexec"


def findings(conn: psycopg.Connection) -> list[tuple[str, str, str, str, str]]:
    """(name, level, object, detail, remediation) for every liveness failure."""
    got = states(conn)
    if got is None:
        return []
    jobs, now = got
    out = []
    for j in jobs:
        if j.late(now):
            seen = (f"last success {j.last_success:%Y-%m-%d %H:%M} UTC" if j.last_success
                    else f"no successful run since it was declared ({j.declared_at:%Y-%m-%d %H:%M} UTC)")
            fail = f"; latest recorded failure: {j.last_failure}" if j.last_failure else ""
            out.append(("retention_job_late", "ERROR", j.job,
                        f"{seen}; it runs every {j.run_every} ({j.schedule}) and must succeed at least every "
                        f"{2 * j.run_every}{fail}",
                        "read cron.job_run_details and app_private.retention_run, fix the cause, run the job "
                        f"by hand ({_by_hand(j.job)})"))
        for r in j.rules:
            what = f"{r.target}.{r.nullify_column}" if r.action == "nullify" else r.target
            if r.overdue:
                out.append(("retention_rows_overdue", "ERROR", what,
                            f"{r.overdue if r.overdue < 10000 else '10000+'} row(s) with {r.ts_column} older than "
                            f"{r.keep} plus one interval ({j.run_every}); oldest {r.oldest_overdue}; job {j.job}",
                            f"run the job ({_by_hand(j.job)}) and find out why it did not"))
            if r.past_deadline:
                out.append(("retention_deadline_missed", "ERROR", what,
                            f"{r.past_deadline} row(s) still present {r.deadline} after {r.ts_column} "
                            f"(the promised deadline); job {j.job}",
                            f"run the job now ({_by_hand(j.job)}); read app_private.retention_run for the failures"))
    return out
