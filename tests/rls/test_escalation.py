"""Escalation attempts (S-RLS-2, S-RLS-3): all refused, nothing changed."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_service, as_user


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def snapshot(owner, uid):
    return owner.execute("select to_jsonb(u) - 'updated_at' from public.users u where id = %s", (uid,)).fetchone()[0]


def refused(conn, uid, sql, params=(), role="authenticated"):
    ctx = as_user(conn, uid) if role == "authenticated" else as_service(conn)
    with ctx as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute(sql, params)
    return str(ei.value)


@pytest.mark.parametrize("column, value", [
    ("role", "'admin'"), ("role", "'teacher'"), ("school_id", "gen_random_uuid()"),
    ("processing_restricted", "true"), ("restricted_at", "now()"),
    ("id", "gen_random_uuid()"), ("email", "'x@y.nl'"),
])
def test_pupil_cannot_change_own_protected_columns(owner, w, column, value):
    s = w.users["subject"]
    before = snapshot(owner, s)
    refused(owner, s, f"update public.users set {column} = {value} where id = %s", (s,))
    assert snapshot(owner, s) == before


def test_pupil_cannot_change_own_class(owner, w):
    s = w.users["subject"]
    before = snapshot(owner, s)
    msg = refused(owner, s, "update public.users set class_id = %s where id = %s", (w.class_a2, s))
    assert "school admin" in msg
    assert snapshot(owner, s) == before


def test_pupil_can_change_own_names(owner, w):
    s = w.users["subject"]
    with as_user(owner, s) as c:
        n = c.execute("update public.users set display_name = 'New name' where id = %s", (s,)).rowcount
        assert n == 1


def test_teacher_cannot_promote_themself(owner, w):
    t = w.users["teacher-same-school"]
    before = snapshot(owner, t)
    refused(owner, t, "update public.users set role = 'admin' where id = %s", (t,))
    assert snapshot(owner, t) == before


def test_teacher_cannot_change_a_pupils_role(owner, w):
    t, s = w.users["teacher-same-school"], w.users["subject"]
    with as_user(owner, t) as c:
        assert c.execute("update public.users set role = 'teacher' where id = %s", (s,)).rowcount == 0


def test_admin_cannot_make_anyone_developer(owner, w):
    a, s = w.users["admin-same-school"], w.users["subject"]
    before = snapshot(owner, s)
    msg = refused(owner, a, "update public.users set role = 'developer' where id = %s", (s,))
    assert "developer" in msg
    assert snapshot(owner, s) == before


def test_admin_cannot_change_own_role(owner, w):
    a = w.users["admin-same-school"]
    before = snapshot(owner, a)
    msg = refused(owner, a, "update public.users set role = 'teacher' where id = %s", (a,))
    assert "own role" in msg
    assert snapshot(owner, a) == before


def test_admin_cannot_rename_a_colleague(owner, w):
    a, t = w.users["admin-same-school"], w.users["teacher-same-school"]
    before = snapshot(owner, t)
    refused(owner, a, "update public.users set display_name = 'x' where id = %s", (t,))
    assert snapshot(owner, t) == before


def test_admin_changes_role_and_class_in_own_school_and_it_is_logged(owner, w):
    """A staff role (teacher <-> admin) and a pupil's class are the admin's to set; both are
    logged. Across the pupil/staff boundary: tests/rpc/test_admin_acts_for_pupils.py."""
    a, s, t = w.users["admin-same-school"], w.users["subject"], w.users["teacher-same-school"]
    with as_user(owner, a, commit=True) as c:
        assert c.execute("update public.users set role = 'admin' where id = %s", (t,)).rowcount == 1
        assert c.execute("update public.users set class_id = %s where id = %s", (w.class_a2, s)).rowcount == 1
    log = owner.execute("""select actor_id, subject_id, school_id, metadata from public.audit_logs
                            where action = 'config_change' and subject_id = %s and metadata ->> 'table' = 'users'""",
                        (t,)).fetchone()
    assert log[0] == a and log[1] == t and log[2] == w.school_a
    assert log[3]["old"]["role"] == "teacher" and log[3]["new"]["role"] == "admin"
    log = owner.execute("""select actor_id, metadata from public.audit_logs
                            where action = 'config_change' and subject_id = %s""", (s,)).fetchone()
    assert log[0] == a and log[1]["new"]["class_id"] == str(w.class_a2)


def test_admin_of_other_school_cannot_touch_pupil(owner, w):
    a, s = w.users["admin-other-school"], w.users["subject"]
    with as_user(owner, a) as c:
        assert c.execute("update public.users set role = 'teacher' where id = %s", (s,)).rowcount == 0


def test_admin_cannot_move_pupil_to_a_class_of_another_school(owner, w):
    a, s = w.users["admin-same-school"], w.users["subject"]
    with as_user(owner, a) as c:
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            c.execute("update public.users set class_id = %s where id = %s", (w.class_b1, s))


@pytest.mark.parametrize("persona", ["subject", "teacher-same-school", "admin-same-school", "developer"])
def test_nobody_writes_xp_directly(owner, w, persona):
    uid = w.users[persona]
    before = owner.execute("select count(*) from public.xp_transactions").fetchone()[0]
    refused(owner, uid, "insert into public.xp_transactions (user_id, amount, source) values (%s, 1000, 'cheat')", (uid,))
    refused(owner, uid, "update public.xp_transactions set amount = 1000")
    assert owner.execute("select count(*) from public.xp_transactions").fetchone()[0] == before


def test_service_role_does_not_write_xp_directly_either(owner, w):
    refused(owner, None, "insert into public.xp_transactions (user_id, amount, source) values (%s, 1000, 'x')",
            (w.users["subject"],), role="service")


@pytest.mark.parametrize("persona", ["subject", "admin-same-school", "service_role"])
@pytest.mark.parametrize("stmt", [
    "update public.audit_logs set action = 'tampered'",
    "delete from public.audit_logs",
    "truncate public.audit_logs",
])
def test_audit_logs_are_append_only_for_every_api_role(owner, w, persona, stmt):
    before = owner.execute("select count(*), md5(string_agg(to_jsonb(a)::text, '' order by id)) from public.audit_logs a").fetchone()
    if persona == "service_role":
        refused(owner, None, stmt, role="service")
    else:
        refused(owner, w.users[persona], stmt)
    after = owner.execute("select count(*), md5(string_agg(to_jsonb(a)::text, '' order by id)) from public.audit_logs a").fetchone()
    assert after == before


def test_school_and_class_changes_are_logged_with_old_and_new(owner, w):
    owner.execute("update public.schools set contract_ends_on = '2031-07-31' where id = %s", (w.school_a,))
    row = owner.execute("""select metadata from public.audit_logs where action = 'config_change'
                            and metadata ->> 'table' = 'schools' and metadata ->> 'operation' = 'update'""").fetchone()[0]
    assert row["old"]["contract_ends_on"] == "2030-07-31" and row["new"]["contract_ends_on"] == "2031-07-31"
    a = w.users["admin-same-school"]
    with as_user(owner, a, commit=True) as c:
        c.execute("update public.classes set name = '2Z' where id = %s", (w.class_a1,))
    row = owner.execute("""select actor_id, school_id, metadata from public.audit_logs where action = 'config_change'
                            and metadata ->> 'table' = 'classes' and metadata ->> 'operation' = 'update'""").fetchone()
    assert row[0] == a and row[1] == w.school_a and row[2]["new"]["name"] == "2Z"


def test_restricted_pupil_tracking_is_hidden_from_staff_but_not_from_pupil(owner, w):
    s, t = w.users["subject"], w.users["teacher-same-school"]
    owner.execute("update public.users set processing_restricted = true, restricted_at = now() where id = %s", (s,))
    tracking = ["mission_progress", "xp_transactions", "gamification_events", "user_achievements",
                "student_activities", "feedback"]
    with as_user(owner, t) as c:
        for tbl in tracking:
            assert c.execute(f"select count(*) from public.{tbl} where user_id = %s", (s,)).fetchone()[0] == 0, tbl
        assert c.execute("select count(*) from public.assessments where student_id = %s", (s,)).fetchone()[0] == 0
    with as_user(owner, s) as c:
        for tbl in tracking:
            assert c.execute(f"select count(*) from public.{tbl} where user_id = %s", (s,)).fetchone()[0] >= 1, tbl
    with as_user(owner, s) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("insert into public.student_activities (user_id, activity_type) values (%s, 'x')", (s,))
        assert ei.value.sqlstate == "DG002"
    with as_service(owner) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("insert into public.gamification_events (user_id, event_type) values (%s, 'x')", (s,))
        assert ei.value.sqlstate == "DG002"


def test_guard_refuses_to_test_as_superuser(owner):
    from personas import NotUnderRLS, guard

    with pytest.raises(NotUnderRLS):
        guard(owner)
