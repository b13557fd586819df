"""Every cell of the access matrix (SPEC §6), as each persona, exactly as PostgREST sets
identity. A cell asserts allowed, or exactly which refusal: missing grant (42501
permission denied), WITH CHECK (42501 row-level security), or silently filtered."""

from __future__ import annotations

import psycopg
import pytest

from personas import as_role
from rls.access_matrix import ACTIONS, TABLES, cells

CELLS = list(cells())


def params_for(world, table: str, persona: str) -> dict:
    u = world.users
    me = u.get(persona)
    if me is None or persona == "subject" and table in ("teacher_notes", "assessments"):
        me = me or u["teacher-same-school"]
    return {
        "subject": u["subject"], "student_same": u["student-same-school"], "spare": world.spare_auth_id,
        "school_a": world.school_a, "school_empty": world.school_empty, "class_a1": world.class_a1,
        "row": world.rows.get(table), "me": me,
        "peer": u["teacher-same-school"] if persona == "subject" else u["subject"],
    }


def role_of(persona: str) -> tuple[str, object]:
    if persona == "anon":
        return "anon", None
    if persona == "service_role":
        return "service_role", None
    return "authenticated", None


def attempt(conn, world, table: str, persona: str, action: str) -> str:
    spec = TABLES[table]
    p = params_for(world, table, persona)
    role, _ = role_of(persona)
    sub = world.users.get(persona)
    before = None
    if action == "I" and spec.get("before_insert"):
        before = (spec["before_insert"], p)  # run as the owner first, in the same transaction
    with as_role(conn, role, sub, before=before) as c:
        try:
            if action == "S":
                n = c.execute(f"select count(*) from public.{table} where {spec['where']}", p).fetchone()[0]
                return "A" if n else "F"
            if action == "I":
                c.execute(spec["insert"], p)
                return "A"
            if action == "U":
                cur = c.execute(f"update public.{table} set {spec['set']} where {spec['where']}", p)
            else:
                cur = c.execute(f"delete from public.{table} where {spec.get('delete_where', spec['where'])}", p)
            return "A" if cur.rowcount > 0 else "F"
        except psycopg.errors.InsufficientPrivilege as exc:
            return "C" if "row-level security" in str(exc) else "D"


@pytest.mark.parametrize(
    "table, persona, action, expected", CELLS,
    ids=[f"{p}/{ACTIONS[a]}/{t}" for t, p, a, _ in CELLS],
)
def test_access_matrix(matrix_world, table, persona, action, expected):
    conn, world = matrix_world
    assert attempt(conn, world, table, persona, action) == expected


def test_matrix_covers_every_table_in_public(matrix_world):
    conn, _ = matrix_world
    tables = {r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()}
    assert tables == set(TABLES), "every table in public must have its row in the access matrix"
