"""S-RET-8 v2 / S-RET-12 and the issue's "one failing school or batch is recorded and the job
goes on": failures are injected with a trigger (as the deploying superuser) that refuses
the deletion; the job records the failure in the run log, finishes the rest, and ends with
DG009 so pg_cron records the run as failed."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from dgskills_db.cron import job_command

REFUSE = """
create function public.test_refuse() returns trigger language plpgsql as $$
begin
    if tg_argv[0] = 'all' or old.school_id::text = tg_argv[0] then
        raise exception using errcode = 'P0001', message = 'injected failure';
    end if;
    return old;
end $$;
"""


def call(db, proc):
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, proc))


def runs(owner, job, target):
    return owner.execute("""select outcome, rows_deleted, error from app_private.retention_run
                             where job = %s and target = %s order by id""", (job, target)).fetchall()


def test_one_failing_school_is_recorded_and_the_others_are_offboarded(db, owner):
    w = world_mod.build(owner)
    owner.execute(REFUSE)
    owner.execute(f"create trigger refuse before delete on public.users for each row "
                  f"execute function public.test_refuse('{w.school_a}')")
    owner.execute("update public.schools set contract_ends_on = current_date - 28 where id in (%s, %s)",
                  (w.school_a, w.school_b))
    b_users = [r[0] for r in owner.execute("select id from public.users where school_id = %s", (w.school_b,)).fetchall()]
    with pytest.raises(psycopg.Error) as e:
        call(db, "offboard_ended_schools")
    assert e.value.sqlstate == "DG009"
    assert owner.execute("select count(*) from public.schools where id = %s", (w.school_b,)).fetchone()[0] == 0
    assert owner.execute("select count(*) from auth.users where id = any(%s)", (b_users,)).fetchone()[0] == 0
    assert owner.execute("select count(*) from public.schools where id = %s", (w.school_a,)).fetchone()[0] == 1
    per_school = runs(owner, "offboard_ended_schools", "auth.users")
    assert sorted(o for o, _, _ in per_school) == ["failed", "ok"]
    failed = [r for r in per_school if r[0] == "failed"][0]
    assert failed[2].startswith("P0001: injected failure") and failed[1] == 0
    assert runs(owner, "offboard_ended_schools", "public.schools")[-1][:2] == ("failed", 1)


def test_two_failed_runs_in_a_row_still_offboard_within_30_days(db, owner):
    """Each 'day' the contract end moves one day further back, as the daily run sees it."""
    w = world_mod.build(owner)
    owner.execute(REFUSE)
    owner.execute("create trigger refuse before delete on public.users for each row execute function public.test_refuse('all')")
    owner.execute("update public.schools set contract_ends_on = current_date - 27 where id = %s", (w.school_a,))
    for _day in range(2):
        with pytest.raises(psycopg.Error) as e:
            call(db, "offboard_ended_schools")
        assert e.value.sqlstate == "DG009"
        assert owner.execute("select count(*) from public.schools where id = %s", (w.school_a,)).fetchone()[0] == 1
        owner.execute("update public.schools set contract_ends_on = contract_ends_on - 1 where id = %s", (w.school_a,))
    owner.execute("drop trigger refuse on public.users")
    ended = owner.execute("select contract_ends_on from public.schools where id = %s", (w.school_a,)).fetchone()[0]
    call(db, "offboard_ended_schools")
    assert owner.execute("select count(*) from public.schools where id = %s", (w.school_a,)).fetchone()[0] == 0
    # the third daily run deleted it, and that was still before day 30 after the contract ended
    assert owner.execute("select current_date < %s::date + 30", (ended,)).fetchone()[0]
    assert [o for o, _, _ in runs(owner, "offboard_ended_schools", "auth.users")] == ["failed", "failed", "ok"]


def test_every_deadline_survives_two_failed_runs(owner):
    """The declaration keeps the margin: start + three runs fit within each promised deadline."""
    rows = owner.execute("""select r.job, r.keep, r.deadline, j.run_every from app_private.retention_rule r
                             join app_private.retention_job j using (job) where r.deadline is not null""").fetchall()
    assert {r[0] for r in rows} == {"offboard_ended_schools", "purge_leavers"}
    for job, keep, deadline, every in rows:
        assert keep + 3 * every <= deadline, job


def test_a_failing_rule_is_recorded_and_the_jobs_other_rules_run(db, owner):
    w = world_mod.build(owner)
    owner.execute("""create function public.test_refuse_all() returns trigger language plpgsql as $$
                     begin raise exception using errcode = 'P0001', message = 'injected failure'; end $$""")
    owner.execute("create trigger refuse before delete on public.active_duels for each row execute function public.test_refuse_all()")
    a, b = w.users["subject"], w.users["bystander-pupil"]
    owner.execute("insert into public.active_duels (player1_id, player2_id, created_at) values (%s, %s, now() - interval '8 days')", (a, b))
    owner.execute("insert into public.duel_challenges (challenger_id, challenged_id, created_at) values (%s, %s, now() - interval '8 days')", (a, b))
    with pytest.raises(psycopg.Error) as e:
        call(db, "purge_duels")
    assert e.value.sqlstate == "DG009"
    assert owner.execute("select count(*) from public.duel_challenges where created_at < now() - interval '7 days'").fetchone()[0] == 0
    assert owner.execute("select count(*) from public.active_duels where created_at < now() - interval '7 days'").fetchone()[0] == 1
    assert runs(owner, "purge_duels", "public.active_duels")[-1][0] == "failed"
    assert runs(owner, "purge_duels", "public.duel_challenges")[-1][:2] == ("ok", 1)
