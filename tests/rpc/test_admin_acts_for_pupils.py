"""SPEC §7 (v2): the school admin exports and erases for a *pupil* (or their parent) only.
A colleague's export — their messages, notes, assessments — or erasure is not the
admin's to take: refused with 42501 for every non-pupil member, nothing changes."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_user


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def census(owner):
    return owner.execute("""select (select count(*) from auth.users), (select count(*) from public.messages),
                                   (select count(*) from public.audit_logs)""").fetchone()


@pytest.mark.parametrize("rpc", ["export_user_data", "delete_user_account"])
@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_admin_cannot_export_or_erase_a_colleague(owner, w, rpc, role):
    colleague = world_mod.add_user(owner, role, w.school_a)
    owner.execute("insert into public.messages (sender_id, recipient_id, body) values (%s, %s, 'private')",
                  (colleague, w.users["teacher-same-school"]))
    before = census(owner)
    with as_user(owner, w.users["admin-same-school"]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(f"select public.{rpc}(%s)", (colleague,))
    assert ei.value.sqlstate == "42501"
    assert census(owner) == before


@pytest.mark.parametrize("rpc", ["export_user_data", "delete_user_account"])
def test_admin_exports_and_erases_a_pupil(owner, w, rpc):
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        res = c.execute(f"select public.{rpc}(%s)", (w.users["subject"],)).fetchone()[0]
    assert res.get("deleted") is True or res["subject"]["id"] == str(w.users["subject"])


# --- The pupil/staff boundary: a staff account never becomes a pupil by an admin's hand ---

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from personas import as_service  # noqa: E402

ROLES = ["student", "teacher", "admin", "developer"]
ACTS_ON_TARGET = {
    "export_user_data": "select public.export_user_data(%s)",
    "delete_user_account": "select public.delete_user_account(%s)",
    "lift_processing_restriction": "select public.lift_processing_restriction(%s, 'parent asked')",
    "rectify": "update public.users set first_name = 'Changed', year_group = 3 where id = %s returning id",
}


@pytest.mark.parametrize("old,new", [("teacher", "student"), ("admin", "student"), ("student", "teacher"),
                                     ("student", "admin")])
def test_admin_cannot_move_an_account_across_the_pupil_staff_boundary(owner, w, old, new):
    target = world_mod.add_user(owner, old, w.school_a)
    with as_user(owner, w.users["admin-same-school"]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("update public.users set role = %s where id = %s", (new, target))
    assert ei.value.sqlstate == "42501"


def test_admin_still_switches_staff_roles_and_service_role_crosses_the_boundary(owner, w):
    target = world_mod.add_user(owner, "teacher", w.school_a)
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        assert c.execute("update public.users set role = 'admin' where id = %s returning role",
                         (target,)).fetchone()[0] == "admin"
        assert c.execute("update public.users set role = 'teacher' where id = %s returning role",
                         (target,)).fetchone()[0] == "teacher"
    with as_service(owner, commit=True) as c:
        assert c.execute("update public.users set role = 'student' where id = %s returning role",
                         (target,)).fetchone()[0] == "student"


def test_the_demotion_attack_is_refused(owner, w):
    """The review's path: demote a teacher, then export and erase them as a 'pupil'."""
    teacher = w.users["teacher-same-school"]
    with as_user(owner, w.users["admin-same-school"]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("update public.users set role = 'student' where id = %s", (teacher,))
    assert ei.value.sqlstate == "42501"
    for rpc in ("export_user_data", "delete_user_account"):
        with as_user(owner, w.users["admin-same-school"]) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(f"select public.{rpc}(%s)", (teacher,))
        assert ei.value.sqlstate == "42501"


@st.composite
def schools(draw):
    staff = draw(st.lists(st.sampled_from(["teacher", "admin"]), min_size=1, max_size=3))
    pupils = draw(st.integers(0, 2))
    restricted = draw(st.lists(st.booleans(), min_size=len(staff) + pupils + 1, max_size=len(staff) + pupils + 1))
    n = len(staff) + pupils + 1  # + the acting admin
    action = st.one_of(
        st.tuples(st.just("role"), st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(ROLES)),
        st.tuples(st.just("act"), st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(sorted(ACTS_ON_TARGET))),
    )
    return staff, pupils, restricted, draw(st.lists(action, min_size=1, max_size=12))


@pytest.fixture(scope="module")
def boundary_conn(module_db):
    return module_db.connect()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(s=schools())
def test_no_sequence_of_admin_actions_reaches_an_account_that_was_staff(boundary_conn, s):
    """Property: over random schools and random sequences of role changes and admin RPCs
    (by any member, on any member), an account that was staff is never exported, erased,
    rectified or has its restriction lifted, and stays staff."""
    staff, pupils, restricted, actions = s
    conn = boundary_conn
    with conn.transaction(force_rollback=True):
        school = conn.execute("insert into public.schools (name) values ('S') returning id").fetchone()[0]
        roles = ["admin", *staff, *(["student"] * pupils)]
        members = [world_mod.add_user(conn, r, school, restricted=restricted[i]) for i, r in enumerate(roles)]
        was_staff = {m for m, r in zip(members, roles) if r != "student"}
        for kind, actor, target, what in actions:
            actor_id, target_id = members[actor], members[target]
            sql, params = (("update public.users set role = %s where id = %s returning id", (what, target_id))
                           if kind == "role" else (ACTS_ON_TARGET[what], (target_id,)))
            try:
                with as_user(conn, actor_id, commit=True) as c:
                    rows = c.execute(sql, params).fetchall()
                ok = bool(rows)
            except psycopg.Error as e:
                ok = False
                if kind == "act" and target_id in was_staff:
                    assert e.sqlstate in ("42501", "28000"), (what, e.sqlstate, e)
            finally:
                conn.execute("reset role")
            if kind == "act" and target_id in was_staff:
                assert not ok, f"{what} reached staff account by {roles[actor]}: {actions}"
        left = dict(conn.execute("select id, role from public.users where school_id = %s", (school,)).fetchall())
        for m in was_staff:
            assert left.get(m) in ("teacher", "admin"), (m, left.get(m), actions)


def _rpcs_on_another_user(conn):
    """Every RPC an authenticated caller may run that takes a user id: from the catalog."""
    return conn.execute(
        """select p.proname, p.prosrc, pg_catalog.pg_get_function_identity_arguments(p.oid)
             from pg_catalog.pg_proc as p
            where p.pronamespace = 'public'::regnamespace
              and pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
              and 'uuid'::regtype = any (p.proargtypes::oid[])
            order by 1""").fetchall()


def test_every_rpc_on_another_user_uses_the_shared_pupil_check(owner):
    rpcs = _rpcs_on_another_user(owner)
    assert {r[0] for r in rpcs} >= {"export_user_data", "delete_user_account", "lift_processing_restriction",
                                    "override_step_completion"}
    missing = [name for name, src, _ in rpcs if "app_private.pupil_for_staff(" not in src]
    assert not missing, f"RPCs acting on another user without app_private.pupil_for_staff(): {missing}"


def test_every_rpc_on_another_user_refuses_a_colleague(owner, w):
    """Iterates over the catalog: each such RPC, called by the school admin on a teacher
    or another admin of the school, is refused with 42501 and changes nothing."""
    defaults = {"uuid": None, "text": "reason", "integer": 1, "boolean": True, "date": None}
    colleague_admin = world_mod.add_user(owner, "admin", w.school_a, restricted=True)
    for name, _, args in _rpcs_on_another_user(owner):
        types = [a.split()[-1] for a in args.split(", ")]
        for colleague in (w.users["teacher-same-school"], colleague_admin):
            params = [colleague if t == "uuid" else defaults[t] for t in types]
            before = census(owner)
            with as_user(owner, w.users["admin-same-school"]) as c:
                with pytest.raises(psycopg.Error) as ei:
                    c.execute(f"select public.{name}({', '.join(['%s'] * len(params))})", params)
            assert ei.value.sqlstate == "42501", (name, ei.value.sqlstate, str(ei.value))
            assert census(owner) == before
