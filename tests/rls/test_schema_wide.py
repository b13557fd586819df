"""Whole-schema properties, read from the catalog so a new table cannot escape them."""

from __future__ import annotations

import world as world_mod
from personas import as_user
from dgskills_db.declarations import access_matrix


def test_every_public_table_has_rls_and_a_policy_and_no_api_role_owns_it(owner):
    rows = owner.execute("""
        select c.relname, c.relrowsecurity,
               (select count(*) from pg_policy p where p.polrelid = c.oid),
               pg_get_userbyid(c.relowner)
          from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')""").fetchall()
    assert len(rows) == len(access_matrix().tables)  # every table has its entry in the access matrix
    for name, rls, policies, own in rows:
        assert rls, f"{name}: RLS disabled"
        assert policies > 0, f"{name}: no policy"
        assert own not in ("anon", "authenticated", "service_role", "authenticator"), name


def test_anon_has_no_privilege_on_any_table_or_function_in_public(owner):
    tables = owner.execute("""select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace
                               and c.relkind in ('r', 'p') and (has_table_privilege('anon', c.oid, 'select')
                               or has_table_privilege('anon', c.oid, 'insert') or has_table_privilege('anon', c.oid, 'update')
                               or has_table_privilege('anon', c.oid, 'delete'))""").fetchall()
    assert tables == []
    funcs = owner.execute("""select p.oid::regprocedure::text from pg_proc p
                              where p.pronamespace in ('public'::regnamespace, 'app_private'::regnamespace)
                                and has_function_privilege('anon', p.oid, 'execute')""").fetchall()
    assert funcs == []


def test_every_fk_to_users_cascades_or_sets_null_and_is_indexed(owner):
    rows = owner.execute("""
        select c.conrelid::regclass::text, c.conname, c.confdeltype,
               exists (select from pg_index i where i.indrelid = c.conrelid
                        and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)
          from pg_constraint c where c.contype = 'f' and c.confrelid = 'public.users'::regclass""").fetchall()
    assert len(rows) >= 25
    for tbl, con, deltype, indexed in rows:
        assert deltype in ("c", "n"), f"{tbl}.{con} blocks deleting a user"
        assert indexed, f"{tbl}.{con} is not covered by an index"


def test_no_forbidden_personal_columns(owner):
    bad = owner.execute(r"""select table_name || '.' || column_name from information_schema.columns
                             where table_schema = 'public' and column_name ~* '(bsn|address|adres|birth|geboorte|photo|foto|avatar)'""").fetchall()
    assert bad == []


def test_deleting_the_auth_account_removes_every_row_about_the_user_and_nothing_else(owner):
    w = world_mod.build(owner)
    s, t = w.users["subject"], w.users["teacher-same-school"]
    other = w.users["student-same-school"]
    owner.execute("insert into public.messages (sender_id, recipient_id, body) values (%s, %s, 'to other')", (t, other))
    owner.execute("insert into public.messages (sender_id, recipient_id, body) values (%s, %s, 'from subject')", (s, t))
    owner.execute("insert into public.teacher_notes (student_id, author_id, body) values (%s, %s, 'about other')", (other, t))
    # Every FK column to users, from the catalog, with its delete action.
    fks = owner.execute("""select c.conrelid::regclass::text, a.attname, c.confdeltype from pg_constraint c
                            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
                           where c.contype = 'f' and c.confrelid = 'public.users'::regclass""").fetchall()
    tables = sorted({tbl for tbl, _, _ in fks} | {"public.users"})

    def refs(uid):
        return sum(owner.execute(f"select count(*) from {tbl} where {col} = %s", (uid,)).fetchone()[0] for tbl, col, _ in fks)

    def rows(tbl):
        return {r[0] for r in owner.execute(f"select to_jsonb(t)::text from {tbl} t").fetchall()}

    cascade_cols = {}
    for tbl, col, act in fks:
        cascade_cols.setdefault(tbl, []).append((col, act))
    # Rows that must survive untouched: no FK column names the subject.
    keep = {}
    for tbl in tables:
        cols = [c for c, _ in cascade_cols.get(tbl, [])] or ["id"]
        cond = " and ".join(f"{c} is distinct from %(s)s" for c in cols)
        keep[tbl] = {r[0] for r in owner.execute(f"select to_jsonb(t)::text from {tbl} t where {cond}", {"s": s}).fetchall()}
    # Rows naming the subject only in set-null columns survive with that column null.
    setnull_survivors = 0
    for tbl, cols in cascade_cols.items():
        casc = [c for c, a in cols if a == "c"]
        nulls = [c for c, a in cols if a == "n"]
        if nulls:
            cond = "(" + " or ".join(f"{c} = %(s)s" for c in nulls) + ")"
            if casc:
                cond += " and " + " and ".join(f"{c} is distinct from %(s)s" for c in casc)
            setnull_survivors += owner.execute(f"select count(*) from {tbl} where {cond}", {"s": s}).fetchone()[0]
    assert refs(s) > 15
    total_before = sum(len(rows(t)) for t in tables)
    owner.execute("delete from auth.users where id = %s", (s,))
    assert refs(s) == 0
    for tbl in tables:
        assert keep[tbl] <= rows(tbl), f"{tbl}: rows not about the subject were changed or deleted"
    total_after = sum(len(rows(t)) for t in tables)
    assert total_after == sum(len(k) for k in keep.values()) + setnull_survivors
    assert total_after < total_before
    # The teacher's message to the subject went with the subject's account (ROPA V-07: either party).
    assert owner.execute("select count(*) from public.messages where sender_id = %s and body = 'hello'", (t,)).fetchone() == (0,)


def test_deleting_a_teacher_keeps_notes_and_assessments_about_pupils(owner):
    w = world_mod.build(owner)
    s, t = w.users["subject"], w.users["teacher-same-school"]
    owner.execute("delete from auth.users where id = %s", (t,))
    assert owner.execute("select author_id from public.teacher_notes where student_id = %s", (s,)).fetchone() == (None,)
    assert owner.execute("select assessor_id from public.assessments where student_id = %s", (s,)).fetchone() == (None,)
    with as_user(owner, w.users["admin-same-school"]) as c:
        assert c.execute("select count(*) from public.teacher_notes where student_id = %s", (s,)).fetchone()[0] == 1
