"""S-RLS-9, catalog-wide: no API role holds a privilege the access matrix does not give,
over every object kind — tables (and their columns), sequences, functions, schemas and
types — read from the catalog, so an object added later is checked without anyone
remembering. (The matrix's cells themselves run in test_access_matrix.py; here: nothing
*beyond* them.) Run on the deployed template, whose shim copied Supabase's legacy
default privileges (ALL on every new table, function and sequence in public)."""

from __future__ import annotations

import pytest

from dgskills_db.declarations import ACTIONS, access_matrix

API_ROLES = ("anon", "authenticated", "service_role")
PRODUCT_SCHEMAS = ("public", "app_private")
MATRIX = access_matrix()

# SPEC §7: who may call each RPC of the API.
RPC_CALLERS = {
    "is_teacher": {"authenticated", "service_role"},
    "export_my_data": {"authenticated"},
    "delete_my_account": {"authenticated"},
    "restrict_processing": {"authenticated"},
    "lift_processing_restriction": {"authenticated"},
    "export_user_data": {"authenticated"},
    "delete_user_account": {"authenticated"},
    "override_step_completion": {"authenticated"},
    "award_xp": {"service_role"},
    "submit_pilot_request": {"service_role"},
    "school_directory": {"authenticated"},
    "mark_pupil_left": {"authenticated"},
    "unmark_pupil_left": {"authenticated"},
    "publish_shared_work": {"authenticated"},
    "unpublish_shared_work": {"authenticated"},
}
# app_private functions an API role may run: what its policies call, and what the
# SECURITY INVOKER export_my_data() calls as the caller.
INVOKER_NEEDS = {"authenticated": {"export_self", "export_self_compiled", "export_actor_rows", "declared_user_columns"}}


@pytest.fixture(scope="module")
def cat(module_db):
    return module_db.connect()


def test_table_and_column_privileges_are_within_the_matrix(cat):
    rows = cat.execute("""
        select c.relname, r.rolname,
               has_any_column_privilege(r.oid, c.oid, 'SELECT'), has_any_column_privilege(r.oid, c.oid, 'INSERT'),
               has_any_column_privilege(r.oid, c.oid, 'UPDATE'), has_table_privilege(r.oid, c.oid, 'DELETE'),
               has_table_privilege(r.oid, c.oid, 'TRUNCATE'), has_any_column_privilege(r.oid, c.oid, 'REFERENCES'),
               has_table_privilege(r.oid, c.oid, 'TRIGGER')
          from pg_class c cross join pg_roles r
         where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
           and r.rolname = any(%s)""", (list(API_ROLES),)).fetchall()
    assert rows
    wrong = []
    for table, role, s, i, u, d, trunc, refs, trig in rows:
        if table not in MATRIX.tables:
            wrong.append((table, role, "a table the access matrix does not declare"))
            continue
        for action, held in zip(ACTIONS, (s, i, u, d)):
            if held and not MATRIX.allows(table, role, action):
                wrong.append((table, role, action))
        for name, held in (("TRUNCATE", trunc), ("REFERENCES", refs), ("TRIGGER", trig)):
            if held:
                wrong.append((table, role, name))
    assert wrong == []


def test_app_private_tables_and_every_sequence_are_closed_to_the_api(cat):
    rows = cat.execute("""
        select format('%%s %%s', c.relkind, c.oid::regclass), r.rolname
          from pg_class c cross join pg_roles r
         where c.relnamespace = any(%s::regnamespace[]) and r.rolname = any(%s)
           and (c.relkind = 'S' and (has_sequence_privilege(r.oid, c.oid, 'USAGE') or has_sequence_privilege(r.oid, c.oid, 'SELECT')
                                     or has_sequence_privilege(r.oid, c.oid, 'UPDATE'))
                or c.relkind in ('r', 'p', 'v', 'm') and c.relnamespace = 'app_private'::regnamespace
                   and (has_any_column_privilege(r.oid, c.oid, 'SELECT') or has_any_column_privilege(r.oid, c.oid, 'INSERT')
                        or has_any_column_privilege(r.oid, c.oid, 'UPDATE') or has_table_privilege(r.oid, c.oid, 'DELETE')))""",
                       (list(PRODUCT_SCHEMAS), list(API_ROLES))).fetchall()
    assert rows == []


def test_functions_are_executable_only_as_declared(cat):
    policy_calls = {r[0] for r in cat.execute("""
        select p.proname from pg_proc p where p.pronamespace = 'app_private'::regnamespace
           and exists (select from pg_policy pol
                        where coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || ' '
                              || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '') ~ ('app_private\\.' || p.proname || '\\('))""").fetchall()}
    rows = cat.execute("""
        select n.nspname, p.proname, p.oid::regprocedure::text, r.rolname
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace cross join pg_roles r
         where n.nspname = any(%s) and r.rolname = any(%s) and has_function_privilege(r.oid, p.oid, 'EXECUTE')
           and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')""",
                       (list(PRODUCT_SCHEMAS), list(API_ROLES))).fetchall()
    wrong = []
    for nsp, name, sig, role in rows:
        if nsp == "public":
            ok = role in RPC_CALLERS.get(name, set())
        else:
            ok = role != "anon" and (name in policy_calls or name in INVOKER_NEEDS.get(role, set())
                                     or (name in ("is_admin", "my_role", "current_school_id") and role != "anon"))
        if not ok:
            wrong.append((sig, role))
    assert wrong == []


def test_schemas_give_no_create_and_usage_only_where_needed(cat):
    rows = cat.execute("""
        select n.nspname, r.rolname, has_schema_privilege(r.oid, n.oid, 'USAGE'), has_schema_privilege(r.oid, n.oid, 'CREATE')
          from pg_namespace n cross join pg_roles r
         where n.nspname = any(%s) and r.rolname = any(%s)""", (list(PRODUCT_SCHEMAS), list(API_ROLES))).fetchall()
    usage = {("public", "anon"), ("public", "authenticated"), ("public", "service_role"),
             ("app_private", "authenticated"), ("app_private", "service_role")}
    assert [(n, r) for n, r, _, create in rows if create] == []
    assert {(n, r) for n, r, u, _ in rows if u} <= usage


def test_types_carry_no_explicit_grant_to_an_api_role(cat):
    rows = cat.execute("""
        select t.oid::regtype::text, a.privilege_type, a.grantee::regrole::text
          from pg_type t cross join lateral aclexplode(t.typacl) a
         where t.typnamespace = any(%s::regnamespace[]) and t.typacl is not null
           and a.grantee in (select oid from pg_roles where rolname = any(%s))""",
                       (list(PRODUCT_SCHEMAS), list(API_ROLES))).fetchall()
    assert rows == []


def test_a_table_declared_later_gets_its_sequence_closed_too(cat):
    """S-RLS-9 under Supabase's legacy default privileges: a table created later, with its
    policy file's reset_table_security(), exposes neither the table nor its identity sequence."""
    with cat.transaction(force_rollback=True):
        cat.execute("create table public.probe (id bigint generated always as identity primary key)")
        cat.execute("select app_private.reset_table_security('public.probe')")
        seq = cat.execute("select pg_get_serial_sequence('public.probe', 'id')").fetchone()[0]
        held = cat.execute("""select r.rolname from pg_roles r where r.rolname = any(%s)
                               and (has_sequence_privilege(r.oid, %s, 'USAGE') or has_sequence_privilege(r.oid, %s, 'SELECT')
                                    or has_sequence_privilege(r.oid, %s, 'UPDATE'))""",
                           (list(API_ROLES), seq, seq, seq)).fetchall()
    assert held == []
