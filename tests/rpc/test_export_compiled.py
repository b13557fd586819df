"""The compiled export (sql/functions/0400_export_my_data.sql): export_my_data() reads
through functions of static SQL compiled from the catalog at deploy, so that their plans
are cached. By class: on random platforms, for every persona, the compiled export equals
the dynamic catalog-driven one (same tables, same rows); after a deploy the compiled
export matches the catalog (else every export would take the slow path); and when the
catalog changes after the deploy (a table referencing users added by hand) the export
still holds it, by the dynamic path, audited once."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from personas import as_user
from rls.test_property_isolation import build, platforms
from rpc.test_erasure import HOW, staff_act_on_restricted_pupils
from rpc.test_export_scope import as_persona

EXAMPLES = 30
STALE = """create or replace function app_private.export_compiled_spec() returns text
           language sql immutable set search_path = '' as $$ select 'stale' $$"""


def normal(export: dict) -> dict:
    """The export without what differs between two calls: the time, the id of the export's
    own audit entry (a sequence is not rolled back); rows in a canonical order."""
    export = dict(export)
    export.pop("exported_at")
    data = {}
    for table, rows in export["data"].items():
        out = []
        for r in rows:
            if table == "audit_logs" and r.get("action") == "gdpr_data_export":
                r = {k: v for k, v in r.items() if k != "id"}
            out.append(json.dumps(r, sort_keys=True))
        data[table] = sorted(out)
    export["data"] = data
    return export


def test_deployed_compiled_export_matches_the_catalog(owner):
    spec, compiled = owner.execute(
        "select app_private.export_spec(), app_private.export_compiled_spec()").fetchone()
    assert spec and spec == compiled
    tables = owner.execute("select (app_private.export_compiled_tables()).tables").fetchone()[0]
    refs = owner.execute("""select array_agg(distinct ur.table_name order by ur.table_name)
                              from app_private.user_references() ur where ur.tbl <> 'public.users'::regclass""").fetchone()[0]
    assert tables == refs


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(p=platforms(), how=HOW)
def test_compiled_export_equals_the_dynamic_export(isolation_conn, p, how):
    conn = isolation_conn
    with conn.transaction(force_rollback=True):
        users, _, _ = build(conn, p)
        staff_act_on_restricted_pupils(conn, users, how)
        for v in users:
            exports = []
            for stale in (False, True):
                conn.execute("savepoint persona")
                if stale:
                    conn.execute(STALE)
                as_persona(conn, v["id"])
                exports.append(conn.execute("select public.export_my_data()").fetchone()[0])
                conn.execute("rollback to savepoint persona")
                conn.execute("reset role")
            compiled, dynamic = exports
            assert normal(compiled) == normal(dynamic), v["role"]
            assert sum(r["action"] == "gdpr_data_export" for r in compiled["data"]["audit_logs"]) == 1


def test_a_table_added_after_the_deploy_is_exported_by_the_dynamic_path(owner):
    import world as world_mod

    w = world_mod.build(owner)
    s = w.users["subject"]
    owner.execute("""create table public.added_by_hand (
                         id bigint generated always as identity primary key,
                         user_id uuid not null references public.users (id) on delete cascade,
                         note text not null)""")
    owner.execute("insert into public.added_by_hand (user_id, note) values (%s, 'mine')", (s,))
    before = owner.execute("select count(*) from public.audit_logs where subject_id = %s and action = 'gdpr_data_export'",
                           (s,)).fetchone()[0]
    assert owner.execute(
        "select app_private.export_spec() is distinct from app_private.export_compiled_spec()").fetchone()[0]
    owner.commit()
    with as_user(owner, s) as c:
        export = c.execute("select public.export_my_data()").fetchone()[0]
    assert [r["note"] for r in export["data"]["added_by_hand"]] == ["mine"]
    # audited once: not by the compiled pass that found itself stale
    assert sum(r["action"] == "gdpr_data_export" for r in export["data"]["audit_logs"]) == before + 1
    # a deploy compiles it in
    owner.execute("select app_private.export_compile()")
    owner.commit()
    with as_user(owner, s) as c:
        again = c.execute("select public.export_my_data()").fetchone()[0]
    assert owner.execute("select app_private.export_spec() = app_private.export_compiled_spec()").fetchone()[0]
    assert [r["note"] for r in again["data"]["added_by_hand"]] == ["mine"]


def test_a_deploy_adding_a_table_that_references_users_recompiles_the_export(db, tmp_path):
    """Not only a fresh build: a versioned file that adds a user reference to a deployed
    database makes `up` re-run the export's file, so the fast path stays the one taken; a
    secret-looking column of it is left out of the compiled export."""
    import shutil

    from dgskills_db import runner

    root = tmp_path / "sql"
    shutil.copytree(runner.SQL_ROOT, root)
    (root / "schema/9994_added.sql").write_text(
        "create table public.added_later (\n"
        "    id bigint generated always as identity primary key,\n"
        "    user_id uuid not null references public.users (id) on delete cascade,\n"
        "    reset_token text\n);\n"
        "alter table public.added_later enable row level security;\n")
    res = runner.up(db.dsn, root, reconcile_cron=False)
    assert "functions/0400_export_my_data.sql" in [a.file for a in res.applied]
    with db.connect() as c:
        spec, compiled = c.execute("select app_private.export_spec(), app_private.export_compiled_spec()").fetchone()
        assert "added_later" in spec and spec == compiled
        import world as world_mod

        s = world_mod.build(c).users["subject"]
        c.execute("insert into public.added_later (user_id, reset_token) values (%s, 'never exported')", (s,))
        c.commit()
        with as_user(c, s) as u:
            rows = u.execute("select public.export_my_data()").fetchone()[0]["data"]["added_later"]
        assert len(rows) == 1 and rows[0]["user_id"] == str(s) and "reset_token" not in rows[0]
