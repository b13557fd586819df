"""A token whose sub is not a user id is "not signed in" (28000) for every RPC, from the
catalog: each public function authenticated may execute, called with such a sub, refuses
with 28000 — never 22P02 from the uuid cast (README, SQLSTATEs). Table reads get 22P02
from Supabase's own auth.uid(), which the README documents."""

from __future__ import annotations

import psycopg
import pytest

from personas import as_role

ARG = {"uuid": "00000000-0000-4000-8000-000000000001", "text": "x", "integer": 1, "boolean": True,
       "inet": "192.0.2.1", "date": "2026-01-01", "bigint": 1, "jsonb": "{}"}


def rpcs(conn):
    return conn.execute(
        """select p.proname, coalesce(array(select pg_catalog.format_type(t, null)
                                             from unnest(p.proargtypes::oid[]) as t), array[]::text[])
             from pg_catalog.pg_proc as p
            where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
              and pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
            order by 1""").fetchall()


@pytest.mark.parametrize("sub", ["not-a-uuid", "", "12345", "auth0|abc"])
def test_every_rpc_maps_a_malformed_sub_to_28000(owner, sub):
    found = rpcs(owner)
    assert any(name == "is_teacher" for name, _ in found)
    for name, types in found:
        params = [ARG[t] for t in types]
        with as_role(owner, "authenticated", sub) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(f"select public.{name}({', '.join(['%s'] * len(params))})", params)
        assert ei.value.sqlstate == "28000", (name, sub, ei.value.sqlstate, str(ei.value))


def test_table_reads_with_a_malformed_sub_are_refused_with_a_documented_code(owner):
    """Documented, not changed: Supabase's auth.uid() raises 22P02 in the policies; a
    policy that asks is_teacher() first gets 28000. Either way nothing is read."""
    tables = [r[0] for r in owner.execute(
        "select tablename from pg_tables where schemaname = 'public' order by 1").fetchall()]
    for t in tables:
        with as_role(owner, "authenticated", "not-a-uuid") as c:
            try:
                rows = c.execute(f"select count(*) from public.{t}").fetchone()[0]
            except psycopg.Error as e:
                assert e.sqlstate in ("22P02", "28000"), (t, e.sqlstate)
            else:
                assert rows == 0, t
