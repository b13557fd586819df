"""plpgsql_check in `migrate.py lint`: every PL/pgSQL function of sql/ passes with security,
performance and extra warnings on, or carries a declared justification; bad, then fixed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from dgskills_db import plpgsql_lint, runner

ROOT = Path(__file__).resolve().parents[2]

BAD = """
create or replace function app_private.count_rows(p_table text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare v bigint;
begin
    execute 'select count(*) from ' || p_table into v;
    return v;
end
$$;
"""

FIXED = BAD.replace("p_table text", "p_table regclass").replace(
    "execute 'select count(*) from ' || p_table into v;",
    "execute pg_catalog.format('select count(*) from %s', p_table) into v;")


def test_sql_passes_plpgsql_check_or_is_justified(server_dsn):
    issues = plpgsql_lint.check(server_dsn)
    assert [i.line() for i in issues if not i.justified] == []
    assert plpgsql_lint.stale_justifications(issues) == []


def test_injection_is_found_then_fixed(db):
    with db.connect() as c:
        c.execute(BAD)
        found = [i for i in plpgsql_lint.check_database(c) if i.function.startswith("app_private.count_rows")]
        assert [(i.level, i.justified) for i in found if i.level == "security"] == [("security", None)], found
        c.execute("drop function app_private.count_rows(text)")
        c.execute(FIXED)
        assert [i for i in plpgsql_lint.check_database(c)
                if i.function.startswith("app_private.count_rows") and i.level == "security"] == []
        # the check leaves nothing behind
        assert c.execute("select count(*) from pg_extension where extname = 'plpgsql_check'").fetchone()[0] == 0


def test_trigger_functions_are_checked_against_their_table(db):
    with db.connect() as c:
        c.execute("""create function app_private.bad_trg() returns trigger language plpgsql set search_path = '' as $$
                     begin new.no_such_column := 1; return new; end $$""")
        c.execute("create trigger bad_trg before insert on public.feedback for each row execute function app_private.bad_trg()")
        found = [i for i in plpgsql_lint.check_database(c) if i.function.startswith("app_private.bad_trg")]
        assert [i.level for i in found] == ["error"], found


def test_a_justification_without_its_finding_is_stale():
    issues = [plpgsql_lint.Issue(fn, 1, "security", msg, "", why) for (fn, msg), why in plpgsql_lint.JUSTIFIED.items()]
    assert plpgsql_lint.stale_justifications(issues) == []
    assert plpgsql_lint.stale_justifications([]) == sorted(plpgsql_lint.JUSTIFIED)


def test_lint_cli_fails_on_an_unjustified_finding(server_dsn, tmp_path):
    sql = tmp_path / "sql"
    shutil.copytree(runner.SQL_ROOT, sql)
    (sql / "functions" / "0999_count_rows.sql").write_text(BAD)
    issues = plpgsql_lint.check(server_dsn, sql)
    assert {i.function for i in issues if not i.justified} == {"app_private.count_rows(text)"}
    ok = subprocess.run([sys.executable, str(ROOT / "migrate.py"), "lint", "--dsn", server_dsn],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "plpgsql_check: 0 finding(s)" in ok.stdout
    broken = subprocess.run([sys.executable, str(ROOT / "migrate.py"), "lint", "--dsn",
                             "postgresql://nobody@127.0.0.1:1/none"], capture_output=True, text=True)
    assert broken.returncode == 2
    with psycopg.connect(server_dsn) as c:
        assert c.execute("select count(*) from pg_database where datname like 'dgskills_lint_%'").fetchone()[0] == 0
