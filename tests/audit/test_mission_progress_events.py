"""DPIA A06 / AI Act Art. 12: every AI step completion and every teacher override is an
append-only event (who or what, when, old and new state), written by the database itself,
refused to every API role, exported with the pupil's data and gone with the account."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_service, as_user


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def events(owner, pupil):
    return owner.execute("""select actor, actor_id, old_status, new_status, new_completed_by, reason
                              from public.mission_progress_events where user_id = %s order by id""", (pupil,)).fetchall()


def test_ai_completion_and_teacher_override_are_recorded(db, owner, w):
    s, t = w.users["subject"], w.users["teacher-same-school"]
    conn = db.connect()
    with as_service(conn, commit=True) as c:
        c.execute("""insert into public.mission_progress (user_id, mission_id, step, status)
                     values (%s, 'm9', 1, 'in_progress')""", (s,))
        c.execute("""update public.mission_progress set status = 'completed', completed_at = now(), completed_by = 'ai'
                     where user_id = %s and mission_id = 'm9'""", (s,))
    with as_user(conn, t, commit=True) as c:
        c.execute("select public.override_step_completion(%s, 'm9', 1, false, 'not really done')", (s,))
    got = [e for e in events(owner, s) if e]
    assert got[-3:] == [
        ("service", None, None, "in_progress", None, None),
        ("ai", None, "in_progress", "completed", "ai", None),
        ("teacher", t, "completed", "in_progress", "teacher", "not really done"),
    ]


@pytest.mark.parametrize("who", ["subject", "teacher-same-school", "admin-same-school", "service_role"])
def test_api_roles_cannot_write_events(db, owner, w, who):
    s = w.users["subject"]
    owner.execute("update public.mission_progress set status = 'in_progress', completed_at = null where user_id = %s", (s,))
    assert events(owner, s)
    conn = db.connect()
    for stmt in ("insert into public.mission_progress_events (user_id, mission_id, step, actor, new_status) "
                 "values (%s, 'x', 1, 'ai', 'completed')",
                 "update public.mission_progress_events set new_status = 'completed' where user_id = %s",
                 "delete from public.mission_progress_events where user_id = %s"):
        ctx = as_service(conn) if who == "service_role" else as_user(conn, w.users[who])
        with ctx as c:
            with pytest.raises(psycopg.Error) as e:
                c.execute(stmt, (s,))
            assert e.value.sqlstate == "42501"
    with as_service(conn) as c:
        with pytest.raises(psycopg.Error) as e:
            c.execute("truncate public.mission_progress_events")
        assert e.value.sqlstate == "42501"


def test_pupil_and_their_teacher_read_them_other_school_does_not(db, owner, w):
    s = w.users["subject"]
    owner.execute("update public.mission_progress set status = 'in_progress', completed_at = null where user_id = %s", (s,))
    total = len(events(owner, s))
    assert total == 2  # the world's AI completion and this update
    conn = db.connect()
    for who, n in (("subject", total), ("teacher-same-school", total), ("teacher-other-school", 0),
                   ("student-same-school", 0)):
        with as_user(conn, w.users[who]) as c:
            assert c.execute("select count(*) from public.mission_progress_events where user_id = %s", (s,)).fetchone()[0] == n, who


def test_events_are_exported_and_gone_with_the_account(db, owner, w):
    s, t = w.users["subject"], w.users["teacher-same-school"]
    conn = db.connect()
    with as_user(conn, t, commit=True) as c:
        c.execute("select public.override_step_completion(%s, 'm1', 1, false, 'check again')", (s,))
    with as_user(conn, s) as c:
        export = c.execute("select public.export_my_data()").fetchone()[0]
    rows = export["data"]["mission_progress_events"]
    assert any(r["actor"] == "teacher" and r["reason"] == "check again" for r in rows)
    # the overriding teacher is a bystander: their events about the pupil stay, without them
    with as_user(conn, t, commit=True) as c:
        c.execute("select public.delete_my_account()")
    assert {e[1] for e in events(owner, s)} == {None}
    with as_user(conn, s, commit=True) as c:
        c.execute("select public.delete_my_account()")
    assert owner.execute("select count(*) from public.mission_progress_events where user_id = %s", (s,)).fetchone()[0] == 0
