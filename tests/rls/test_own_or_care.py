"""The owner set of the own-data policies, app_private.own_or_care_ids() (S-RLS-6, S-RLS-7).

1. Over random platforms (hypothesis, the class oracle of test_property_isolation): for every
   persona the set is exactly themself plus the pupils in their care whose processing is not
   restricted; without a sub it is empty, with a sub that is not a uuid it fails as auth.uid().
2. Catalog-wide: a pupil (and a developer) reading any table or view the API role may select
   (but teacher_notes, which is staff's alone) makes the database evaluate no staff-scope helper. A policy that ORs the caller's own rows
   with the staff sets makes every pupil's read pay for them (two index scans per partition
   and a sort instead of one index condition): counted with track_functions, per statement.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings

import world as world_mod
from personas import as_role, as_user
from tests.rls.test_property_isolation import build, platforms, sees_tracking

# The sets only a teacher or school admin has any use for (empty for anyone else).
STAFF_SCOPE = ("app_private.my_pupil_ids()", "app_private.school_restricted_ids()", "app_private.audit_hidden_subject_ids()")
# Read by staff only: a pupil or developer reads no row of it, in the app or otherwise.
STAFF_ONLY = ("public.teacher_notes",)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(p=platforms())
def test_the_owner_set_is_self_and_the_unrestricted_pupils_in_care(isolation_conn, p):
    conn = isolation_conn
    with conn.transaction(force_rollback=True):
        users, _, _ = build(conn, p)
        for v in users:
            want = {o["id"] for o in users if sees_tracking(v, o)}
            claims = json.dumps({"sub": str(v["id"]), "role": "authenticated", "aud": "authenticated"})
            conn.execute("savepoint persona")
            conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                         (claims,))
            got = conn.execute("select app_private.own_or_care_ids()").fetchone()[0]
            conn.execute("rollback to savepoint persona")
            assert set(got) == want, (v["role"], v["restricted"], set(got) ^ want)
            assert len(got) == len(set(got)), "an owner named twice"


def test_without_a_sub_nobody_and_a_bad_sub_fails_as_auth_uid(owner):
    with as_role(owner, "authenticated", None) as c:
        assert c.execute("select app_private.own_or_care_ids()").fetchone()[0] == []
    for sql in ("select auth.uid()", "select app_private.own_or_care_ids()"):
        with pytest.raises(psycopg.Error) as ei, as_role(owner, "authenticated", "not-a-uuid") as c:
            c.execute(sql)
        assert ei.value.sqlstate == "22P02", sql


def readable_relations(conn):
    return [r[0] for r in conn.execute(
        """select 'public.' || pg_catalog.quote_ident(c.relname) from pg_catalog.pg_class as c
            where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
              and pg_catalog.has_any_column_privilege('authenticated', c.oid, 'select')
            order by 1""").fetchall()]


@pytest.mark.parametrize("persona", ["subject", "bystander-pupil", "developer"])
def test_a_non_staff_read_evaluates_no_staff_scope(owner, persona):
    w = world_mod.build(owner)
    relations = [r for r in readable_relations(owner) if r not in STAFF_ONLY]
    assert "public.student_activities" in relations
    calls = ", ".join(f"coalesce(pg_catalog.pg_stat_get_xact_function_calls('{f}'::regprocedure), 0)" for f in STAFF_SCOPE)
    paid = {}
    for rel in relations:
        # track_functions is set by the connection's own (super)user, then the request's identity
        # (the backend's counts not yet flushed to the statistics: read before and after)
        with as_user(owner, w.users[persona], before="set local track_functions = 'all'") as c:
            before = c.execute(f"select {calls}").fetchone()
            c.execute(f"select * from {rel}").fetchall()
            after = c.execute(f"select {calls}").fetchone()
        n = {f: b - a for f, a, b in zip(STAFF_SCOPE, before, after) if b != a}
        if n:
            paid[rel] = n
    assert paid == {}, f"a {persona}'s read evaluates staff-only helpers: {paid}"
