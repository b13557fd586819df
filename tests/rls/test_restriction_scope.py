"""S-RLS-6 (v2), by the declared scope (dgskills_db/declarations/restriction.toml): for every
table, staff see nothing about a restricted pupil where the scope says hidden and keep
sight where it says kept; nobody adds rows about them where it says refused; lifting the
restriction restores exactly the sight staff had before. The declaration covers every
table that holds rows about a user."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from dgskills_db import declarations
from personas import as_user

STAFF = ("teacher-same-school", "other-class-teacher", "admin-same-school")
SCOPE = {r.table: r for r in declarations.restriction_scope()}


def about_predicate(table):
    cols = declarations.subject_columns(table) or (["id"] if table == "users" else [])
    return " or ".join(f"t.{c} = %(s)s" for c in cols)


def visible_about(conn, persona_id, table, s):
    with as_user(conn, persona_id) as c:
        return c.execute(f"select count(*) from public.{table} as t where {about_predicate(table)}", {"s": s}).fetchone()[0]


def test_the_scope_covers_every_table_about_a_user_and_refusals_have_their_trigger(db):
    tables_about = {d.table for d in declarations.user_columns()} | {"users"}
    assert set(SCOPE) == tables_about
    with db.connect() as c:
        with_trigger = {r[0] for r in c.execute("""select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid
                                                   where t.tgname = 'refuse_if_restricted' and not t.tgisinternal
                                                     and t.tgparentid = 0  -- not a partition's clone""").fetchall()}
    assert with_trigger == {t for t, r in SCOPE.items() if r.new_rows == "refused"}


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def restrict(owner, s, on=True):
    owner.execute("update public.users set processing_restricted = %s, restricted_at = case when %s then now() end"
                  " where id = %s", (on, on, s))


def test_staff_see_nothing_hidden_keep_what_is_kept_and_lifting_restores_sight(owner, w):
    s = w.users["subject"]
    owner.execute("insert into public.audit_logs (action, actor_id, subject_id, school_id) values ('step_completion_override', %s, %s, %s)",
                  (w.users["teacher-same-school"], s, w.school_a))
    before = {(p, t): visible_about(owner, w.users[p], t, s) for p in STAFF for t in SCOPE}
    for t, r in SCOPE.items():
        if r.staff == "hidden":
            assert any(before[(p, t)] for p in STAFF), f"{t}: no staff persona saw a row about the pupil to begin with"
    restrict(owner, s)
    for p in STAFF:
        for t, r in SCOPE.items():
            n = visible_about(owner, w.users[p], t, s)
            if r.staff == "hidden":
                assert n == 0, (p, t, n)
            elif r.staff == "kept":
                assert n == before[(p, t)], (p, t)
            else:
                assert n == before[(p, t)] == 0, (p, t)
    restrict(owner, s, on=False)
    assert {(p, t): visible_about(owner, w.users[p], t, s) for p in STAFF for t in SCOPE} == before


@pytest.mark.parametrize("persona", STAFF + ("subject",))
@pytest.mark.parametrize("table", [t for t, r in SCOPE.items() if r.new_rows == "refused"])
def test_nobody_adds_or_changes_rows_about_a_restricted_pupil_where_the_scope_refuses(owner, w, persona, table):
    s = w.users["subject"]
    restrict(owner, s)
    params = {k: v for k, v in {**{p.replace("-", "_"): u for p, u in w.users.items()},
                                "subject": s, "me": w.users[persona], "school_a": w.school_a}.items()}
    params.setdefault("student_same", w.users["student-same-school"])
    params.setdefault("peer", s)
    with as_user(owner, w.users[persona]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(world_mod.PROBES[table]["insert"], params)
        assert ei.value.sqlstate in ("DG002", "42501"), (table, persona, ei.value)
    # Changing an existing row about the pupil is refused for every writer, even the owner of the data.
    with owner.transaction(force_rollback=True):
        pred = about_predicate(table).replace("%(s)s", "%s")
        ts = owner.execute("""select a.attname from pg_attribute a where a.attrelid = %s::regclass and a.attnum > 0
                              and a.attnotnull and a.atttypid = 'timestamptz'::regtype order by a.attnum limit 1""",
                           (f"public.{table}",)).fetchone()[0]
        assert owner.execute(f"select count(*) from public.{table} as t where {pred}", (s,) * pred.count("%s")).fetchone()[0]
        with pytest.raises(psycopg.Error) as ei:
            owner.execute(f"update public.{table} as t set {ts} = {ts} - interval '1 second' where {pred}",
                          (s,) * pred.count("%s"))
        assert ei.value.sqlstate == "DG002", table


@pytest.mark.parametrize("move", ["other class", "other school"])
def test_a_restricted_pupil_who_moves_stays_hidden_from_the_staff_who_had_them(owner, w, move):
    """Sight lost by moving (S-RLS-6 with S-RLS-7): after a restricted pupil changes class or
    school, no staff member of the old class or school sees again a row about them where the
    scope says hidden (entries written while they were there carry the old school)."""
    s = w.users["subject"]
    owner.execute("insert into public.audit_logs (action, actor_id, subject_id, school_id) values ('step_completion_override', %s, %s, %s)",
                  (w.users["teacher-same-school"], s, w.school_a))
    restrict(owner, s)
    if move == "other class":
        owner.execute("update public.users set class_id = %s where id = %s", (w.class_a2, s))
    else:
        cb = owner.execute("select id from public.classes where school_id = %s limit 1", (w.school_b,)).fetchone()[0]
        owner.execute("update public.users set school_id = %s, class_id = %s where id = %s", (w.school_b, cb, s))
    for p in (*STAFF, "teacher-other-school", "admin-other-school"):
        for t, r in SCOPE.items():
            if r.staff == "hidden":
                assert visible_about(owner, w.users[p], t, s) == 0, (move, p, t)
