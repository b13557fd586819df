"""The migration runner against a real server: ordering, atomicity, locking, edits, kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

from dgskills_db import runner
from dgskills_db.sqlfiles import SqlFileError, checksum
from personas import as_anon, as_service, as_user

ROOT = Path(__file__).resolve().parents[2]


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return root


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "migrate.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def history(conn) -> list[tuple[str, str]]:
    if not conn.execute("select to_regclass('dgskills_migrate.history') is not null").fetchone()[0]:
        return []
    return conn.execute("select file, kind from dgskills_migrate.history order by id").fetchall()


def tables(conn, schema="public") -> set[str]:
    return {r[0] for r in conn.execute(
        "select tablename from pg_tables where schemaname = %s", (schema,)).fetchall()}


SMALL = {
    "schema/0001_a.sql": "create table public.a (id int primary key);\n",
    "schema/0002_b.sql": "create table public.b (id int primary key, a_id int references public.a);\n",
    "functions/0100_f.sql": "create or replace function public.f() returns int language sql as $$ select 1 $$;\n",
}


def test_up_applies_in_order_and_second_up_is_a_noop(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    res = runner.up(empty_db.dsn, root)
    assert [a.file for a in res.applied] == [
        "auth shim (S-AUTH-1)", "schema/0001_a.sql", "schema/0002_b.sql", "functions/0100_f.sql"]
    again = runner.up(empty_db.dsn, root)
    assert again.noop and again.applied == []
    out = cli("up", "--dsn", empty_db.dsn, "--sql-dir", str(root))
    assert out.returncode == 0 and "Nothing to do" in out.stdout


def test_the_whole_project_deploys_and_redeploys_as_a_noop(empty_db):
    first = runner.up(empty_db.dsn)
    assert len(first.applied) > 40
    assert runner.up(empty_db.dsn).noop


def test_numeric_order_not_lexical(empty_db, tmp_path):
    root = write_tree(tmp_path, {
        "schema/10_second.sql": "create table public.t2 (id int references public.t1);\n",
        "schema/9_first.sql": "create table public.t1 (id int primary key);\n",
    })
    runner.up(empty_db.dsn, root)
    with empty_db.connect() as c:
        assert [f for f, _ in history(c)] == ["schema/9_first.sql", "schema/10_second.sql"]


def test_failure_half_way_leaves_nothing_and_names_file_and_line(empty_db, tmp_path):
    root = write_tree(tmp_path, {
        **SMALL,
        "schema/0003_bad.sql": """\
            create table public.c (id int primary key);
            insert into public.c values (1);

            insert into public.c values (1);
        """,
    })
    with pytest.raises(runner.ApplyError) as ei:
        runner.up(empty_db.dsn, root)
    err = ei.value
    assert err.file == "schema/0003_bad.sql" and err.line == 4 and err.sqlstate == "23505"
    with empty_db.connect() as c:
        assert tables(c) == set()
        assert history(c) == []
        assert not c.execute("select exists (select from pg_namespace where nspname = 'auth')").fetchone()[0]
    out = cli("up", "--dsn", empty_db.dsn, "--sql-dir", str(root))
    assert out.returncode == 1
    assert "schema/0003_bad.sql:4" in out.stderr and "rolled back" in out.stderr


def test_edited_applied_file_is_refused_by_name_and_shown_by_status(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    runner.up(empty_db.dsn, root)
    (root / "schema/0001_a.sql").write_text("create table public.a (id bigint primary key);\n")
    with pytest.raises(runner.EditedFiles, match="schema/0001_a.sql"):
        runner.up(empty_db.dsn, root)
    out = cli("up", "--dsn", empty_db.dsn, "--sql-dir", str(root))
    assert out.returncode == runner.EXIT_EDITED and "schema/0001_a.sql" in out.stderr
    st = cli("status", "--dsn", empty_db.dsn, "--sql-dir", str(root), "--json")
    assert st.returncode == runner.EXIT_EDITED
    assert json.loads(st.stdout)["edited"] == ["schema/0001_a.sql"]


def test_line_endings_do_not_count_as_an_edit(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    runner.up(empty_db.dsn, root)
    p = root / "schema/0001_a.sql"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    assert runner.up(empty_db.dsn, root).noop
    assert checksum("a\r\nb") == checksum("a\nb")


def test_repeatable_reapplied_only_when_changed(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    runner.up(empty_db.dsn, root)
    assert runner.up(empty_db.dsn, root).noop
    (root / "functions/0100_f.sql").write_text(
        "create or replace function public.f() returns int language sql as $$ select 2 $$;\n")
    res = runner.up(empty_db.dsn, root)
    assert [a.file for a in res.applied] == ["functions/0100_f.sql"]
    with empty_db.connect() as c:
        assert c.execute("select public.f()").fetchone()[0] == 2
    assert runner.up(empty_db.dsn, root).noop


def test_new_versioned_file_reapplies_only_the_repeatables_whose_objects_differ(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    runner.up(empty_db.dsn, root)
    (root / "schema/0003_c.sql").write_text("create table public.c (id int);\n")
    res = runner.up(empty_db.dsn, root)
    assert [a.file for a in res.applied] == ["schema/0003_c.sql"] and res.unchanged == ["functions/0100_f.sql"]
    (root / "schema/0004_drop_f.sql").write_text("drop function public.f();\n")
    res = runner.up(empty_db.dsn, root)
    assert [a.file for a in res.applied] == ["schema/0004_drop_f.sql", "functions/0100_f.sql"]


@pytest.mark.parametrize("stmt, word", [
    ("create index concurrently a_idx on public.a (id);", "CONCURRENTLY"),
    ("vacuum public.a;", "VACUUM"),
    ("begin;", "transaction control"),
    ("commit;", "transaction control"),
])
def test_statements_that_cannot_run_in_a_transaction_are_refused_before_anything_runs(empty_db, tmp_path, stmt, word):
    root = write_tree(tmp_path, {**SMALL, "schema/0003_x.sql": f"select 1;\n{stmt}\n"})
    with pytest.raises(SqlFileError, match=word) as ei:
        runner.up(empty_db.dsn, root)
    assert "schema/0003_x.sql:2" in str(ei.value)
    with empty_db.connect() as c:
        assert history(c) == [] and tables(c) == set()


def test_two_runners_at_once_apply_everything_exactly_once(empty_db, tmp_path):
    root = write_tree(tmp_path, {**SMALL, "schema/0003_slow.sql": "select pg_sleep(2);\n"})
    args = [sys.executable, str(ROOT / "migrate.py"), "up", "--dsn", empty_db.dsn, "--sql-dir", str(root)]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 0], outs
    assert sum("Nothing to do" in o[0] for o in outs) == 1, outs
    with empty_db.connect() as c:
        files = [f for f, _ in history(c)]
    assert sorted(files) == sorted(set(files)) and len(files) == 4


def test_lock_held_longer_than_lock_timeout_gives_the_lock_message(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    with psycopg.connect(empty_db.dsn, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(%s)", (runner.LOCK_KEY,))
        out = cli("up", "--dsn", empty_db.dsn, "--sql-dir", str(root), "--lock-timeout", "1")
    assert out.returncode == runner.EXIT_LOCKED
    assert "another migrate.py" in out.stderr and "--lock-timeout" in out.stderr
    with empty_db.connect() as c:
        assert history(c) == []


def test_runner_killed_while_applying_leaves_the_database_consistent(empty_db, tmp_path):
    root = write_tree(tmp_path, {**SMALL, "schema/0003_slow.sql": "create table public.c (id int);\nselect pg_sleep(30);\n"})
    proc = subprocess.Popen([sys.executable, str(ROOT / "migrate.py"), "up", "--dsn", empty_db.dsn,
                             "--sql-dir", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with psycopg.connect(empty_db.dsn, autocommit=True) as c:
        deadline = time.monotonic() + 30
        while not c.execute("select exists (select from pg_stat_activity where query like 'select pg_sleep(30)%%')").fetchone()[0]:
            assert time.monotonic() < deadline, "the runner never reached the slow statement"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # The server notices the dead client and rolls back; the lock goes with the session.
        deadline = time.monotonic() + 60
        while c.execute("select exists (select from pg_stat_activity where application_name = 'dgskills-migrate')").fetchone()[0]:
            c.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'dgskills-migrate'")
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert history(c) == [] and tables(c) == set()
    (root / "schema/0003_slow.sql").write_text("create table public.c (id int);\n")
    res = runner.up(empty_db.dsn, root)
    assert len(res.applied) == 5
    with empty_db.connect() as c:
        assert tables(c) == {"a", "b", "c"}


def test_existing_auth_schema_is_left_untouched(empty_db, tmp_path):
    with empty_db.connect() as c:
        c.execute("""
            create schema auth;
            create table auth.users (id uuid primary key, marker text default 'hosted');
            create function auth.uid() returns uuid language sql stable as $$ select null::uuid $$;
            insert into auth.users (id) values (gen_random_uuid());
        """)
        before = c.execute("select pg_get_functiondef('auth.uid()'::regprocedure)").fetchone()[0]
    root = write_tree(tmp_path, SMALL)
    res = runner.up(empty_db.dsn, root)
    assert not res.shim_installed
    with empty_db.connect() as c:
        assert c.execute("select pg_get_functiondef('auth.uid()'::regprocedure)").fetchone()[0] == before
        assert c.execute("select marker from auth.users").fetchone()[0] == "hosted"
        assert c.execute("select to_regprocedure('auth.jwt()') is null").fetchone()[0]


def test_shim_identity_functions_read_the_claims_as_postgrest_sets_them(db):
    conn = db.connect()
    uid = "6f1d2c3b-1111-4222-8333-944455556666"
    with as_user(conn, uid) as c:
        row = c.execute("select auth.uid()::text, auth.role(), auth.jwt() ->> 'aud', current_user").fetchone()
        assert row == (uid, "authenticated", "authenticated", "authenticated")
    with as_anon(conn) as c:
        assert c.execute("select auth.uid(), auth.role(), current_user").fetchone() == (None, "anon", "anon")
    with as_service(conn) as c:
        assert c.execute("select auth.role(), current_user").fetchone() == ("service_role", "service_role")
    # No claims at all: null identity.
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('role', 'authenticated', true)")
        assert conn.execute("select auth.uid(), auth.role()").fetchone() == (None, None)


def test_shim_roles_have_supabase_attributes(db):
    with db.connect() as c:
        rows = dict(c.execute("""select rolname, (rolcanlogin, rolinherit, rolbypassrls)::text from pg_roles
                                  where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')""").fetchall())
    assert rows == {"anon": "(f,f,f)", "authenticated": "(f,f,f)", "service_role": "(f,f,t)",
                    "authenticator": "(t,f,f)"}
