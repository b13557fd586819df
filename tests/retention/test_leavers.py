"""S-RET-10: a school admin marks a pupil as having left (audited, undoable); purge_leavers
deletes the account and all its data from 27 days after left_on — before 30 — with one
run-log row per account. Moving left_on back stands for days passing."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_user
from dgskills_db.cron import job_command


def mark(conn, admin, pupil, left_on=None):
    with as_user(conn, admin, commit=True) as c:
        return c.execute("select public.mark_pupil_left(%s, %s)", (pupil, left_on)).fetchone()[0]


def unmark(conn, admin, pupil):
    with as_user(conn, admin, commit=True) as c:
        return c.execute("select public.unmark_pupil_left(%s)", (pupil,)).fetchone()[0]


def purge(db):
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "purge_leavers"))


def present(owner, uid):
    return owner.execute("select count(*) from auth.users where id = %s", (uid,)).fetchone()[0] == 1


def days_ago(owner, uid, n):
    owner.execute("update public.users set left_on = current_date - %s where id = %s", (n, uid))


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def test_marked_pupil_is_deleted_by_the_job_after_the_period_not_before(db, owner, w):
    pupil, admin = w.users["subject"], w.users["admin-same-school"]
    res = mark(db.connect(), admin, pupil)
    assert res["left_on"] == owner.execute("select (now() at time zone 'UTC')::date::text").fetchone()[0]
    assert owner.execute("select action, actor_id from public.audit_logs where subject_id = %s and action = 'pupil_marked_left'",
                         (pupil,)).fetchone() == ("pupil_marked_left", admin)
    purge(db)
    assert present(owner, pupil)
    days_ago(owner, pupil, 26)
    purge(db)
    assert present(owner, pupil)
    fks = owner.execute("select tbl::text, col from app_private.user_references()").fetchall()
    days_ago(owner, pupil, 27)
    purge(db)
    assert not present(owner, pupil)
    for tbl, col in fks:
        assert owner.execute(f"select count(*) from {tbl} where {col} = %s", (pupil,)).fetchone()[0] == 0, tbl
    assert present(owner, w.users["student-same-school"])
    outcome, rows, target = owner.execute("""select outcome, rows_deleted, target from app_private.retention_run
                                              where job = 'purge_leavers' and target = 'auth.users'""").fetchone()
    assert (outcome, rows) == ("ok", 1)
    assert owner.execute("select count(*) from public.audit_logs where action = 'leaver_account_deleted' and school_id = %s",
                         (w.school_a,)).fetchone()[0] == 1
    assert str(pupil) not in str(owner.execute("select metadata from public.audit_logs where action = 'leaver_account_deleted'").fetchone()[0])


def test_one_run_log_row_per_account(db, owner, w):
    admin = w.users["admin-same-school"]
    pupils = [w.users["subject"], w.users["student-same-school"], w.users["bystander-pupil"]]
    for p in pupils:
        mark(db.connect(), admin, p)
        days_ago(owner, p, 28)
    purge(db)
    assert not any(present(owner, p) for p in pupils)
    assert owner.execute("""select count(*) from app_private.retention_run
                             where job = 'purge_leavers' and target = 'auth.users' and rows_deleted = 1""").fetchone()[0] == 3
    assert owner.execute("""select rows_deleted, outcome from app_private.retention_run
                             where job = 'purge_leavers' and target = 'public.users'""").fetchone() == (3, "ok")


def test_unmarking_stops_the_deletion(db, owner, w):
    pupil, admin = w.users["subject"], w.users["admin-same-school"]
    mark(db.connect(), admin, pupil)
    days_ago(owner, pupil, 20)
    assert unmark(db.connect(), admin, pupil) == {"user_id": str(pupil), "left_on": None, "changed": True}
    owner.execute("update public.users set updated_at = now() - interval '40 days' where id = %s", (pupil,))
    purge(db)
    assert present(owner, pupil)
    assert owner.execute("select count(*) from public.audit_logs where action = 'pupil_left_undone' and subject_id = %s",
                         (pupil,)).fetchone()[0] == 1


def test_a_failing_account_is_recorded_and_the_others_are_deleted(db, owner, w):
    admin = w.users["admin-same-school"]
    bad, good = w.users["subject"], w.users["bystander-pupil"]
    for p in (bad, good):
        mark(db.connect(), admin, p)
        days_ago(owner, p, 27)
    owner.execute(f"""create function public.test_refuse() returns trigger language plpgsql as $$
                      begin if old.id = '{bad}' then raise exception 'injected failure'; end if; return old; end $$""")
    owner.execute("create trigger refuse before delete on public.users for each row execute function public.test_refuse()")
    with pytest.raises(psycopg.Error) as e:
        purge(db)
    assert e.value.sqlstate == "DG009"
    assert present(owner, bad) and not present(owner, good)
    assert sorted(r[0] for r in owner.execute("""select outcome from app_private.retention_run
                                                  where job = 'purge_leavers' and target = 'auth.users'""").fetchall()) == ["failed", "ok"]


@pytest.mark.parametrize("who, target, left_on, sqlstate", [
    ("teacher-same-school", "subject", None, "42501"),
    ("subject", "student-same-school", None, "42501"),
    ("admin-other-school", "subject", None, "DG001"),
    ("admin-same-school", "teacher-same-school", None, "42501"),
    ("admin-same-school", "subject", "2000-01-01", "22023"),
    ("admin-same-school", "subject", "2999-01-01", "22023"),
], ids=["teacher", "pupil", "other-school-admin", "not-a-pupil", "long-ago", "far-ahead"])
def test_mark_refusals_change_nothing(db, owner, w, who, target, left_on, sqlstate):
    with pytest.raises(psycopg.Error) as e:
        mark(db.connect(), w.users[who], w.users[target], left_on)
    assert e.value.sqlstate == sqlstate
    assert owner.execute("select count(*) from public.users where left_on is not null").fetchone()[0] == 0
    assert owner.execute("select count(*) from public.audit_logs where action = 'pupil_marked_left'").fetchone()[0] == 0


def test_left_on_is_not_writable_through_the_api(db, w):
    with as_user(db.connect(), w.users["admin-same-school"]) as c:
        with pytest.raises(psycopg.Error) as e:
            c.execute("update public.users set left_on = current_date where id = %s", (w.users["subject"],))
    assert e.value.sqlstate == "42501"


def test_a_leaver_mark_belongs_to_a_pupil_so_the_job_never_reaches_staff(db, owner, w):
    """A marked pupil moved to a staff role (service_role's path across the pupil/staff line)
    would keep the mark that no admin can undo: the role change is refused until left_on is
    cleared, and purge_leavers reads pupils only."""
    pupil, admin = w.users["subject"], w.users["admin-same-school"]
    mark(db.connect(), admin, pupil)
    c = db.connect()
    c.execute("select set_config('role', 'service_role', true), set_config('request.jwt.claims', %s, true)",
              ('{"role": "service_role"}',))
    with pytest.raises(psycopg.errors.CheckViolation):
        c.execute("update public.users set role = 'teacher' where id = %s", (pupil,))
    c.rollback()
    c.execute("select set_config('role', 'service_role', true), set_config('request.jwt.claims', %s, true)",
              ('{"role": "service_role"}',))
    c.execute("update public.users set left_on = null, role = 'teacher' where id = %s", (pupil,))
    c.commit()
    owner.execute("alter table public.users drop constraint users_left_on_only_pupils")
    owner.execute("update public.users set left_on = current_date - 60 where id = %s", (pupil,))
    purge(db)
    assert present(owner, pupil)
