"""S-RLS-6 (v2): the reason a pupil gives for restricting processing (Art. 18) is read by the
pupil and by the school admins of their school only. It lives in public.processing_restrictions
(migration 6542), written by restrict_processing(), removed by lift_processing_restriction(),
exported to the pupil, gone with the account. Every persona tries to read it the PostgREST
way: the table, and every other table and RPC result it can reach."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

import world as world_mod
from dgskills_db import declarations, runner
from personas import as_role, as_user

READERS = {"subject", "admin-same-school", "service_role"}
REASON = "My parents object to the tracking 7f3c"


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def call(conn, uid, sql, params=()):
    with as_user(conn, uid, commit=True) as c:
        return c.execute(sql, params).fetchone()[0]


def restrict(owner, w, reason=REASON):
    return call(owner, w.users["subject"], "select public.restrict_processing(%s)", (reason,))


def persona_role(persona):
    return declarations.access_matrix().persona(persona).role


def public_tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "select c.relname from pg_catalog.pg_class c where c.relnamespace = 'public'::regnamespace "
        "and c.relkind in ('r', 'p', 'v', 'm') order by 1").fetchall()]


def reads_reason_in_table(conn, w, persona) -> bool:
    with as_role(conn, persona_role(persona), w.users.get(persona)) as c:
        return c.execute("select count(*) from public.processing_restrictions where user_id = %s and reason = %s",
                         (w.users["subject"], REASON)).fetchone()[0] > 0


@pytest.mark.parametrize("persona", [p.name for p in declarations.access_matrix().personas])
def test_only_the_pupil_and_their_school_admins_read_the_reason(owner, w, persona):
    restrict(owner, w)
    if persona_role(persona) == "anon":
        with as_role(owner, "anon") as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select reason from public.processing_restrictions")
        return
    assert reads_reason_in_table(owner, w, persona) == (persona in READERS)


@pytest.mark.parametrize("persona", [p.name for p in declarations.access_matrix().personas
                                     if p.role == "authenticated"])
def test_the_reason_is_nowhere_else_a_persona_can_read(owner, w, persona):
    """Every table in public, read whole as the persona, and what school_directory() returns:
    the reason text appears only where the persona is one of its readers."""
    restrict(owner, w)
    seen = []
    with as_user(owner, w.users[persona]) as c:
        for t in public_tables(owner):
            try:
                with c.transaction():
                    n = c.execute(f"select count(*) from public.{t} as t where t::text like %s",
                                  (f"%{REASON}%",)).fetchone()[0]
            except psycopg.errors.InsufficientPrivilege:
                continue
            if n:
                seen.append(t)
        with c.transaction():
            directory = json.dumps(c.execute("select coalesce(json_agg(d), '[]') from public.school_directory() d")
                                   .fetchone()[0])
        if REASON in directory:
            seen.append("school_directory()")
    assert seen == (["processing_restrictions"] if persona in READERS else [])


def test_the_users_table_holds_no_reason(owner):
    cols = {r[0] for r in owner.execute("select attname from pg_attribute where attrelid = 'public.users'::regclass "
                                        "and attnum > 0 and not attisdropped").fetchall()}
    assert "restricted_reason" not in cols


def test_lifting_removes_the_reason_and_restricting_again_records_the_new_one(owner, w):
    s, a = w.users["subject"], w.users["admin-same-school"]
    restrict(owner, w)
    assert call(owner, a, "select public.lift_processing_restriction(%s, 'talked to the parents')", (s,))["changed"]
    assert owner.execute("select count(*) from public.processing_restrictions where user_id = %s", (s,)).fetchone()[0] == 0
    restrict(owner, w, "again, for another reason")
    assert owner.execute("select reason from public.processing_restrictions where user_id = %s",
                         (s,)).fetchone()[0] == "again, for another reason"


def test_a_reason_left_behind_by_a_flag_cleared_directly_goes_with_the_next_lift(owner, w):
    s, a = w.users["subject"], w.users["admin-same-school"]
    restrict(owner, w)
    with as_role(owner, "service_role", commit=True) as c:
        c.execute("update public.users set processing_restricted = false, restricted_at = null where id = %s", (s,))
    assert call(owner, a, "select public.lift_processing_restriction(%s, 'tidy up')", (s,))["changed"] is False
    assert owner.execute("select count(*) from public.processing_restrictions where user_id = %s", (s,)).fetchone()[0] == 0


@pytest.mark.parametrize("persona", ["subject", "student-same-school", "teacher-same-school", "admin-same-school"])
def test_no_api_persona_writes_a_reason_directly(owner, w, persona):
    for sql in ("insert into public.processing_restrictions (user_id, reason) values (%(s)s, 'x')",
                "update public.processing_restrictions set reason = 'x' where user_id = %(s)s",
                "delete from public.processing_restrictions where user_id = %(s)s"):
        restrict(owner, w)
        with as_user(owner, w.users[persona]) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql, {"s": w.users["subject"]})
    assert owner.execute("select reason from public.processing_restrictions where user_id = %s",
                         (w.users["subject"],)).fetchone()[0] == REASON


def test_the_pupils_export_holds_the_reason_and_erasure_removes_it(owner, w):
    s = w.users["subject"]
    restrict(owner, w)
    export = call(owner, s, "select public.export_my_data()")
    assert export["subject"]["restricted_reason"] == REASON
    assert [r["reason"] for r in export["data"]["processing_restrictions"]] == [REASON]
    admin_export = call(owner, w.users["admin-same-school"], "select public.export_user_data(%s)",
                        (w.users["student-same-school"],))
    assert admin_export["subject"]["restricted_reason"] is None
    assert call(owner, s, "select public.delete_my_account()")["deleted"] is True
    assert owner.execute("select count(*) from public.processing_restrictions where user_id = %s", (s,)).fetchone()[0] == 0
    assert owner.execute("select count(*) from public.processing_restrictions p where p::text like %s",
                         (f"%{REASON}%",)).fetchone()[0] == 0


def test_the_migration_moves_the_reasons_of_a_database_deployed_before(owner, w):
    """The state before 6542 (the reason a column of users), then 6542 itself."""
    s, o = w.users["subject"], w.users["student-same-school"]
    owner.execute("drop table public.processing_restrictions cascade")
    owner.execute("alter table public.users add column restricted_reason text check (char_length(restricted_reason) <= 500)")
    owner.execute("""update public.users set processing_restricted = true, restricted_at = now() - interval '2 days',
                            restricted_reason = %s where id = %s""", (REASON, s))
    owner.execute("""update public.users set processing_restricted = true, restricted_at = now() - interval '1 day',
                            restricted_reason = null where id = %s""", (o,))
    before = owner.execute("select restricted_at from public.users where id = %s", (s,)).fetchone()[0]
    migration = Path(runner.SQL_ROOT) / "schema" / "6542_processing_restrictions.sql"
    owner.execute(migration.read_text())
    assert owner.execute("select user_id, reason, created_at from public.processing_restrictions").fetchall() == [
        (s, REASON, before)]
    assert owner.execute("select count(*) from pg_attribute where attrelid = 'public.users'::regclass "
                         "and attname = 'restricted_reason' and not attisdropped").fetchone()[0] == 0
    assert owner.execute("select count(*) from public.users where processing_restricted").fetchone()[0] == 2
