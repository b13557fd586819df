"""Function bodies that no longer fit the schema (`function_body_invalid`).

PostgreSQL checks a PL/pgSQL body only for syntax when it is created; a column renamed
later breaks the function at run time. Every function of the project's schemas is
checked against the live catalog:

- PL/pgSQL with ``plpgsql_check`` when the server has it (it is created for the check in
  a savepoint that is rolled back, so the database is left as it was), else by planning
  each SQL statement of the body (parsed by pglast): variables and parameters become typed
  NULLs and the statement is EXPLAINed, which resolves every table, column and function
  without running anything;
- SQL functions by re-validating their definition with ``check_function_bodies`` on, in a
  savepoint that is rolled back.

Only unresolvable names are errors (undefined table, column, function, type, object):
what a rename or a drop leaves behind.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from .findings import Finding

SCHEMAS = ("public", "app_private")
NAME = "function_body_invalid"
# What a dangling reference raises: undefined column/table/function/object/type, no such record field.
DANGLING = {"42703", "42P01", "42883", "42704", "42P02"}
REMEDIATION = "fix the function in sql/functions/ in the same deploy as the schema change, or revert that change"

_FUNCTIONS = """
select p.oid, p.oid::regprocedure::text, l.lanname, p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype,
       (select t.tgrelid from pg_catalog.pg_trigger t where t.tgfoid = p.oid order by t.oid limit 1),
       coalesce(p.proargnames, '{}'), array(select pg_catalog.format_type(a, null)
                                              from pg_catalog.unnest(p.proargtypes::oid[]) a),
       (select c from pg_catalog.unnest(p.proconfig) c where c like 'search_path=%%')
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.pg_language l on l.oid = p.prolang
 where n.nspname = any(%s) and l.lanname in ('plpgsql', 'sql') and p.prokind in ('f', 'p')
   and not exists (select from pg_catalog.pg_depend d
                    where d.objid = p.oid and d.classid = 'pg_catalog.pg_proc'::regclass and d.deptype = 'e')
 order by 2
"""


def check(conn: psycopg.Connection, use_plpgsql_check: bool | None = None) -> list[Finding]:
    """Findings for every function whose body references something that does not exist.

    Runs in a transaction (or savepoint) that is rolled back. `use_plpgsql_check` None means:
    when the server offers it."""
    out: list[Finding] = []
    with conn.transaction(force_rollback=True):
        funcs = conn.execute(_FUNCTIONS, (list(SCHEMAS),)).fetchall()
        schema = _plpgsql_check_schema(conn) if use_plpgsql_check in (None, True) else None
        if use_plpgsql_check and schema is None:
            raise RuntimeError("plpgsql_check was asked for but is not available on this server")
        for oid, name, lang, is_trigger, trig_rel, argnames, argtypes, search_path in funcs:
            if lang == "sql":
                out += _check_sql(conn, oid, name)
            elif schema is not None:
                out += _check_plpgsql_check(conn, schema, oid, name, is_trigger, trig_rel)
            else:
                out += _check_plpgsql_plans(conn, oid, name, argnames, argtypes, search_path)
    return out


def _finding(name: str, where: str, sqlstate: str, message: str) -> Finding:
    return Finding(NAME, "ERROR", name, f"{where}{message} (SQLSTATE {sqlstate}): the function fails when it runs",
                   REMEDIATION)


def _plpgsql_check_schema(conn: psycopg.Connection) -> str | None:
    row = conn.execute("""select n.nspname from pg_catalog.pg_extension e
                            join pg_catalog.pg_namespace n on n.oid = e.extnamespace
                           where e.extname = 'plpgsql_check'""").fetchone()
    if row:
        return row[0]
    if not conn.execute("select exists (select from pg_catalog.pg_available_extensions "
                        "where name = 'plpgsql_check')").fetchone()[0]:
        return None
    try:
        with conn.transaction():
            conn.execute("create schema dgskills_plpgsql_check")
            conn.execute("create extension plpgsql_check schema dgskills_plpgsql_check")
    except psycopg.Error:
        return None  # not allowed to create it: fall back to planning
    return "dgskills_plpgsql_check"


def _check_plpgsql_check(conn, schema, oid, name, is_trigger, trig_rel) -> list[Finding]:
    if is_trigger and trig_rel is None:
        return []  # a trigger function attached to no table cannot be checked (and cannot run)
    rows = conn.execute(
        f'select lineno, sqlstate, message, level from "{schema}".plpgsql_check_function_tb(%s, %s)',
        (oid, trig_rel or 0)).fetchall()
    return [_finding(name, f"line {lineno} of the body: " if lineno else "", sqlstate, message)
            for lineno, sqlstate, message, level in rows if level == "error"]


def _check_sql(conn, oid, name) -> list[Finding]:
    ddl = conn.execute("select pg_catalog.pg_get_functiondef(%s)", (oid,)).fetchone()[0]
    try:
        with conn.transaction():
            conn.execute("set local check_function_bodies = on")
            conn.execute(ddl)
            raise _Rollback
    except _Rollback:
        return []
    except psycopg.Error as exc:
        if exc.diag.sqlstate in DANGLING:
            return [_finding(name, "", exc.diag.sqlstate, exc.diag.message_primary or str(exc))]
        return []


class _Rollback(Exception):
    pass


def _queries(node: Any):
    """Every (query, parse mode, line) of a parse_plpgsql tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "PLpgSQL_expr" and isinstance(v, dict) and "query" in v:
                yield v["query"], v.get("parseMode", 0)
            else:
                yield from _queries(v)
    elif isinstance(node, list):
        for v in node:
            yield from _queries(v)


def _datums(tree: Any) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    fn = tree[0]["PLpgSQL_function"] if tree else {}
    for d in fn.get("datums", []):
        for kind, v in d.items():
            ref = v.get("refname")
            if not ref or ref.startswith("("):
                continue
            typ = (v.get("datatype") or {}).get("PLpgSQL_type", {}).get("typname") if kind == "PLpgSQL_var" else None
            out[ref.lower()] = typ
    return out


def _statement_for(query: str, mode: int) -> str | None:
    if mode == 0:
        return query
    if mode == 2:  # an expression (IF, RETURN, RAISE argument, ...)
        return f"select {query}"
    if mode in (3, 4, 5) and ":=" in query:  # assignment: plan its right-hand side
        return f"select {query.split(':=', 1)[1]}"
    if mode in (3, 4, 5) and "=" in query:
        return f"select {query.split('=', 1)[1]}"
    return None


def _substitute(stmt: str, datums: dict[str, str | None], fname: str, argtypes: list[str]) -> str | None:
    import pglast
    from pglast import ast, visitors
    from pglast.stream import RawStream

    try:
        tree = pglast.parse_sql(stmt)
    except pglast.parser.ParseError:
        return None
    if len(tree) != 1 or not isinstance(tree[0].stmt, (ast.SelectStmt, ast.InsertStmt, ast.UpdateStmt,
                                                        ast.DeleteStmt)):
        return None

    def typed_null(typ: str | None):
        null = ast.A_Const(isnull=True)
        if not typ or typ.startswith("%") or "%" in typ:
            return null
        try:
            tn = pglast.parse_sql(f"select null::{typ}")[0].stmt.targetList[0].val.typeName
        except Exception:  # noqa: BLE001 - a type name pglast cannot parse: an untyped NULL
            return null
        return ast.TypeCast(arg=null, typeName=tn)

    class Sub(visitors.Visitor):
        def visit_ColumnRef(self, ancestors, node):
            names = [f.sval.lower() for f in node.fields if isinstance(f, ast.String)]
            if not names:
                return None
            if names[0] in datums:
                return typed_null(datums[names[0]] if len(names) == 1 else None)
            if len(names) == 2 and names[0] == fname and names[1] in datums:
                return typed_null(datums[names[1]])
            return None

        def visit_ParamRef(self, ancestors, node):
            i = node.number - 1
            return typed_null(argtypes[i] if 0 <= i < len(argtypes) else None)

    Sub()(tree)
    return RawStream()(tree)


def _check_plpgsql_plans(conn, oid, name, argnames, argtypes, search_path) -> list[Finding]:
    import pglast

    ddl = conn.execute("select pg_catalog.pg_get_functiondef(%s)", (oid,)).fetchone()[0]
    try:
        tree = pglast.parse_plpgsql(ddl)
    except Exception:  # noqa: BLE001 - the server accepted it; a parser difference is not a finding
        return []
    datums = _datums(tree)
    for i, a in enumerate(argnames or []):
        if a and i < len(argtypes):
            datums[a.lower()] = argtypes[i]
    for rec in ("new", "old"):
        datums.setdefault(rec, None)
    fname = re.sub(r"\(.*", "", name).split(".")[-1].strip('"').lower()
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for query, mode in _queries(tree):
        stmt = _statement_for(query, mode)
        sql = _substitute(stmt, datums, fname, argtypes) if stmt else None
        if not sql:
            continue
        try:
            with conn.transaction():
                conn.execute("select pg_catalog.set_config('search_path', %s, true)",
                             (search_path.split("=", 1)[1] if search_path else "public",))
                conn.execute(f"explain (costs off) {sql}")
        except psycopg.Error as exc:
            key = (exc.diag.sqlstate or "", exc.diag.message_primary or "")
            if exc.diag.sqlstate in DANGLING and key not in seen:
                seen.add(key)
                out.append(_finding(name, f"in `{' '.join(query.split())[:100]}`: ", key[0], key[1]))
    return out
