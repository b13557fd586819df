"""`migrate.py gen pgtap`: the access matrix, the isolation and the catalog checks as pgTAP
files a DBA runs with `pg_prove` against their own server.

Each file is self-contained and leaves nothing behind: one transaction that creates pgTAP
if missing, loads the fixture platform of dgskills_db/world.py (the same one the Python tests
build, built in a scratch database and dumped), runs its tests and rolls back. Identity is set exactly as PostgREST sets
it (`role` and `request.jwt.claims` with set_config(..., true)); every cell first checks that
the effective role is subject to row-level security. Run them as the deploying role (the
owner of the tables: the fixture is loaded with user triggers disabled).

  010_access_matrix.sql  every cell of the access matrix (declarations/access.toml): allowed,
                         filtered, refused by policy (WITH CHECK) or no privilege (grant)
  020_isolation.sql      no persona of another school sees any row that references a user of
                         the subject's school, in any table (foreign keys read from the catalog)
  030_catalog.sql        every verify catalog check (splinter's lints included) finds nothing
                         beyond the declared waivers
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
from psycopg import ClientCursor

from .. import declarations, runner, verify, world as world_mod
from ..dsn import with_dbname

FILES = ("010_access_matrix.sql", "020_isolation.sql", "030_catalog.sql")


# -- the fixture -----------------------------------------------------------------------

def _tables_in_fk_order(conn) -> list[str]:
    rows = conn.execute(
        """select pg_catalog.format('%I.%I', n.nspname, c.relname),
                  coalesce(array_agg(distinct pg_catalog.format('%I.%I', fn.nspname, f.relname))
                           filter (where k.confrelid is not null and k.confrelid <> c.oid), '{}')
             from pg_catalog.pg_class c
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             left join pg_catalog.pg_constraint k on k.conrelid = c.oid and k.contype = 'f'
             left join pg_catalog.pg_class f on f.oid = k.confrelid
             left join pg_catalog.pg_namespace fn on fn.oid = f.relnamespace
            where c.relkind in ('r', 'p') and (c.relnamespace = 'public'::regnamespace or c.oid = 'auth.users'::regclass)
            group by n.nspname, c.relname""").fetchall()
    deps = {t: set(d) for t, d in rows}
    order: list[str] = []
    while deps:
        ready = sorted(t for t, d in deps.items() if not (d & deps.keys()))
        if not ready:
            raise RuntimeError(f"foreign key cycle among {sorted(deps)}")
        order += ready
        for t in ready:
            del deps[t]
    return order


def _dump(conn, tables: list[str]) -> list[str]:
    out = []
    for t in tables:
        cols = [r[0] for r in conn.execute(
            """select pg_catalog.quote_ident(a.attname) from pg_catalog.pg_attribute a
                where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                order by a.attnum""", (t,)).fetchall()]
        data = conn.execute(f"select coalesce(json_agg(t), '[]') from {t} t").fetchone()[0]
        if not data:
            continue
        collist = ", ".join(cols)
        out.append(f"insert into {t} ({collist}) overriding system value\n"
                   f"select {collist} from pg_catalog.json_populate_recordset(null::{t}, $fixture${json.dumps(data)}$fixture$);")
    return out


def build_fixture(dsn: str):
    """(SQL statements that load the fixture, the World) — built in a scratch database of the
    server at `dsn` and dumped."""
    scratch = f"dgskills_pgtap_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'create database "{scratch}"')
    try:
        sdsn = with_dbname(dsn, scratch)
        runner.up(sdsn, reconcile_cron=False)
        with psycopg.connect(sdsn, autocommit=True) as c:
            world = world_mod.build(c)
            refs = _user_references(c)
            tables = _tables_in_fk_order(c)
            stmts = _dump(c, tables)
            sequenced = _identity_columns(c, tables)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')
    load = [f"alter table {t} disable trigger user;" for t in tables] + stmts + \
        [f"alter table {t} enable trigger user;" for t in tables] + [
        f"select pg_catalog.setval(s, coalesce((select max({c}) from {t}), 0) + 1, false) "
        f"from pg_catalog.pg_get_serial_sequence('{t}', '{c}') as s where s is not null;"
        for t, c in sequenced]
    return load, world, refs


def _user_references(conn) -> list[tuple[str, list[str]]]:
    """(table in public, its columns that reference an account), from the catalog."""
    return conn.execute(
        """select c.relname::text, array_agg(a.attname::text order by a.attname)
             from pg_catalog.pg_constraint k
             join pg_catalog.pg_class c on c.oid = k.conrelid
             join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
            where k.contype = 'f' and k.confrelid in ('public.users'::regclass, 'auth.users'::regclass)
              and c.relnamespace = 'public'::regnamespace
            group by c.relname order by c.relname""").fetchall()


def _identity_columns(conn, tables: list[str]) -> list[tuple[str, str]]:
    """(table, column) of every column in `tables` fed by a sequence (identity or serial)."""
    rows = conn.execute(
        """select pg_catalog.format('%I.%I', n.nspname, c.relname), a.attname::text
             from pg_catalog.pg_attribute a
             join pg_catalog.pg_class c on c.oid = a.attrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
              and pg_catalog.pg_get_serial_sequence(pg_catalog.format('%I.%I', n.nspname, c.relname),
                                                    a.attname) is not null""").fetchall()
    return [(t, col) for t, col in rows if t in tables]


# -- cells -----------------------------------------------------------------------------

def _claims(role: str, sub) -> str:
    c = {"role": role, "aud": "authenticated" if role == "authenticated" else role}
    if sub is not None:
        c["sub"] = str(sub)
    return json.dumps(c)


def _as(role: str, sub) -> str:
    """The plpgsql that sets identity as PostgREST does and refuses to go on unless RLS applies."""
    return (f"    perform pg_catalog.set_config('role', '{role}', true),\n"
            f"            pg_catalog.set_config('request.jwt.claims', '{_claims(role, sub)}', true);\n"
            "    if exists (select from pg_catalog.pg_roles r where r.rolname = current_user\n"
            "               and (r.rolsuper or (r.rolbypassrls and r.rolname <> 'service_role')))\n"
            "       or exists (select from pg_catalog.pg_class c where c.relnamespace = 'public'::regnamespace\n"
            "                  and pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')) then\n"
            "        raise exception 'the effective role % is not subject to row-level security', current_user;\n"
            "    end if;\n")


def _cell(test: str, role: str, sub, attempt: str, expected: str, before: str | None = None) -> str:
    q = lambda s: "$q$" + s + "$q$"  # noqa: E731
    body = {
        "S": f"        execute {q(attempt)} into n;\n        o := case when n > 0 then 'allowed' else 'filtered' end;\n",
        "I": f"        execute {q(attempt)};\n        o := 'allowed';\n",
        "UD": f"        execute {q(attempt)};\n        get diagnostics n = row_count;\n"
              "        o := case when n > 0 then 'allowed' else 'filtered' end;\n",
    }
    kind = "S" if attempt.lstrip().lower().startswith("select") else "I" if attempt.lstrip().lower().startswith("insert") else "UD"
    return (
        "savepoint cell;\n" + (before + ";\n" if before else "")
        + "do $cell$\ndeclare n bigint; o text;\nbegin\n" + _as(role, sub)
        + "    begin\n" + body[kind]
        + "    exception when insufficient_privilege then\n"
          "        o := case when sqlerrm like '%row-level security%' then 'refused by policy' else 'no privilege' end;\n"
          "    end;\n"
          "    perform pg_catalog.set_config('dgskills.outcome', o, true);\nend\n$cell$;\n"
        + "select pg_catalog.current_setting('dgskills.outcome') as outcome \\gset\n"
        + "rollback to savepoint cell;\n"
        + f"select is(:'outcome'::text, '{expected}'::text, {_lit(test)});\n"
    )


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _file(title: str, fixture: list[str], tests: list[str]) -> str:
    return "\n".join([
        f"-- {title}",
        "-- Generated by `migrate.py gen pgtap`; run with pg_prove as the deploying role. Leaves nothing behind.",
        "\\set ON_ERROR_STOP 1",
        "begin;",
        # pgTAP in a schema of its own (rolled back with the rest) unless the server has it already
        "create schema if not exists tap;",
        "create extension if not exists pgtap with schema tap;",
        "set local search_path = tap, extensions, public, pg_catalog;",
        *fixture,
        f"select plan({len(tests)});",
        *tests,
        "select * from finish();",
        "rollback;",
        "",
    ])


def matrix_file(conn, fixture: list[str], world) -> str:
    m = declarations.access_matrix()
    tests = []
    cur = ClientCursor(conn)
    for cell in m.cells:
        p = world_mod.params(world, cell.table, cell.persona)
        sql, before = world_mod.probe(cell.table, cell.action)
        tests.append(_cell(f"{cell.persona}/{cell.action}/{cell.table}", m.persona(cell.persona).role,
                           world.users.get(cell.persona), cur.mogrify(sql, p), cell.outcome,
                           cur.mogrify(before, p) if before else None))
    return _file("Access matrix (declarations/access.toml): every cell, as PostgREST sets identity", fixture, tests)


def isolation_file(refs, fixture: list[str], world) -> str:
    """Other-school personas see no row that references a user of school A (catalog FKs)."""
    school_a_users = [str(v) for k, v in world.users.items()
                      if k in ("subject", "student-same-school", "teacher-same-school", "other-class-teacher", "admin-same-school",
                               "bystander-pupil")]
    ids = "array[" + ", ".join(f"'{i}'::uuid" for i in school_a_users) + "]"
    tests = []
    for persona in ("teacher-other-school", "admin-other-school", "student-other-school"):
        for table, cols in refs:
            where = " or ".join(f"{c} = any ({ids})" for c in cols)
            tests.append(_cell(f"{persona} sees no row of school A in {table}", "authenticated",
                               world.users[persona], f"select count(*) from public.{table} where {where}",
                               declarations.FILTERED))
    return _file("Isolation: nothing of one school is visible to another school's users", fixture, tests)


def catalog_file() -> str:
    tests = []
    waived = ("(select w.check_name, w.object from app_private.verify_waiver as w"
              " union all select r.check_name, r.object from app_private.verify_waiver_rule as r)")
    for path in verify.check_files() + verify.splinter_files():
        name = path.stem.split("_", 1)[1]
        body = path.read_text().strip().rstrip(";")
        what = "splinter lint " if path.parent == verify.SPLINTER_DIR else "verify check "
        tests.append(f"select is_empty($check$select * from ({body}\n) as f where f.level <> 'INFO' "
                     f"and (f.name, f.object) not in {waived}$check$, {_lit(what + name)});")
    pre = [f"select pg_catalog.set_config('pgrst.db_schemas', coalesce(nullif(pg_catalog.current_setting("
           f"'pgrst.db_schemas', true), ''), {_lit(verify.DEFAULT_API_SCHEMAS)}), true);"]
    return _file("Catalog checks: what `migrate.py verify` checks, splinter's lints included", pre, tests)


def generate(dsn: str, out_dir: Path) -> list[Path]:
    """Write the pgTAP files into out_dir (a server is needed to build the fixture)."""
    fixture, world, refs = build_fixture(dsn)
    with psycopg.connect(dsn) as conn:
        texts = {FILES[0]: matrix_file(conn, fixture, world), FILES[1]: isolation_file(refs, fixture, world),
                 FILES[2]: catalog_file()}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        p = out_dir / name
        p.write_text(texts[name])
        written.append(p)
    return written
