"""plpgsql_check over every PL/pgSQL function and procedure of sql/ (`migrate.py lint`).

plpgsql_check (Debian `postgresql-15-plpgsql-check`) is what `supabase db lint` runs. Here it
runs with its security, performance and extra warnings on, over a fresh build of `sql/` in a
scratch database of the given server (the linting user needs CREATEDB and the right to create
the extension), trigger functions against each table that uses them. Every finding fails
`lint` unless it is declared below with the reason it is safe; a declaration that no longer
matches a finding fails too, so none outlives its cause.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import psycopg

from .dsn import with_dbname

SCHEMAS = ("public", "app_private")

# (function, plpgsql_check message) -> why it is safe. Kept short and exact.
JUSTIFIED: dict[tuple[str, str], str] = {
    ("app_private.export_user(uuid)", "the expression is not SQL injection safe"):
        "the statement is one of two constant templates; the table is a regclass (quoted by its output "
        "function) and the WHERE clause is built only of %I-quoted column names from the catalog "
        "(app_private.user_references()); the subject's id and the secret columns are bound with USING",
}


@dataclasses.dataclass(frozen=True)
class Issue:
    function: str
    lineno: int | None
    level: str  # error | warning | warning extra | performance | security
    message: str
    detail: str
    justified: str | None = None

    def line(self) -> str:
        where = f"{self.function}:{self.lineno}" if self.lineno else self.function
        text = f"{where}: {self.level}: {self.message}" + (f" ({self.detail})" if self.detail else "")
        return text + (f" — justified: {self.justified}" if self.justified else "")


class LintError(RuntimeError):
    """plpgsql_check could not run (exit 2)."""


_QUERY = """
select p.oid::regprocedure::text, t.lineno, t.level, t.message, coalesce(t.detail, '')
from pg_catalog.pg_proc as p
join pg_catalog.pg_language as l on l.oid = p.prolang and l.lanname = 'plpgsql'
left join lateral (
    select g.tgrelid from pg_catalog.pg_trigger as g where g.tgfoid = p.oid order by g.tgrelid limit 1
) as g on true
cross join lateral plpgsql_check_function_tb(
    p.oid, coalesce(g.tgrelid, 0),
    fatal_errors => false, security_warnings => true, performance_warnings => true, extra_warnings => true
) as t
where p.pronamespace = any (%s::regnamespace[])
  and (p.prorettype <> 'pg_catalog.trigger'::regtype or g.tgrelid is not null)
order by 1, 2
"""


def check_database(conn: psycopg.Connection) -> list[Issue]:
    """plpgsql_check over the functions of an already built database (creates the extension
    in a transaction that is rolled back)."""
    out = []
    with conn.transaction(force_rollback=True):
        conn.execute("create extension if not exists plpgsql_check")
        for fn, lineno, level, message, detail in conn.execute(_QUERY, (list(SCHEMAS),)).fetchall():
            out.append(Issue(fn, lineno, level, message, detail, JUSTIFIED.get((fn, message))))
    return out


def stale_justifications(issues: list[Issue]) -> list[tuple[str, str]]:
    seen = {(i.function, i.message) for i in issues}
    return sorted(k for k in JUSTIFIED if k not in seen)


def check(dsn: str, sql_root: Path | None = None) -> list[Issue]:
    """Build sql/ into a scratch database of the server at `dsn`, check it, drop it."""
    from . import runner

    scratch = f"dgskills_lint_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            if not c.execute("select exists (select from pg_catalog.pg_available_extensions "
                             "where name = 'plpgsql_check')").fetchone()[0]:
                raise LintError("plpgsql_check is not installed on this server "
                                "(Debian: postgresql-15-plpgsql-check; `make setup` installs it)")
            c.execute(f'create database "{scratch}"')
    except psycopg.Error as exc:
        raise LintError(f"cannot create a scratch database for plpgsql_check: {exc.diag.message_primary or exc}") from exc
    try:
        scratch_dsn = with_dbname(dsn, scratch)
        runner.up(scratch_dsn, sql_root or runner.SQL_ROOT, reconcile_cron=False)
        with psycopg.connect(scratch_dsn, autocommit=True) as c:
            return check_database(c)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')
