"""Checks a DBA relies on after a schema change: function bodies that no longer fit the
schema, always-true policies however they are spelled, and pg_cron jobs of dropped databases.
Each one bad, then fixed."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from conftest import cron_dsn_for
from dgskills_db import bodies, runner, verify
from tests.runner.test_runner import write_tree

ROOT = Path(__file__).resolve().parents[2]
RENAME = "alter table public.users rename column display_name to shown_name"
UNDO = "alter table public.users rename column shown_name to display_name"


def _plpgsql_check_available(conn) -> bool:
    return conn.execute("select exists (select from pg_available_extensions where name = 'plpgsql_check')").fetchone()[0]


@pytest.mark.parametrize("use_plpgsql_check", [True, False], ids=["plpgsql_check", "planning"])
def test_a_renamed_column_makes_the_functions_using_it_findings(db, use_plpgsql_check):
    conn = db.connect()
    if use_plpgsql_check and not _plpgsql_check_available(conn):
        pytest.skip("plpgsql_check is not installed on this server; the planning fallback is tested beside")
    assert bodies.check(conn, use_plpgsql_check) == []
    conn.execute(RENAME)
    found = bodies.check(conn, use_plpgsql_check)
    objects = {f.object for f in found}
    assert {"school_directory()", "app_private.export_subject(uuid)"} <= objects, found
    assert all(f.level == "ERROR" and f.name == "function_body_invalid" and "display_name" in f.detail
               for f in found)
    conn.execute(UNDO)
    assert bodies.check(conn, use_plpgsql_check) == []
    # the check left nothing behind
    assert conn.execute("select count(*) from pg_extension where extname = 'plpgsql_check'").fetchone()[0] == 0


def test_a_broken_sql_function_is_a_finding(db):
    conn = db.connect()
    conn.execute("create table public.tmp_src (a int)")
    conn.execute("create function public.tmp_f() returns int language sql as $$ select a from public.tmp_src $$")
    conn.execute("alter table public.tmp_src rename column a to b")
    assert [f.object for f in bodies.check(conn, False)] == ["tmp_f()"]


def test_verify_reports_broken_functions_and_does_not_crash(db):
    with db.connect() as c:
        c.execute(RENAME)
    res = subprocess.run([sys.executable, str(ROOT / "migrate.py"), "verify", "--dsn", db.dsn, "--json", "--no-drift"],
                         capture_output=True, text=True)
    assert res.returncode == 1, res.stderr
    found = json.loads(res.stdout)["findings"]
    names = {(f["name"], f["object"]) for f in found}
    assert ("function_body_invalid", "school_directory()") in names
    assert any(n == "export_coverage" and "fails" in f["detail"] for f in found for n in [f["name"]])


def test_up_refuses_a_deploy_that_breaks_functions_and_changes_nothing(empty_db, tmp_path):
    root = write_tree(tmp_path, {
        "schema/0001_t.sql": "create table public.t (a int);\n",
        "functions/0100_f.sql": """\
            create or replace function public.f() returns int language plpgsql as $$
            begin
                return (select a from public.t limit 1);
            end $$;
        """,
    })
    runner.up(empty_db.dsn, root)
    (root / "schema/0002_rename.sql").write_text("alter table public.t rename column a to b;\n")
    with pytest.raises(runner.BrokenFunctions) as ei:
        runner.up(empty_db.dsn, root)
    assert "f()" in str(ei.value) and "rolled back" in str(ei.value)
    with empty_db.connect() as c:
        assert c.execute("select attname from pg_attribute where attrelid = 'public.t'::regclass and attnum > 0"
                         ).fetchall() == [("a",)]
    (root / "functions/0100_f.sql").write_text(
        (root / "functions/0100_f.sql").read_text().replace("select a from", "select b from"))
    assert "schema/0002_rename.sql" in [a.file for a in runner.up(empty_db.dsn, root).applied]


@pytest.mark.parametrize("expr", [
    "user_id = (select auth.uid()) or true",
    "1 = 1",
    "true",
    "(select auth.uid()) is null or not false",
])
def test_a_select_policy_that_constant_folds_to_true_is_a_finding(db, expr):
    with db.connect() as c:
        c.execute(f"alter policy select_own on public.ai_survey_responses using ({expr})")
    found = [f for f in verify.run(db.dsn) if f.name == "rls_policy_always_true"]
    assert [f.object for f in found] == ["public.ai_survey_responses: policy select_own"], found
    with db.connect() as c:
        c.execute("alter policy select_own on public.ai_survey_responses using (user_id = (select auth.uid()))")
    assert [f for f in verify.run(db.dsn) if f.name == "rls_policy_always_true"] == []


def test_cron_jobs_of_a_dropped_database_are_a_finding(db):
    cdsn = cron_dsn_for(db.dsn)
    gone = f"dgskills_gone_{uuid.uuid4().hex[:8]}"
    name = f"dgskills.purge_feedback@{gone}"
    with psycopg.connect(cdsn, autocommit=True) as cc:
        cc.execute(f'create database "{gone}"')
        cc.execute("select cron.schedule_in_database(%s, '0 3 * * *', 'select 1', %s)", (name, gone))
        cc.execute(f'drop database "{gone}"')
        try:
            found = [f for f in verify.run(db.dsn) if f.name == "cron_job_stale"]
            assert [(f.object, f.level) for f in found] == [(name, "WARN")]
            assert gone in found[0].detail and "cron.unschedule" in found[0].remediation
        finally:
            cc.execute("select cron.unschedule(%s)", (name,))
    assert [f for f in verify.run(db.dsn) if f.name == "cron_job_stale"] == []
