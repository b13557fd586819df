"""The product's declarations (dgskills_db/declarations/) are well-formed, cover the
schema, and the SQL generated from them is current."""

from __future__ import annotations

from dgskills_db import declarations


def test_generated_sql_is_current():
    assert declarations.main(["--check"]) == 0, "run python -m dgskills_db.declarations"


def test_every_user_reference_is_declared_and_matches_its_delete_action(db):
    with db.connect() as c:
        refs = c.execute("""select ur.table_name, ur.col::text, ur.on_delete from app_private.user_references() ur
                             where ur.tbl <> 'public.users'::regclass""").fetchall()
    declared = {(d.table, d.column): d.kind for d in declarations.user_columns()}
    assert {(t, col) for t, col, _ in refs} == set(declared)
    for t, col, act in refs:
        assert (declared[(t, col)], act) in (("about", "c"), ("actor", "n")), (t, col, act)


def test_every_table_with_an_actor_column_has_an_about_column():
    for d in declarations.user_columns():
        if d.kind == declarations.ACTOR:
            assert declarations.subject_columns(d.table), d.table
