"""No API write reaches a row its writer cannot see (S-RLS-6, S-RLS-7).

A DELETE without a WHERE clause reads no column, so PostgreSQL applies only the DELETE
policies, not the SELECT ones: a DELETE policy weaker than the SELECT policy lets a user
delete rows they are no longer allowed to see (a teacher's notes about a pupil who left
their class, or who restricted processing), and the row count tells them the rows exist.
This checks the class over the catalog: every table an API role may DELETE from, every
persona of the fixture world, in states where sight was lost (a restriction, a class link
removed, a pupil moved to another class). The rows a statement deletes must be exactly the
visible rows that disappear."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_user

STATES = {
    "as built": [],
    "subject restricted": [
        "update public.users set processing_restricted = true, restricted_at = now() where id = %(subject)s",
    ],
    "class link removed": [
        "delete from public.class_teachers where teacher_id = %(class-teacher)s",
    ],
    "subject moved to 2B": [
        "update public.users set class_id = %(class_a2)s where id = %(subject)s",
    ],
}


def deletable_tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        """select c.relname from pg_catalog.pg_class as c
            where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
              and not c.relispartition
              and pg_catalog.has_table_privilege('authenticated', c.oid, 'DELETE')
            order by 1""").fetchall()]


@pytest.mark.parametrize("state", sorted(STATES))
def test_a_delete_removes_only_rows_its_author_can_see(owner, state):
    w = world_mod.build(owner)
    ids = {k: str(v) for k, v in w.users.items()} | {"class_a2": str(w.class_a2)}
    for sql in STATES[state]:
        try:
            owner.execute(sql, ids)
        except psycopg.errors.UndefinedColumn:
            pytest.skip("the restriction columns moved")
    owner.commit()
    tables = deletable_tables(owner)
    assert tables, "no table grants DELETE to authenticated: the check would prove nothing"
    beyond = []
    for persona, uid in w.users.items():
        for t in tables:
            with as_user(owner, uid) as c:
                before = c.execute(f"select count(*) from public.{t}").fetchone()[0]
                try:
                    with c.transaction():
                        deleted = c.execute(f"delete from public.{t}").rowcount
                        after = c.execute(f"select count(*) from public.{t}").fetchone()[0]
                except psycopg.Error:
                    continue  # refused as a whole: nothing deleted
            if deleted != before - after:
                beyond.append((persona, t, f"saw {before}, deleted {deleted}, {after} still seen"))
    assert beyond == []
