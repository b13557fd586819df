"""splinter, Supabase's database linter (its Security and Performance Advisors): verify
implements every lint of its current set under splinter's name, so a user without Node
gets the advisor's verdict. Bad, then fixed, for each lint in checks/splinter/ (the lints
splinter shares with checks/ have theirs in test_verify_checks.py); and, where the project's
set-up installed it, Supabase's CLI run on the same defects as the oracle."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from urllib.parse import quote

import pytest
from psycopg.conninfo import conninfo_to_dict

from dgskills_db import runner, verify
from ecosystem import cli as supabase_cli

# splinter's lints/: the file stems its documentation links to.
UPSTREAM = {
    "0001_unindexed_foreign_keys", "0002_auth_users_exposed", "0003_auth_rls_initplan", "0004_no_primary_key",
    "0005_unused_index", "0006_multiple_permissive_policies", "0007_policy_exists_rls_disabled",
    "0008_rls_enabled_no_policy", "0009_duplicate_index", "0010_security_definer_view",
    "0011_function_search_path_mutable", "0013_rls_disabled_in_public", "0014_extension_in_public",
    "0015_rls_references_user_metadata", "0016_materialized_view_in_api", "0017_foreign_table_in_api",
    "0018_unsupported_reg_types", "0019_insecure_queue_exposed_in_api", "0020_table_bloat",
    "0021_fkey_to_auth_unique", "0022_extension_versions_outdated", "0023_sensitive_columns_exposed",
    "0024_rls_policy_always_true", "0025_public_bucket_allows_listing", "0026_pg_graphql_anon_table_exposed",
    "0027_pg_graphql_authenticated_table_exposed", "0028_anon_security_definer_function_executable",
    "0029_authenticated_security_definer_function_executable",
}

# (lint, object, defect, repair, other findings the defect also causes)
CASES = [
    ("auth_users_exposed", "public.user_emails",
     "create view public.user_emails as select id, email from auth.users; "
     "revoke all on public.user_emails from anon; grant select on public.user_emails to authenticated",
     "drop view public.user_emails", {"security_definer_view"}),
    ("unused_index", "public.feedback",
     "create index feedback_rating_idx on public.feedback (created_at, user_id)",
     "drop index public.feedback_rating_idx", set()),
    ("duplicate_index", "public.feedback",
     "create index feedback_user_id_again on public.feedback (user_id)",
     "drop index public.feedback_user_id_again", set()),
    ("rls_references_user_metadata", "public.feedback",
     "create policy select_by_metadata on public.feedback as restrictive for select to authenticated "
     "using (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'teacher')",
     "drop policy select_by_metadata on public.feedback", set()),
    ("materialized_view_in_api", "public.pupils_per_school",
     "create materialized view public.pupils_per_school as select school_id, count(*) from public.users group by 1; "
     "revoke all on public.pupils_per_school from anon, authenticated; grant select on public.pupils_per_school to anon",
     "drop materialized view public.pupils_per_school", set()),
    ("foreign_table_in_api", "public.remote_marks",
     "create foreign data wrapper scratch_fdw; create server scratch_srv foreign data wrapper scratch_fdw; "
     "create foreign table public.remote_marks (id int) server scratch_srv; "
     "revoke all on public.remote_marks from anon, authenticated; grant select on public.remote_marks to authenticated",
     "drop foreign table public.remote_marks; drop server scratch_srv; drop foreign data wrapper scratch_fdw", set()),
    ("unsupported_reg_types", "public.feedback",
     "alter table public.feedback add column handler regproc; comment on column public.feedback.handler is "
     "'Which procedure handles it. ROPA V-06. Retention: with the row.'",
     # a new column is also in no category of the processing register
     "alter table public.feedback drop column handler", {"register_column_uncovered"}),
    ("insecure_queue_exposed_in_api", "pgmq.q_marks",
     "create schema pgmq; create table pgmq.q_marks (msg_id bigint primary key, message jsonb); "
     "grant usage on schema pgmq to anon; grant select on pgmq.q_marks to anon; "
     "select set_config('x.db', current_database(), false); "
     "do $$ begin execute format('alter database %I set pgrst.db_schemas = %L', current_setting('x.db'), 'public, pgmq_public'); end $$",
     "revoke select on pgmq.q_marks from anon", set()),
    ("fkey_to_auth_unique", "app_private.mail_log",
     "create table app_private.mail_log (id int primary key, email varchar(255) references auth.users (email)); "
     "create index on app_private.mail_log (email)",
     # a log of e-mail addresses is personal data the processing register does not know either
     "drop table app_private.mail_log", {"register_table_activity_mismatch", "register_column_uncovered"}),
    ("extension_versions_outdated", "pg_trgm",
     "create schema extensions; create extension pg_trgm schema extensions version '1.5'",
     "alter extension pg_trgm update", set()),
    ("sensitive_columns_exposed", "public.logins",
     "create table public.logins (id int primary key, password text); "
     "comment on table public.logins is 'x. ROPA V-01. Legal basis: none. Retention: none.'; "
     "grant select on public.logins to anon",
     # (a new table holding passwords is, rightly, in no activity of the processing register either)
     "drop table public.logins", {"rls_disabled_in_public", "register_table_activity_mismatch",
                                  "register_column_uncovered"}),
    ("public_bucket_allows_listing", "storage.avatars",
     "create schema storage; create table storage.buckets (id text primary key, name text, public boolean); "
     "create table storage.objects (id uuid primary key, bucket_id text, name text); "
     "alter table storage.objects enable row level security; "
     "insert into storage.buckets values ('avatars', 'avatars', true); "
     "create policy list_avatars on storage.objects for select to anon using (bucket_id = 'avatars')",
     "drop policy list_avatars on storage.objects", set()),
    ("table_bloat", "app_private.bloat_probe",
     # > 20 MB of dead space, 70 times what the live rows need; autovacuum kept off it
     "create table app_private.bloat_probe (id int primary key, filler text) with (autovacuum_enabled = false); "
     "insert into app_private.bloat_probe select g, repeat('x', 200) from generate_series(1, 120000) as g; "
     "delete from app_private.bloat_probe where id > 10; analyze app_private.bloat_probe",
     "drop table app_private.bloat_probe", set()),
    ("authenticated_security_definer_function_executable", "public.grade_everything()",
     "create function public.grade_everything() returns int language sql security definer set search_path = '' "
     "as 'select 1'; revoke all on function public.grade_everything() from public, anon; "
     "grant execute on function public.grade_everything() to authenticated",
     "revoke execute on function public.grade_everything() from authenticated", set()),
]

# pg_graphql's lints need pg_graphql installed, which Debian's PostgreSQL does not ship: where
# it cannot be created, its row in pg_extension is stood in for, inside a transaction that is
# rolled back (the lints only ask whether the extension is there).
GRAPHQL_CASES = [
    ("pg_graphql_anon_table_exposed", "anon", "grant select on app_private.graphql_probe to anon"),
    # a column grant is enough for pg_graphql to list the table
    ("pg_graphql_authenticated_table_exposed", "authenticated",
     "grant select (label) on app_private.graphql_probe to authenticated"),
]


@pytest.fixture(autouse=True)
def deployed(db):
    runner.up(db.dsn)
    return db


def test_verify_implements_every_upstream_splinter_lint_under_its_name():
    assert set(verify.splinter_lints().values()) == UPSTREAM
    assert set(verify.splinter_lints()) <= set(verify.check_names())


def test_every_splinter_lint_of_ours_has_a_bad_then_fixed_case():
    ours = {p.stem.split("_", 1)[1] for p in verify.splinter_files()}
    assert ours == {c[0] for c in CASES} | {c[0] for c in GRAPHQL_CASES}


def test_deployed_schema_passes_every_splinter_lint_or_shows_its_waiver(db):
    found = verify.run(db.dsn, include_info=True)
    assert [f for f in found if f.level != "INFO"] == []
    waived = [f for f in found if f.waiver]
    assert waived and all(f.detail.startswith("waived: ") for f in waived)
    # only informational lints are INFO without a waiver
    assert {f.name for f in found if not f.waiver} <= {"unused_index"}


@pytest.mark.parametrize("name, obj, defect, repair, also", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_splinter_lint_bad_then_fixed(db, name, obj, defect, repair, also):
    def beyond_matrix_on_defect(f):
        # A defect that exposes an object to the API roles is also, by definition, a privilege
        # the access matrix does not give: api_role_privilege_beyond_matrix reports it too (and
        # has its own bad-then-fixed cases in test_verify_checks.py).
        return f.name == "api_role_privilege_beyond_matrix" and f.object.endswith(" " + obj)

    def keys(found):
        # unused_index follows the statistics collector (every index is unused until a query
        # uses it), so only its own case looks at it, and then at the index it creates
        return {(f.name, f.object, f.detail) for f in found
                if (f.name != "unused_index" or (name == "unused_index" and "feedback_rating_idx" in f.detail))
                and not beyond_matrix_on_defect(f)}

    before = keys(verify.run(db.dsn, include_info=True))
    with db.connect() as c:
        c.execute(defect)
    found = verify.run(db.dsn, include_info=True)
    new = keys(found) - before
    assert len([k for k in new if k[0] == name]) == 1 and {k[0] for k in new} == {name} | also, new
    assert any(k[:2] == (name, obj) for k in new), new
    level = next(f.level for f in found if (f.name, f.object, f.detail) in new and f.name == name)
    if level != "INFO":
        assert {f.name for f in verify.run(db.dsn) if not beyond_matrix_on_defect(f)} == {name} | also
    with db.connect() as c:
        c.execute(repair)
    assert keys(verify.run(db.dsn, include_info=True)) == before
    assert verify.run(db.dsn) == []


def test_pg_graphql_lints_run_when_pg_graphql_is_available(db):
    with db.connect() as c:
        if not c.execute("select exists (select from pg_available_extensions where name = 'pg_graphql')").fetchone()[0]:
            pytest.skip("pg_graphql is not available on this server (Supabase builds it; Debian does not): "
                        "pg_graphql_anon_table_exposed / pg_graphql_authenticated_table_exposed not exercised")
        c.execute("create extension pg_graphql")
    names = {f.name for f in verify.run(db.dsn)}
    assert "pg_graphql_anon_table_exposed" not in names


@pytest.mark.parametrize("name, role, defect", GRAPHQL_CASES, ids=[c[0] for c in GRAPHQL_CASES])
def test_pg_graphql_lint_bad_then_fixed(db, name, role, defect):
    def found(conn):
        return {f.object for f in verify._sql_checks(conn) if f.name == name}

    with db.connect(autocommit=False) as c:
        if c.execute("select exists (select from pg_available_extensions where name = 'pg_graphql')").fetchone()[0]:
            c.execute("create extension if not exists pg_graphql")
        else:
            c.execute("insert into pg_catalog.pg_extension (oid, extname, extowner, extnamespace, extrelocatable, "
                      "extversion) select (max(oid::int8) + 1)::text::oid, 'pg_graphql', 10, "
                      "'pg_catalog'::regnamespace, false, 'stand-in' from pg_catalog.pg_extension")
        c.execute("create table app_private.graphql_probe (id int primary key, label text)")
        before = found(c)
        assert "app_private.graphql_probe" not in before
        c.execute(defect)
        assert found(c) - before == {"app_private.graphql_probe"}
        c.execute(f"revoke select on app_private.graphql_probe from {role}; "
                  f"revoke select (label) on app_private.graphql_probe from {role}")
        assert found(c) == before
        c.rollback()


def test_supabase_cli_agrees_on_every_bad_case(db):
    """All bad cases at once; Supabase's CLI (its own splinter) and verify find the same objects
    for each lint of checks/splinter/ that the CLI's splinter has (a pinned CLI may predate some)."""
    exe, why = supabase_cli.find()
    if exe is None:
        pytest.skip(why)
    with db.connect() as c:
        for case in CASES:
            c.execute(case[2])
    p = conninfo_to_dict(db.dsn)
    auth = quote(p.get("user", "postgres")) + (":" + quote(p["password"], safe="") if p.get("password") else "")
    url = f"postgresql://{auth}@{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{p['dbname']}?sslmode=disable"
    env = {**os.environ, "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1"}
    res = subprocess.run([str(exe), "db", "advisors", "--db-url", url, "--level", "info",
                          "--output-format", "json"], capture_output=True, text=True, env=env, timeout=300,
                         cwd=tempfile.gettempdir())
    assert res.returncode == 0, res.stderr
    ours_names = {p.stem.split("_", 1)[1] for p in verify.splinter_files()} - {"unused_index"}

    def obj(meta):
        return f"{meta['schema']}.{meta['name']}" if "schema" in meta else meta.get("extension_name", meta.get("name"))

    theirs = {(r["name"], obj(r["metadata"])) for r in json.loads(res.stdout)["results"] if r["name"] in ours_names}
    compared = {n for n, _ in theirs}
    ours = {(f.name, f.object.split("(")[0]) for f in verify.run(db.dsn, include_info=True) if f.name in compared}
    assert theirs == ours
    # the oracle is not vacuous: the CLI's splinter knows most of the bad cases' lints
    assert len(compared) >= 8, compared
