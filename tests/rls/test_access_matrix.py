"""Every cell of the access matrix (SPEC §6, dgskills_db/declarations/access.toml), as each
persona, exactly as PostgREST sets identity. A cell asserts allowed, or exactly which refusal:
no privilege (42501 permission denied), refused by policy (42501 row-level security), or
filtered (zero rows). The statements that try each cell are dgskills_db/world.py's PROBES."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from dgskills_db import declarations
from dgskills_db.declarations import ALLOWED, FILTERED, NO_PRIVILEGE, REFUSED
from personas import as_role

MATRIX = declarations.access_matrix()
CELLS = MATRIX.cells


def attempt(conn, world, table: str, persona: str, action: str) -> str:
    """What happens when `persona` tries `action` on the row about the subject in `table`."""
    p = world_mod.params(world, table, persona)
    sql, before = world_mod.probe(table, action)
    with as_role(conn, MATRIX.persona(persona).role, world.users.get(persona),
                 before=(before, p) if before else None) as c:
        try:
            cur = c.execute(sql, p)
            if action == "select":
                return ALLOWED if cur.fetchone()[0] else FILTERED
            if action == "insert":
                return ALLOWED
            return ALLOWED if cur.rowcount > 0 else FILTERED
        except psycopg.errors.InsufficientPrivilege as exc:
            return REFUSED if "row-level security" in str(exc) else NO_PRIVILEGE


@pytest.mark.parametrize("cell", CELLS, ids=[f"{c.persona}/{c.action}/{c.table}" for c in CELLS])
def test_access_matrix(matrix_world, cell):
    conn, world = matrix_world
    assert attempt(conn, world, cell.table, cell.persona, cell.action) == cell.outcome


def test_matrix_covers_every_table_in_public(matrix_world):
    conn, _ = matrix_world
    tables = {r[0] for r in conn.execute(
        "select c.relname::text from pg_catalog.pg_class c where c.relnamespace = 'public'::regnamespace "
        "and c.relkind in ('r', 'p', 'v', 'm', 'f')").fetchall()}
    assert tables == set(MATRIX.tables), "every table in public must have its entry in access.toml"


def test_every_table_has_a_cell_for_every_persona_and_action():
    # the loader refuses a missing cell; this says so of the shipped file
    assert len(CELLS) == len(MATRIX.tables) * len(MATRIX.personas) * len(declarations.ACTIONS)
    assert {(c.table, c.persona, c.action) for c in CELLS} == {
        (t, p.name, a) for t in MATRIX.tables for p in MATRIX.personas for a in declarations.ACTIONS}


def test_every_declared_table_can_be_tried():
    assert set(world_mod.PROBES) == set(MATRIX.tables)


def test_world_has_every_signed_in_persona(matrix_world):
    _, world = matrix_world
    assert {p.name for p in MATRIX.personas if p.role == "authenticated"} <= set(world.users)


def test_other_declarations_name_only_tables_of_the_matrix():
    tables = set(MATRIX.tables)
    assert {r.table for r in declarations.restriction_scope()} <= tables
    assert {c.table for c in declarations.user_columns()} <= tables


@pytest.mark.parametrize("broken, message", [
    ("subject = { select = \"allowed\", insert = \"allowed\", update = \"allowed\" }", "needs select"),
    ("subject = { select = \"maybe\", insert = \"allowed\", update = \"allowed\", delete = \"allowed\" }", "each one of"),
])
def test_loader_refuses_an_incomplete_or_unknown_cell(tmp_path, monkeypatch, broken, message):
    text = (declarations.HERE / "access.toml").read_text()
    first = text.index("[tables.users]")
    line_start = text.index("\nsubject ", first) + 1
    line_end = text.index("\n", line_start)
    (tmp_path / "access.toml").write_text(text[:line_start] + broken + text[line_end:])
    monkeypatch.setattr(declarations, "HERE", tmp_path)
    declarations.access_matrix.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            declarations.access_matrix()
    finally:
        monkeypatch.undo()
        declarations.access_matrix.cache_clear()


def test_loader_refuses_a_table_without_a_persona(tmp_path, monkeypatch):
    text = (declarations.HERE / "access.toml").read_text()
    first = text.index("[tables.users]")
    line_start = text.index("\nanon ", first) + 1
    line_end = text.index("\n", line_start)
    (tmp_path / "access.toml").write_text(text[:line_start] + text[line_end + 1:])
    monkeypatch.setattr(declarations, "HERE", tmp_path)
    declarations.access_matrix.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"personas without a cell \['anon'\]"):
            declarations.access_matrix()
    finally:
        monkeypatch.undo()
        declarations.access_matrix.cache_clear()
