"""S-RET-12: verify reports, by name, a declared job that has not succeeded within twice its
interval, rows older than their period plus one interval, and a school or leaver still
present past its deadline. Each: clean, then the bad state (time moved back or runs
removed), then fixed by running the job."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from conftest import cron_dsn_for
from dgskills_db import liveness, runner, verify
from dgskills_db.cron import job_command


@pytest.fixture
def deployed(db, owner):
    runner.up(db.dsn)
    w = world_mod.build(owner)
    assert verify.run(db.dsn) == []
    return w


def call(db, proc, ok=True):
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, proc))


def found(db):
    return sorted((f.name, f.object) for f in verify.run(db.dsn))


def test_job_late_when_it_has_not_succeeded_within_twice_its_interval(db, owner, deployed):
    # never ran and declared three days ago (daily job: allowed two days)
    owner.execute("update app_private.retention_job_declared set declared_at = now() - interval '3 days' where job = 'purge_duels'")
    assert found(db) == [("retention_job_late", "purge_duels")]
    call(db, "purge_duels")
    assert found(db) == []
    # the last run log entry is three days old (time moved): late again; runs removed: late again
    owner.execute("update app_private.retention_run set started_at = started_at - interval '3 days', "
                  "finished_at = finished_at - interval '3 days', run_started_at = run_started_at - interval '3 days' "
                  "where job = 'purge_duels'")
    assert found(db) == [("retention_job_late", "purge_duels")]
    owner.execute("delete from app_private.retention_run where job = 'purge_duels'")
    assert found(db) == [("retention_job_late", "purge_duels")]
    call(db, "purge_duels")
    assert found(db) == []


def test_a_failed_run_is_no_success(db, owner, deployed):
    owner.execute("update app_private.retention_job_declared set declared_at = now() - interval '3 days' where job = 'purge_duels'")
    owner.execute("""create function public.test_refuse() returns trigger language plpgsql as $$
                     begin raise exception 'injected failure'; end $$""")
    owner.execute("create trigger refuse before delete on public.active_duels for each row execute function public.test_refuse()")
    a, b = deployed.users["subject"], deployed.users["bystander-pupil"]
    owner.execute("insert into public.active_duels (player1_id, player2_id, created_at) values (%s, %s, now() - interval '7 days 1 hour')", (a, b))
    with pytest.raises(psycopg.Error):
        call(db, "purge_duels")
    late = [f for f in verify.run(db.dsn) if f.name == "retention_job_late"]
    assert [f.object for f in late] == ["purge_duels"] and "injected failure" in late[0].detail
    owner.execute("drop function public.test_refuse() cascade")
    call(db, "purge_duels")
    assert found(db) == []


def test_success_recorded_by_pg_cron_counts(db, owner, deployed):
    owner.execute("update app_private.retention_job_declared set declared_at = now() - interval '3 days' where job = 'purge_duels'")
    assert found(db) == [("retention_job_late", "purge_duels")]
    with psycopg.connect(cron_dsn_for(db.dsn), autocommit=True) as cc:
        jobid = cc.execute("select jobid from cron.job where jobname = %s", (f"dgskills.purge_duels@{db.name}",)).fetchone()[0]
        cc.execute("""insert into cron.job_run_details (jobid, runid, database, username, command, status, return_message,
                                                         start_time, end_time)
                      values (%s, nextval('cron.runid_seq'), %s, 'postgres', 'x', 'succeeded', 'CALL', now(), now())""",
                   (jobid, db.name))
        try:
            assert found(db) == []
        finally:
            cc.execute("delete from cron.job_run_details where jobid = %s", (jobid,))


def test_rows_older_than_their_period_plus_one_interval(db, owner, deployed):
    s = deployed.users["subject"]
    # within the period plus one interval (a weekly job): not yet overdue
    owner.execute("insert into public.feedback (user_id, module, body, created_at) values (%s, 'm', 'b', now() - interval '1 year 6 days')", (s,))
    assert found(db) == []
    owner.execute("insert into public.feedback (user_id, module, body, created_at) values (%s, 'm', 'b', now() - interval '1 year 8 days')", (s,))
    assert found(db) == [("retention_rows_overdue", "public.feedback")]
    call(db, "purge_feedback")
    assert found(db) == []


def test_ip_kept_past_a_day_and_an_hour(db, owner, deployed):
    owner.execute("update public.pilot_requests set created_at = now() - interval '1 day 2 hours'")
    assert found(db) == [("retention_rows_overdue", "public.pilot_requests.ip")]
    call(db, "null_pilot_request_ips")
    assert found(db) == []


def test_school_past_its_deadline(db, owner, deployed):
    owner.execute("update public.schools set contract_ends_on = current_date - 27 where id = %s", (deployed.school_b,))
    assert found(db) == []  # day 27: today's 02:00 run deletes it
    owner.execute("update public.schools set contract_ends_on = current_date - 28 where id = %s", (deployed.school_b,))
    assert found(db) == [("retention_rows_overdue", "public.schools")]  # one run missed
    owner.execute("update public.schools set contract_ends_on = current_date - 30 where id = %s", (deployed.school_b,))
    assert found(db) == [("retention_deadline_missed", "public.schools"), ("retention_rows_overdue", "public.schools")]
    call(db, "offboard_ended_schools")
    assert found(db) == []


def test_leaver_past_the_deadline(db, owner, deployed):
    owner.execute("update public.users set left_on = current_date - 30 where id = %s", (deployed.users["subject"],))
    assert found(db) == [("retention_deadline_missed", "public.users"), ("retention_rows_overdue", "public.users")]
    call(db, "purge_leavers")
    assert found(db) == []


def test_every_liveness_check_is_named_in_verify(db):
    assert set(verify.LIVENESS_CHECKS) <= set(verify.check_names())


def test_run_every_matches_each_schedule(owner):
    """The declared interval is the longest gap between two runs of the cron schedule."""
    import datetime as dt

    def fires(expr, minute):
        m, h, dom, mon, dow = expr.split()
        t = dt.datetime(2026, 1, 4) + dt.timedelta(minutes=minute)  # a Sunday

        def ok(field, v):
            if field == "*":
                return True
            if field.startswith("*/"):
                return v % int(field[2:]) == 0
            return v in {int(x) for x in field.split(",")}
        return ok(m, t.minute) and ok(h, t.hour) and ok(dom, t.day) and ok(mon, t.month) and ok(dow, (t.weekday() + 1) % 7)

    for job, schedule, every in owner.execute("select job, schedule, run_every from app_private.retention_job").fetchall():
        times = [i for i in range(0, 3 * 7 * 24 * 60) if fires(schedule, i)]
        gap = max(b - a for a, b in zip(times, times[1:]))
        assert dt.timedelta(minutes=gap) == every, job


def test_states_give_last_success_and_oldest_waiting_row(db, owner, deployed):
    s = deployed.users["subject"]
    owner.execute("insert into public.feedback (user_id, module, body, created_at) values (%s, 'm', 'b', now() - interval '1 year 1 day')", (s,))
    with psycopg.connect(db.dsn) as c:
        jobs, _ = liveness.states(c)
    fb = {j.job: j for j in jobs}["purge_feedback"]
    assert fb.last_success is None and fb.rules[0].oldest_waiting is not None
    call(db, "purge_feedback")
    with psycopg.connect(db.dsn) as c:
        jobs, _ = liveness.states(c)
    fb = {j.job: j for j in jobs}["purge_feedback"]
    assert fb.last_success is not None and fb.rules[0].oldest_waiting is None
