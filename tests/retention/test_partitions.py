"""Partitioned retention (S-RET-3, S-RET-6): student_activities and audit_logs are partitioned
by created_at, cut at the cutoffs of their purge job's scheduled runs. A row with any timestamp
lands in a partition (the time ahead is covered, the default partition catches the rest and
verify reports rows in it); no API role reaches a partition directly; retention drops exactly
the wholly expired partitions and deletes the rest in batches; a run on schedule deletes
nothing row by row; the migration from the plain tables keeps every row of a deployed
database."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import world as world_mod
from dgskills_db import apply, runner, verify
from dgskills_db.cron import job_command
from personas import as_anon, as_service, as_user

ROOT = Path(__file__).resolve().parents[2]
PARENTS = ("public.student_activities", "public.audit_logs")

PARTITIONS = """select i.inhrelid::regclass::text, pg_catalog.pg_get_expr(c.relpartbound, c.oid)
                  from pg_inherits i join pg_class c on c.oid = i.inhrelid
                 where i.inhparent = %s::regclass order by 1"""


def bounds(conn, parent) -> dict[str, tuple[dt.datetime, dt.datetime] | None]:
    """partition -> (from, to), None for the default partition."""
    out = {}
    for name, expr in conn.execute(PARTITIONS, (parent,)).fetchall():
        if expr == "DEFAULT":
            out[name] = None
        else:
            lo, hi = conn.execute(
                "select m[1]::timestamptz, m[2]::timestamptz from regexp_match(%s, $$FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$$) m",
                (expr,)).fetchone()
            out[name] = (lo, hi)
    return out


@pytest.fixture
def pupil(owner):
    return world_mod.build(owner).users["subject"]


NEAR = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2032, 12, 31),
                   timezones=st.just(dt.timezone.utc))
ANY = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                   timezones=st.just(dt.timezone.utc))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.one_of(NEAR, ANY), parent=st.sampled_from(PARENTS))
def test_a_row_with_any_timestamp_lands_in_its_partition_or_the_default_partition(owner, pupil, at, parent):
    parts = bounds(owner, parent)
    insert = ("insert into public.student_activities (user_id, activity_type, created_at) values (%s, 'probe', %s) "
              "returning tableoid::regclass::text" if parent == "public.student_activities" else
              "insert into public.audit_logs (action, subject_id, created_at) values ('probe', %s, %s) "
              "returning tableoid::regclass::text")
    with owner.transaction(force_rollback=True):
        where = owner.execute(insert, (pupil, at)).fetchone()[0]
    monthly = [p for p, b in parts.items() if b and b[0] <= at < b[1]]
    assert where in parts and ([where] == monthly or (monthly == [] and parts[where] is None))


def test_verify_reports_rows_in_the_default_partition(db, owner):
    runner.up(db.dsn)  # schedules the jobs, as a deploy does
    owner.execute("insert into public.audit_logs (action, created_at) values ('probe', now() + interval '5 years')")
    found = [f for f in verify.run(db.dsn) if f.name == "partition_coverage"]
    assert [(f.level, f.object) for f in found] == [("WARN", "app_partitions.audit_logs_default")]
    assert "1 row(s)" in found[0].detail
    owner.execute("delete from public.audit_logs where action = 'probe'")
    assert verify.run(db.dsn) == []


def test_the_time_ahead_and_the_retention_period_have_their_partitions(owner):
    for parent in PARENTS:
        parts = bounds(owner, parent)
        assert list(parts.values()).count(None) == 1
        now = owner.execute("select now()").fetchone()[0]
        keep = owner.execute("select back, ahead from app_private.partition_rule where parent = %s", (parent,)).fetchone()
        for at in (now - keep[0], now, now + keep[1]):
            assert any(b and b[0] <= at < b[1] for b in parts.values()), (parent, at)


@pytest.mark.parametrize("who", ["anon", "authenticated", "service_role"])
def test_api_roles_cannot_reach_a_partition(db, owner, who):
    w = world_mod.build(owner)
    persona = {"anon": lambda c: as_anon(c), "authenticated": lambda c: as_user(c, w.users["subject"]),
               "service_role": lambda c: as_service(c)}[who]
    for parent in PARENTS:
        for part in bounds(owner, parent):
            for stmt in (f"select * from {part}", f"delete from {part}",
                         f"insert into {part} (created_at) values (now())"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    with persona(owner) as c:
                        c.execute(stmt)
    # the parent answers the pupil, under its policies
    with as_user(owner, w.users["subject"]) as c:
        assert c.execute("select count(*) from public.student_activities").fetchone()[0] > 0


def covering(parts: dict, at) -> list[str]:
    return [p for p, b in parts.items() if b and b[0] <= at < b[1]]


def test_the_job_creates_the_time_ahead_without_any_api_privilege(db, owner):
    at = owner.execute("select now() + interval '1 month'").fetchone()[0]
    [gone] = covering(bounds(owner, "public.student_activities"), at)
    owner.execute(f"drop table {gone}")
    assert any(f.name == "partition_coverage" for f in verify.run(db.dsn))
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "maintain_partitions"))
    after = bounds(owner, "public.student_activities")
    [part] = covering(after, at)
    assert owner.execute("select relrowsecurity from pg_class where oid = %s::regclass", (part,)).fetchone()[0]
    for role in ("public", "anon", "authenticated", "service_role", "authenticator"):
        for priv in ("select", "insert", "update", "delete", "truncate", "references", "trigger"):
            assert not owner.execute("select has_table_privilege(%s, %s, %s)", (role, part, priv)).fetchone()[0]
    outcome, batches = owner.execute("""select outcome, batches from app_private.retention_run where job = 'maintain_partitions'
                                         and target = 'public.student_activities' order by id desc limit 1""").fetchone()
    # the dropped month comes back cut at the purge job's cutoffs: one partition per span
    assert outcome == "ok" and batches >= 4
    assert [f for f in verify.run(db.dsn) if f.name.startswith("partition")] == []


def scheduled_runs(conn, job: str, since, until, every: int = 1) -> list:
    """The instants the declared schedule of a job (daily or weekly, UTC) runs in [since, until];
    with every > 1 only each every-th run, counted in days or weeks from 1970-01-01."""
    minute, hour, dom, mon, dow = conn.execute("select schedule from app_private.retention_job where job = %s",
                                               (job,)).fetchone()[0].split()
    assert dom == mon == "*"
    day = since.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    while day <= until:
        at = day.replace(hour=int(hour), minute=int(minute))
        nth = (day.date() - dt.date(1970, 1, 1)).days // (1 if dow == "*" else 7)
        if (dow == "*" or at.isoweekday() % 7 == int(dow) % 7) and since <= at <= until and nth % every == 0:
            out.append(at)
        day += dt.timedelta(days=1)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.datetimes(min_value=dt.datetime(2021, 1, 1), max_value=dt.datetime(2040, 12, 31),
                       timezones=st.just(dt.timezone.utc)),
       parent=st.sampled_from(PARENTS), tz=st.sampled_from(["UTC", "Europe/Amsterdam", "America/St_Johns"]))
def test_every_scheduled_cutoff_of_the_purge_job_is_a_partition_bound(owner, at, parent, tz):
    """The class of the weekly-purge-vs-month mismatch: for any scheduled run of the table's
    purge job (each runs_per_partition-th; leap days and DST included, whatever the session's
    TimeZone), the cutoff that run uses is where a partition begins, so the run finds its
    expired rows in partitions it drops whole."""
    job, keep, every = owner.execute("""select r.job, r.keep::text, p.runs_per_partition
                                          from app_private.retention_rule r
                                          join app_private.partition_rule p on p.parent = r.target
                                         where r.target = %s and r.action = 'delete'""", (parent,)).fetchone()
    with owner.transaction(force_rollback=True):
        owner.execute("select set_config('timezone', %s, true)", (tz,))
        lo, hi = at - dt.timedelta(days=70), at + dt.timedelta(days=70)
        cut = owner.execute("select app_private.partition_bounds(%s, %s, %s)", (parent, lo, hi)).fetchone()[0]
        assert cut == sorted(set(cut)) and cut[0] <= lo and cut[-1] >= hi
        assert all(b - a <= dt.timedelta(days=7 * every + 1) for a, b in zip(cut, cut[1:]))
        kd = keep_delta(owner, keep)
        for run in scheduled_runs(owner, job, lo + kd - dt.timedelta(days=2), hi + kd + dt.timedelta(days=2), every):
            cutoff = owner.execute("select app_private.retention_cutoff(%s, %s::interval)", (run, keep)).fetchone()[0]
            if lo <= cutoff <= hi:
                assert cutoff in cut, (run, cutoff)
            # a run a few seconds late uses a cutoff just inside the partition that begins at it
            late = owner.execute("select app_private.retention_cutoff(%s + interval '7 seconds', %s::interval)",
                                 (run, keep)).fetchone()[0]
            assert late - cutoff == dt.timedelta(seconds=7)


def keep_delta(conn, keep) -> dt.timedelta:
    return conn.execute("select (%s::timestamptz + %s::interval) - %s::timestamptz",
                        ("2030-06-01T00:00:00Z", keep, "2030-06-01T00:00:00Z")).fetchone()[0]


@pytest.mark.parametrize("parent, job", [("public.student_activities", "purge_student_activities"),
                                         ("public.audit_logs", "purge_audit_logs")])
def test_a_run_on_schedule_drops_its_expired_rows_and_deletes_none_row_by_row(db, owner, parent, job):
    """The steady state: partitions as the job cuts them (the calendar months of the migration
    gone), a purge that runs on its schedule (here: this very minute, as pg_cron would start
    it) drops weeks of expired rows with their partitions, and no batch deletes a row."""
    w = world_mod.build(owner)
    u = w.users["student-same-school"]
    owner.execute(f"delete from {parent}")
    for part, b in bounds(owner, parent).items():
        if b:
            owner.execute(f"drop table {part}")
    # the job runs weekly at this minute of this weekday (UTC): its last scheduled run was just now
    owner.execute("""update app_private.retention_job
                        set schedule = to_char(now() at time zone 'UTC', 'FMMI FMHH24 * * ')
                                       || extract(dow from now() at time zone 'UTC')::int
                      where job = %s""", (job,))
    # a partition per run (audit_logs declares one per fourth run: the three between delete
    # their week in batches, by design)
    owner.execute("""update app_private.partition_rule set back = back + interval '4 weeks', runs_per_partition = 1
                      where parent = %s""", (parent,))
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "maintain_partitions"))
    cutoff = owner.execute("""select app_private.retention_cutoff(date_trunc('minute', now()), keep)
                                from app_private.retention_rule where job = %s and target = %s""",
                           (job, parent)).fetchone()[0]
    before = bounds(owner, parent)
    assert cutoff in {b[0] for b in before.values() if b}
    expired_parts = {p for p, b in before.items() if b and b[1] <= cutoff}
    # expired: four weeks up to the scheduled cutoff; kept: from the cutoff on
    insert = ("insert into public.student_activities (user_id, activity_type, created_at) "
              "select %(u)s, 'a', %(c)s::timestamptz + make_interval(hours => g) from generate_series(-672, 48) g where g <> 0"
              if parent == "public.student_activities" else
              "insert into public.audit_logs (action, subject_id, created_at) "
              "select 'a', %(u)s, %(c)s::timestamptz + make_interval(hours => g) from generate_series(-672, 48) g where g <> 0")
    owner.execute(insert, {"u": u, "c": cutoff})
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, job))
    rows, largest, dropped, outcome = owner.execute(
        """select rows_deleted, largest_batch, partitions_dropped, outcome from app_private.retention_run
            where job = %s and target = %s order by id desc limit 1""", (job, parent)).fetchone()
    assert (rows, dropped, outcome) == (672, len(expired_parts), "ok") and len(expired_parts) >= 4
    assert largest == 0, "a run on schedule deleted rows one by one"
    assert not (set(bounds(owner, parent)) & expired_parts)
    assert owner.execute(f"select count(*) from {parent}").fetchone()[0] == 48


@pytest.mark.parametrize("parent, job, keep", [("public.student_activities", "purge_student_activities", "1 year"),
                                               ("public.audit_logs", "purge_audit_logs", "3 years")])
def test_retention_drops_exactly_the_expired_partitions(db, owner, parent, job, keep):
    w = world_mod.build(owner)
    u = w.users["student-same-school"]
    # partitions reaching three months further back than the retention period
    owner.execute("update app_private.partition_rule set back = back + interval '3 months' where parent = %s", (parent,))
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "maintain_partitions"))
    owner.execute(f"delete from {parent}")
    offsets = [-100, -70, -40, -10, -1, 1, 10, 40]  # days relative to the expiry cutoff
    insert = ("insert into public.student_activities (user_id, activity_type, created_at) "
              "select %(u)s, 'a', now() - %(keep)s::interval + make_interval(days => %(d)s) from generate_series(1, 3)"
              if parent == "public.student_activities" else
              "insert into public.audit_logs (action, subject_id, created_at) "
              "select 'a', %(u)s, now() - %(keep)s::interval + make_interval(days => %(d)s) from generate_series(1, 3)")
    for d in offsets:
        owner.execute(insert, {"u": u, "keep": keep, "d": d})
    cutoff = owner.execute("select now() - %s::interval", (keep,)).fetchone()[0]
    before = bounds(owner, parent)
    expired_parts = {p for p, b in before.items() if b and b[1] <= cutoff}
    assert expired_parts, "the test needs wholly expired partitions"
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, job))
    after = bounds(owner, parent)
    assert set(before) - set(after) == expired_parts
    assert owner.execute(f"select count(*) from {parent} where created_at < %s", (cutoff,)).fetchone()[0] == 0
    assert owner.execute(f"select count(*) from {parent}").fetchone()[0] == 3 * sum(d > 0 for d in offsets)
    rows, dropped, outcome = owner.execute(
        """select rows_deleted, partitions_dropped, outcome from app_private.retention_run
            where job = %s and target = %s order by id desc limit 1""", (job, parent)).fetchone()
    assert (rows, dropped, outcome) == (3 * sum(d < 0 for d in offsets), len(expired_parts), "ok")
    # with the declared reach back (the retention period), dropped months are not created again
    owner.execute("update app_private.partition_rule set back = back - interval '3 months' where parent = %s", (parent,))
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "maintain_partitions"))
    assert not (set(bounds(owner, parent)) & expired_parts)


def test_a_partition_that_cannot_be_dropped_is_recorded_and_its_rows_still_go(db, owner):
    w = world_mod.build(owner)
    owner.execute("update app_private.partition_rule set back = back + interval '2 months' "
                  "where parent = 'public.student_activities'")
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "maintain_partitions"))
    owner.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                     values (%s, 'old', now() - interval '1 year' - interval '45 days')""", (w.users["subject"],))
    part = owner.execute("""select tableoid::regclass::text from public.student_activities where activity_type = 'old'""").fetchone()[0]
    with psycopg.connect(db.dsn) as blocker:
        blocker.execute(f"select from {part} limit 1")  # holds ACCESS SHARE: the drop waits, times out
        with psycopg.connect(db.dsn, autocommit=True) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(job_command(c, "purge_student_activities"))
        blocker.rollback()
    assert ei.value.sqlstate == "DG009"
    outcome, error = owner.execute("""select outcome, error from app_private.retention_run
                                       where job = 'purge_student_activities' order by id desc limit 1""").fetchone()
    assert outcome == "failed" and part in error and "55P03" in error
    assert owner.execute("select count(*) from public.student_activities where activity_type = 'old'").fetchone()[0] == 0


def _history_before_partitioning() -> str | None:
    try:
        first = subprocess.run(["git", "log", "--format=%H", "--", "sql/schema/*_partitioned_retention.sql"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{first[-1]}^" if first else None


def test_the_migration_keeps_every_row_of_a_deployed_database(empty_db, tmp_path):
    """A database deployed with the plain tables and holding rows is upgraded by `up`: every row
    is in its month, ids go on from where they were, cascade deletion and the policies hold."""
    before = _history_before_partitioning()
    if before is None:
        pytest.skip("needs the project's git history to deploy the schema as it was before partitioning")
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "archive", before, "sql"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    apply.up(empty_db.dsn, old / "sql", reconcile_cron=False)
    with psycopg.connect(empty_db.dsn, autocommit=True) as conn:
        # the schema as it was then: only rows its tables had (world_mod.build writes today's columns)
        school = conn.execute("insert into public.schools (name) values ('School A') returning id").fetchone()[0]
        c1, c2 = (conn.execute("insert into public.classes (school_id, name, year_group) values (%s, %s, 2) returning id",
                               (school, n)).fetchone()[0] for n in ("2A", "2B"))
        w = world_mod.World(school, None, None, c1, c2, None,
                            {"subject": world_mod.add_user(conn, "student", school, c1),
                             "bystander-pupil": world_mod.add_user(conn, "student", school, c2)}, None, {})
        conn.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                        select %s, 'old', now() - make_interval(days => g) from generate_series(0, 500) g""",
                     (w.users["subject"],))
        conn.execute("""insert into public.audit_logs (action, subject_id, created_at)
                        select 'old', %s, now() - make_interval(days => g * 3) from generate_series(0, 400) g""",
                     (w.users["subject"],))
        snap = {t: conn.execute(f"select id, created_at, row_to_json(x)::text from {t} x order by id").fetchall()
                for t in PARENTS}
    apply.up(empty_db.dsn, apply.SQL_ROOT, reconcile_cron=False)
    with psycopg.connect(empty_db.dsn, autocommit=True) as conn:
        for t in PARENTS:
            assert conn.execute("select relkind from pg_class where oid = %s::regclass", (t,)).fetchone()[0] == "p"
            assert conn.execute(f"select id, created_at, row_to_json(x)::text from {t} x order by id").fetchall() == snap[t]
            assert conn.execute(f"select count(*) from {t} where tableoid = %s::regclass",
                                (t.replace("public.", "app_partitions.") + "_default",)).fetchone()[0] == 0
        top = max(r[0] for r in snap["public.student_activities"])
        new = conn.execute("""insert into public.student_activities (user_id, activity_type) values (%s, 'new')
                              returning id""", (w.users["subject"],)).fetchone()[0]
        assert new > top
        with as_user(conn, w.users["bystander-pupil"]) as c:
            assert c.execute("select count(*) from public.student_activities where user_id = %s",
                             (w.users["subject"],)).fetchone()[0] == 0
        conn.execute("delete from auth.users where id = %s", (w.users["subject"],))
        for t, col in (("public.student_activities", "user_id"), ("public.audit_logs", "subject_id")):
            assert conn.execute(f"select count(*) from {t} where {col} = %s", (w.users["subject"],)).fetchone()[0] == 0
    assert [f for f in verify.run(empty_db.dsn)
            if f.level != "INFO" and not f.name.startswith(("retention_", "cron_"))] == []
