"""Every admin/teacher RPC refuses another school's user, a pupil caller and anon, with the
documented SQLSTATE, and changes nothing."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_anon, as_user

STAFF_RPCS = [
    ("lift_processing_restriction", "select public.lift_processing_restriction(%s, 'r')", True),
    ("export_user_data", "select public.export_user_data(%s)", True),
    ("delete_user_account", "select public.delete_user_account(%s)", True),
    ("override_step_completion", "select public.override_step_completion(%s, 'm1', 1, false, 'r')", False),
]


def fingerprint(owner):
    rows = owner.execute("""select string_agg(t, '|' order by t) from (
        select 'u' || count(*) || sum(hashtext(to_jsonb(u)::text)) t from public.users u
        union all select 'a' || count(*) from public.audit_logs
        union all select 'm' || count(*) || coalesce(sum(hashtext(to_jsonb(m)::text)), 0) from public.mission_progress m
        union all select 'au' || count(*) from auth.users) x""").fetchone()[0]
    return rows


@pytest.fixture
def w(owner):
    wd = world_mod.build(owner)
    owner.execute("update public.users set processing_restricted = true, restricted_at = now() where id = %s",
                  (wd.users["student-other-school"],))
    return wd


@pytest.mark.parametrize("name, sql, admin_only", STAFF_RPCS, ids=[r[0] for r in STAFF_RPCS])
@pytest.mark.parametrize("caller, target, code", [
    ("admin-same-school", "student-other-school", "DG001"),
    ("teacher-same-school", "student-other-school", "DG001"),
    ("subject", "student-same-school", "42501"),
    ("developer", "subject", "42501"),
    ("admin-other-school", "subject", "DG001"),
])
def test_staff_rpc_refuses(owner, w, name, sql, admin_only, caller, target, code):
    if caller == "teacher-same-school" and admin_only:
        code = "42501"
    before = fingerprint(owner)
    with as_user(owner, w.users[caller]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(sql, (w.users[target],))
    assert ei.value.sqlstate == code, str(ei.value)
    assert fingerprint(owner) == before


@pytest.mark.parametrize("name, sql, admin_only", STAFF_RPCS, ids=[r[0] for r in STAFF_RPCS])
def test_staff_rpc_refuses_anon(owner, w, name, sql, admin_only):
    before = fingerprint(owner)
    with as_anon(owner) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql, (w.users["subject"],))
    assert fingerprint(owner) == before


@pytest.mark.parametrize("sql", ["select public.export_my_data()", "select public.delete_my_account()",
                                 "select public.restrict_processing('x')", "select * from public.school_directory()"])
def test_self_service_rpcs_need_a_signed_in_user(owner, w, sql):
    from personas import as_role

    before = fingerprint(owner)
    with as_role(owner, "authenticated", None) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(sql)
    assert ei.value.sqlstate == "28000"
    with as_role(owner, "authenticated", "not-a-uuid") as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(sql)
    assert ei.value.sqlstate == "28000"
    assert fingerprint(owner) == before


def test_teacher_override_records_teacher_and_is_nulled_when_teacher_leaves(owner, w):
    s, t = w.users["subject"], w.users["teacher-same-school"]
    with as_user(owner, t, commit=True) as c:
        res = c.execute("select public.override_step_completion(%s, 'm1', 1, false, 'not really done')", (s,)).fetchone()[0]
    assert res["previous_status"] == "completed" and res["status"] == "in_progress"
    row = owner.execute("select status, completed_by, overridden_by, completed_at from public.mission_progress where user_id = %s and mission_id = 'm1' and step = 1", (s,)).fetchone()
    assert row == ("in_progress", "teacher", t, None)
    assert owner.execute("select count(*) from public.audit_logs where action = 'step_completion_override' and actor_id = %s", (t,)).fetchone()[0] == 1
    owner.execute("delete from auth.users where id = %s", (t,))
    assert owner.execute("select overridden_by, completed_by from public.mission_progress where user_id = %s and mission_id = 'm1'", (s,)).fetchone() == (None, "teacher")


def test_award_xp_is_service_role_only_and_bounded(owner, w):
    from personas import as_service

    s = w.users["subject"]
    with as_user(owner, s) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select public.award_xp(%s, 10, 'x')", (s,))
    with as_service(owner, commit=True) as c:
        res = c.execute("select public.award_xp(%s, 10, 'quiz')", (s,)).fetchone()[0]
        assert res["total"] == 60
        for amount in (0, -5, 1001):
            with pytest.raises(psycopg.Error) as ei:
                with c.transaction():
                    c.execute("select public.award_xp(%s, %s, 'quiz')", (s, amount))
            assert ei.value.sqlstate == "22023"
