"""Retention (SPEC §8): every job run by the command pg_cron has in cron.job deletes exactly
the expired rows and records the run; batching; offboarding; reconciliation of cron.job."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest

import world as world_mod
from conftest import cron_dsn_for
from dgskills_db import runner
from dgskills_db.cron import job_command


def deploy_jobs(db) -> dict[str, tuple[str, str]]:
    """Reconcile cron.job for this clone (a no-op `up` does it) and return
    job -> (command, database) as stored in cron.job."""
    runner.up(db.dsn)
    dsn = cron_dsn_for(db.dsn)
    with psycopg.connect(dsn) as cc:
        rows = cc.execute("select jobname, command, database from cron.job where jobname like %s",
                          (f"dgskills.%@{db.name}",)).fetchall()
    return {name.split(".", 1)[1].rsplit("@", 1)[0]: (cmd, database) for name, cmd, database in rows}


def run_stored_command(db, jobs, job):
    cmd, database = jobs[job]
    assert database == db.name
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(cmd)


def last_run(owner, job, target):
    return owner.execute("""select rows_deleted, batches from app_private.retention_run
                             where job = %s and target = %s order by id desc limit 1""", (job, target)).fetchone()


# job, table, timestamp column, keep, insert (with %(ts)s and %(u)s / %(v)s users)
AGE_CASES = [
    ("purge_duel_presence", "public.duel_presence", "last_seen_at", "1 day", None),
    ("purge_duels", "public.duel_challenges", "created_at", "7 days",
     "insert into public.duel_challenges (challenger_id, challenged_id, created_at) values (%(u)s, %(v)s, %(ts)s)"),
    ("purge_duels", "public.active_duels", "created_at", "7 days",
     "insert into public.active_duels (player1_id, player2_id, created_at) values (%(u)s, %(v)s, %(ts)s)"),
    ("purge_student_activities", "public.student_activities", "created_at", "1 year",
     "insert into public.student_activities (user_id, activity_type, created_at) values (%(u)s, 'a', %(ts)s)"),
    ("purge_feedback", "public.feedback", "created_at", "1 year",
     "insert into public.feedback (user_id, module, body, created_at) values (%(u)s, 'm', 'b', %(ts)s)"),
    ("purge_shared_games", "public.shared_games", "created_at", "1 year",
     "insert into public.shared_games (user_id, title, created_at) values (%(u)s, 'g', %(ts)s)"),
    ("purge_audit_logs", "public.audit_logs", "created_at", "3 years",
     "insert into public.audit_logs (action, subject_id, created_at) values ('x', %(u)s, %(ts)s)"),
    ("purge_audit_logs", "app_private.retention_run", "started_at", "3 years",
     "insert into app_private.retention_run (job, target, rows_deleted, batches, longest_batch_ms, started_at, finished_at) values ('old', 'x', 0, 0, 0, %(ts)s, %(ts)s)"),
    ("purge_pilot_requests", "public.pilot_requests", "created_at", "3 years",
     "insert into public.pilot_requests (contact_name, email, school_name, contact_role, created_at) values ('a', 'a@b.nl', 's', 'r', %(ts)s)"),
    ("purge_pilot_request_attempts", "app_private.pilot_request_attempts", "attempted_at", "1 day",
     "insert into app_private.pilot_request_attempts (ip, attempted_at) values ('192.0.2.7', %(ts)s)"),
]


@pytest.mark.parametrize("job, table, ts, keep, insert", AGE_CASES, ids=[f"{c[0]}:{c[1]}" for c in AGE_CASES])
def test_job_deletes_exactly_the_expired_rows(db, owner, job, table, ts, keep, insert):
    w = world_mod.build(owner)
    jobs = deploy_jobs(db)
    users = [w.users[k] for k in ("subject", "student-same-school", "bystander-pupil", "teacher-same-school")]
    if table == "public.duel_presence":
        owner.execute("delete from public.duel_presence")
    # Rows just outside (expired by a minute) and just inside (a minute to go) the period.
    stamps = {"expired": f"now() - interval '{keep}' - interval '1 minute'",
              "kept": f"now() - interval '{keep}' + interval '1 minute'"}
    before_other = owner.execute("select count(*) from public.messages").fetchone()[0]
    for i, (kind, expr) in enumerate([(k, e) for k in stamps for e in [stamps[k]]] * 2):
        t = owner.execute(f"select {expr}").fetchone()[0]
        if table == "public.duel_presence":
            owner.execute("insert into public.duel_presence (user_id, last_seen_at) values (%s, %s)", (users[i], t))
        else:
            owner.execute(insert, {"u": users[i % 2], "v": users[2], "ts": t})
    expired_ids = owner.execute(
        f"select count(*) from {table} where {ts} < now() - interval '{keep}'").fetchone()[0]
    # The run log records the run itself: do not count those new rows.
    not_new = "job <> 'purge_audit_logs'" if table == "app_private.retention_run" else "true"
    total = owner.execute(f"select count(*) from {table} where {not_new}").fetchone()[0]
    assert expired_ids >= 2
    run_stored_command(db, jobs, job)
    assert owner.execute(f"select count(*) from {table} where {ts} < now() - interval '{keep}'").fetchone()[0] == 0
    assert owner.execute(f"select count(*) from {table} where {not_new}").fetchone()[0] == total - expired_ids
    assert last_run(owner, job, table)[0] == expired_ids
    assert owner.execute("select count(*) from public.messages").fetchone()[0] == before_other


def test_cron_run_details_purge_runs_in_pg_crons_database(db, owner):
    jobs = deploy_jobs(db)
    cmd, database = jobs["purge_cron_job_run_details"]
    cdsn = cron_dsn_for(owner.info.dsn)
    assert database == psycopg.conninfo.conninfo_to_dict(cdsn)["dbname"] != db.name
    marker = f"dgskills-test-{uuid.uuid4()}"
    with psycopg.connect(cdsn, autocommit=True) as cc:
        for days in (31, 29):
            cc.execute("""insert into cron.job_run_details (jobid, runid, database, username, command, status,
                                                             return_message, start_time, end_time)
                          values (0, nextval('cron.runid_seq'), %s, 'x', %s, 'succeeded', '',
                                  now() - make_interval(days => %s), now() - make_interval(days => %s))""",
                       (db.name, marker, days, days))
        cc.execute(cmd)
        left = cc.execute("select count(*) from cron.job_run_details where command = %s", (marker,)).fetchone()[0]
        cc.execute("delete from cron.job_run_details where command = %s", (marker,))
    assert left == 1


def test_batches_remove_everything_and_spare_rows_written_meanwhile(db, owner):
    w = world_mod.build(owner)
    s = w.users["student-same-school"]
    owner.execute("update app_private.retention_rule set batch_size = 100 where target = 'public.student_activities'")
    owner.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                     select %s, 'old', now() - interval '2 years' - g * interval '1 second'
                       from generate_series(1, 1050) g""", (s,))
    fresh = []
    stop = threading.Event()

    def writer():
        with psycopg.connect(db.dsn, autocommit=True) as c:
            while not stop.is_set():
                fresh.append(c.execute("insert into public.student_activities (user_id, activity_type) values (%s, 'new') returning id",
                                       (s,)).fetchone()[0])
                time.sleep(0.002)

    th = threading.Thread(target=writer)
    th.start()
    try:
        with psycopg.connect(db.dsn, autocommit=True) as c:
            c.execute(job_command(c, "purge_student_activities"))
    finally:
        stop.set()
        th.join()
    assert owner.execute("select count(*) from public.student_activities where activity_type = 'old'").fetchone()[0] == 0
    assert last_run(owner, "purge_student_activities", "public.student_activities") == (1050, 11)
    assert len(fresh) > 0
    assert owner.execute("select count(*) from public.student_activities where id = any(%s)", (fresh,)).fetchone()[0] == len(fresh)


def test_offboarding_deletes_schools_ended_27_days_ago_and_nothing_else(db, owner):
    """S-RET-8 v2: deletion starts 27 days after the contract ended (three daily runs before day 30)."""
    w = world_mod.build(owner)
    jobs = deploy_jobs(db)
    owner.execute("update public.schools set contract_ends_on = current_date - 27 where id = %s", (w.school_a,))
    owner.execute("update public.schools set contract_ends_on = current_date - 26 where id = %s", (w.school_b,))
    a_users = [r[0] for r in owner.execute("select id from public.users where school_id = %s", (w.school_a,)).fetchall()]
    b_users = owner.execute("select count(*) from public.users where school_id = %s", (w.school_b,)).fetchone()[0]
    dev = w.users["developer"]
    fks = owner.execute("""select c.conrelid::regclass::text, a.attname from pg_constraint c
                            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
                           where c.contype = 'f' and c.confrelid = 'public.users'::regclass""").fetchall()
    run_stored_command(db, jobs, "offboard_ended_schools")
    assert owner.execute("select count(*) from public.schools where id = %s", (w.school_a,)).fetchone()[0] == 0
    assert owner.execute("select count(*) from public.classes where school_id = %s", (w.school_a,)).fetchone()[0] == 0
    assert owner.execute("select count(*) from auth.users where id = any(%s)", (a_users,)).fetchone()[0] == 0
    for tbl, col in fks:
        assert owner.execute(f"select count(*) from {tbl} where {col} = any(%s)", (a_users,)).fetchone()[0] == 0, tbl
    assert owner.execute("select count(*) from public.users where school_id = %s", (w.school_b,)).fetchone()[0] == b_users
    assert owner.execute("select count(*) from public.users where id = %s", (dev,)).fetchone()[0] == 1
    assert owner.execute("select count(*) from public.schools").fetchone()[0] == 2
    receipt = owner.execute("select metadata from public.audit_logs where action = 'school_offboarded'").fetchone()[0]
    assert receipt["accounts_deleted"] == len(a_users)
    assert not any(str(u) in str(receipt) for u in a_users)
    assert last_run(owner, "offboard_ended_schools", "auth.users")[0] == len(a_users)


def cron_jobs(db):
    dsn = cron_dsn_for(db.dsn)
    with psycopg.connect(dsn) as cc:
        return {r[0]: r[1] for r in cc.execute(
            "select jobname, schedule from cron.job where jobname like %s", (f"dgskills.%@{db.name}",)).fetchall()}, dsn


def test_reconcile_upserts_by_name_unschedules_undeclared_and_spares_foreign_jobs(db, owner):
    runner.up(db.dsn)
    runner.up(db.dsn)
    jobs, cdsn = cron_jobs(db)
    assert len(jobs) == 13
    foreign = f"someone-elses-job-{uuid.uuid4().hex[:6]}"
    with psycopg.connect(cdsn, autocommit=True) as cc:
        cc.execute("select cron.schedule_in_database(%s, '0 0 1 1 *', 'select 1', %s)", (foreign, db.name))
    try:
        owner.execute("update app_private.retention_job set schedule = '*/5 * * * *' where job = 'purge_feedback'")
        owner.execute("delete from app_private.retention_job where job = 'purge_shared_games'")
        res = runner.up(db.dsn)  # nothing to apply, but cron.job is reconciled with the declaration
        assert res.cron.updated == [f"dgskills.purge_feedback@{db.name}"]
        assert res.cron.unscheduled == [f"dgskills.purge_shared_games@{db.name}"]
        jobs, _ = cron_jobs(db)
        assert jobs[f"dgskills.purge_feedback@{db.name}"] == "*/5 * * * *"
        assert f"dgskills.purge_shared_games@{db.name}" not in jobs and len(jobs) == 12
        with psycopg.connect(cdsn) as cc:
            assert cc.execute("select count(*) from cron.job where jobname = %s", (foreign,)).fetchone()[0] == 1
    finally:
        with psycopg.connect(cdsn, autocommit=True) as cc:
            cc.execute("select cron.unschedule(%s)", (foreign,))


def test_without_pg_cron_up_deploys_and_says_loudly_that_retention_is_not_scheduled():
    """A real server without pg_cron in shared_preload_libraries."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from dgskills_db import embedded, verify

    base = Path(tempfile.mkdtemp(prefix="dgskills-nocron-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    cl = embedded.Cluster(state_dir=base / "state", preferred_port=embedded._port_for(base),
                          os_user=embedded._run_as(), with_cron=False)
    try:
        cl.start()
        res = runner.up(cl.url())
        assert res.cron.mode == "unavailable" and "NOT scheduled" in res.cron.warning
        with psycopg.connect(cl.url()) as c:
            assert c.execute("select to_regprocedure('app_private.purge_feedback(jsonb)') is not null").fetchone()[0]
            assert c.execute("select count(*) from pg_extension where extname = 'pg_cron'").fetchone()[0] == 0
        found = verify.run(cl.url())
        assert [(f.name, f.level) for f in found] == [("retention_not_scheduled", "ERROR")]
        root = Path(__file__).resolve().parents[2]
        out = subprocess.run([sys.executable, str(root / "migrate.py"), "up", "--dsn", cl.url()],
                             capture_output=True, text=True)
        assert out.returncode == 0 and "WARNING" in out.stderr and "NOT scheduled" in out.stderr
        v = subprocess.run([sys.executable, str(root / "migrate.py"), "verify", "--dsn", cl.url(), "--no-drift"],
                           capture_output=True, text=True)
        assert v.returncode == 1 and "retention_not_scheduled" in v.stdout
    finally:
        cl.destroy()
        base.rmdir()


@pytest.mark.slow
def test_the_real_scheduler_runs_a_job_by_itself(db, owner):
    """pg_cron 1.4 has no seconds schedules: this waits for the next whole minute. Two jobs in
    the same minute: one that succeeds, and one whose second table refuses the deletion — its
    DO block commits the first table's batches and both run-log rows, then ends with DG009,
    which pg_cron records as a failed run."""
    w = world_mod.build(owner)
    a, b = w.users["subject"], w.users["bystander-pupil"]
    owner.execute("""create function public.test_refuse_all() returns trigger language plpgsql as $$
                     begin raise exception using errcode = 'P0001', message = 'injected failure'; end $$""")
    owner.execute("create trigger refuse before delete on public.active_duels "
                  "for each row execute function public.test_refuse_all()")
    owner.execute("update app_private.retention_rule set batch_size = 1 where job = 'purge_duels'")
    for table, cols in (("duel_challenges", "challenger_id, challenged_id"), ("active_duels", "player1_id, player2_id")):
        owner.execute(f"insert into public.{table} ({cols}, created_at) "
                      f"select %s, %s, now() - interval '8 days' - g * interval '1 second' from generate_series(1, 3) g",
                      (a, b))
    owner.execute("update app_private.retention_job set schedule = '* * * * *' "
                  "where job in ('purge_duel_presence', 'purge_duels')")
    jobs = deploy_jobs(db)
    assert jobs["purge_duels"][0].startswith("do $job$")
    cdsn = cron_dsn_for(db.dsn)
    with psycopg.connect(cdsn, autocommit=True) as cc:
        ids = dict(cc.execute("select jobname, jobid from cron.job where jobname = any(%s)",
                              ([f"dgskills.purge_duel_presence@{db.name}", f"dgskills.purge_duels@{db.name}"],)
                              ).fetchall())
        deadline = time.monotonic() + 150
        status = {}
        while time.monotonic() < deadline and len(status) < 2:
            for name, jobid in ids.items():
                row = cc.execute("select status, return_message from cron.job_run_details where jobid = %s "
                                 "and status in ('succeeded', 'failed') order by runid desc limit 1", (jobid,)).fetchone()
                if row:
                    status[name.split(".", 1)[1].rsplit("@", 1)[0]] = row
            time.sleep(1)
        # no further scheduled runs while the rest is checked
        for name in ids:
            cc.execute("select cron.unschedule(%s)", (name,))
    assert len(status) == 2, f"pg_cron did not run both jobs within 150 s: {status}"
    assert status["purge_duel_presence"][0] == "succeeded", status
    assert status["purge_duels"][0] == "failed", status
    assert "1 rule(s) failed" in status["purge_duels"][1], status
    assert last_run(owner, "purge_duel_presence", "public.duel_presence") is not None
    runs = owner.execute("""select target, outcome, rows_deleted, batches from app_private.retention_run
                             where job = 'purge_duels' order by id""").fetchall()
    assert runs[:2] == [("public.active_duels", "failed", 0, 1), ("public.duel_challenges", "ok", 3, 3)], runs
    assert owner.execute("select count(*) from public.duel_challenges where created_at < now() - interval '7 days'"
                         ).fetchone()[0] == 0
    assert owner.execute("select count(*) from public.active_duels where created_at < now() - interval '7 days'"
                         ).fetchone()[0] == 3


def test_same_database_mode_schedules_in_the_deploy_transaction_and_reconciles():
    """pg_cron in the target database itself (Supabase, and the embedded default database)."""
    import os
    import tempfile
    from pathlib import Path

    from dgskills_db import embedded, verify

    base = Path(tempfile.mkdtemp(prefix="dgskills-samedb-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    cl = embedded.Cluster(state_dir=base / "state", preferred_port=embedded._port_for(base), os_user=embedded._run_as())
    try:
        cl.start()
        res = runner.up(cl.url())
        assert res.cron.mode == "same-database" and len(res.cron.scheduled) == 13
        assert all(name.startswith("dgskills.") and "@" not in name for name in res.cron.scheduled)
        assert verify.run(cl.url(), drift=True) == []
        with psycopg.connect(cl.url(), autocommit=True) as c:
            c.execute("select cron.schedule('not-ours', '0 0 1 1 *', 'select 1')")
            c.execute("update app_private.retention_job set schedule = '15 3 * * 0' where job = 'purge_feedback'")
        res = runner.up(cl.url())
        assert res.cron.updated == ["dgskills.purge_feedback"] and res.cron.unscheduled == []
        with psycopg.connect(cl.url()) as c:
            jobs = dict(c.execute("select jobname, schedule from cron.job").fetchall())
        assert jobs["dgskills.purge_feedback"] == "15 3 * * 0" and jobs["not-ours"] == "0 0 1 1 *" and len(jobs) == 14
        # a declaration pg_cron refuses fails the whole deploy: files, history and jobs unchanged
        import shutil

        broken = Path(tempfile.mkdtemp(prefix="dgskills-broken-"))
        shutil.copytree(runner.SQL_ROOT, broken / "sql")
        decl = broken / "sql" / "cron" / "0100_retention.sql"
        decl.write_text(decl.read_text().replace("'30 3 * * 0'", "'every sunday'"))
        with psycopg.connect(cl.url()) as c:
            history = c.execute("select count(*) from dgskills_migrate.history").fetchone()[0]
        with pytest.raises(runner.ApplyError) as ei:
            runner.up(cl.url(), broken / "sql")
        assert "cron.job" in str(ei.value) and "every sunday" in str(ei.value)
        with psycopg.connect(cl.url()) as c:
            assert c.execute("select count(*) from dgskills_migrate.history").fetchone()[0] == history
            assert c.execute("select schedule from app_private.retention_job where job = 'purge_feedback'").fetchone()[0] == "15 3 * * 0"
            assert c.execute("select schedule from cron.job where jobname = 'dgskills.purge_feedback'").fetchone()[0] == "15 3 * * 0"
        shutil.rmtree(broken)
    finally:
        cl.destroy()
        base.rmdir()
