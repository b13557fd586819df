"""Drift: the live schema against a fresh build of sql/ (SPEC §10).

`sql/` is built into a scratch database on the same server (the deploying user needs
CREATEDB), then the `results` package — the psycopg 3 successor of migra — computes the
statements that would turn the live schemas into the fresh ones. Each statement is a
finding. It compares tables, columns, types, defaults, constraints, indexes, views, RLS
and policies, grants, functions (body, volatility, security, config) and triggers in the
schemas this project owns (`public`, `app_private`); pg_cron's jobs are compared with
the declaration by the cron checks of verify.
"""

from __future__ import annotations

import re
import uuid

import psycopg

from .dsn import as_url, with_dbname
from .errors import Interrupted
from .findings import Finding

SCHEMAS = ("public", "app_private")


def _statements(live_dsn: str, fresh_dsn: str) -> list[str]:
    import results
    from results.dbdiff.migra import Migration

    out: list[str] = []
    live, fresh = results.db(as_url(live_dsn)), results.db(as_url(fresh_dsn))
    for schema in SCHEMAS:
        m = Migration(live, fresh, schema=schema)
        m.set_safety(False)
        m.add_all_changes_ordered(privileges=True)
        out += [s.strip() for s in m.statements
                if s.strip() and not s.strip().startswith("set check_function_bodies") and _ours(s)]
    return out


def _object_of(stmt: str) -> str:
    trg = re.search(r"trigger\s+\"?(\w+)\"?.*?\bon\s+\"?([\w]+)\"?\.\"?(\w+)\"?", stmt, re.I | re.S)
    if trg:
        return f"{trg.group(2)}.{trg.group(3)}: trigger {trg.group(1)}"
    idx = re.search(r"index\s+(?:if\s+(?:not\s+)?exists\s+)?\"?(\w+)\"?\s+on\s+(?:only\s+)?\"?(\w+)\"?\.", stmt, re.I)
    if idx:
        return f"{idx.group(2)}.{idx.group(1)}"
    fn = re.search(r"function\s+([\w.]+\([^)]*\))", stmt, re.I)
    if fn:
        return fn.group(1)
    rel = re.search(r'"([^"]+)"\."([^"]+)"', stmt)
    name = f"{rel.group(1)}.{rel.group(2)}" if rel else stmt.split("\n", 1)[0][:80]
    pol = re.search(r'policy\s+"([^"]+)"', stmt, re.I)
    return f"{name}: policy {pol.group(1)}" if pol else name


def _ours(stmt: str) -> bool:
    # pg_cron is created by the toolkit where pg_cron lives, not by sql/.
    return not re.search(r'extension\s+(if\s+(not\s+)?exists\s+)?"?pg_cron"?', stmt, re.I)


def check(dsn: str, sql_root=None) -> list[Finding]:
    from . import apply
    from .plan import SQL_ROOT

    scratch = f"dgskills_drift_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'create database "{scratch}"')
    except psycopg.Error as exc:
        return [Finding("schema_drift", "WARN", "server", f"drift not checked: cannot create a scratch database ({exc.diag.message_primary})",
                        "run verify as a user with CREATEDB, or check drift on a copy")]
    try:
        scratch_dsn = with_dbname(dsn, scratch)
        apply.up(scratch_dsn, sql_root or SQL_ROOT, reconcile_cron=False)
        stmts = _statements(dsn, scratch_dsn)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')
    return [
        Finding("schema_drift", "ERROR", _object_of(s), "live schema differs from a fresh build of sql/; to match it: "
                + " ".join(s.split())[:600], "put the change into sql/ (a new migration or the repeatable file), or redeploy")
        for s in stmts
    ]


def _declared_names(files) -> tuple[set[str], set[str]]:
    """(tables, functions) a set of SQL files mentions: every relation a statement names, every
    'schema.table' string literal (e.g. a reset helper's argument), every function it creates."""
    import pglast
    from pglast import ast, visitors

    tables: set[str] = set()
    functions: set[str] = set()

    class Names(visitors.Visitor):
        def visit_RangeVar(self, ancestors, node):
            tables.add(f"{node.schemaname or 'public'}.{node.relname}")

        def visit_String(self, ancestors, node):
            if re.fullmatch(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*", node.sval or ""):
                tables.add(node.sval)

        def visit_CreateFunctionStmt(self, ancestors, node):
            names = [n.sval for n in node.funcname]
            functions.add(".".join(names if len(names) > 1 else ["public", *names]))

    for f in files:
        for st in f.statements():
            Names()(pglast.parse_sql(st.text))
    return tables, functions


def _index_names(files) -> set[str]:
    import pglast
    from pglast import ast

    out = set()
    for f in files:
        for st in f.statements():
            node = pglast.parse_sql(st.text)[0].stmt
            if isinstance(node, ast.IndexStmt) and node.idxname:
                out.add(f"{node.relation.schemaname or 'public'}.{node.idxname}")
    return out


def gate(dsn: str, sql_root, plan, versioned, repeatable) -> tuple[list[Finding], str | None]:
    """Drift of the live schema from what its history says, before a deploy: the live public and
    app_private schemas against a fresh build of the applied versioned files and the repeatable
    files, ignoring what the changed or new repeatable files declare (the deploy replaces it).
    Returns (findings, note); the note says why drift could not be checked."""
    import shutil
    import tempfile
    from pathlib import Path

    applied = {s.file for s in plan.files if s.kind == "versioned" and s.state in ("applied", "renamed")}
    changing = [f for f in repeatable
                if f.name in {s.file for s in plan.files if s.kind == "repeatable" and s.state in ("changed", "pending")}]
    tmp = Path(tempfile.mkdtemp(prefix="dgskills-gate-"))
    try:
        for f in [*(v for v in versioned if v.name in applied), *repeatable]:
            dest = tmp / f.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(f.text)
        found = check(dsn, tmp)
        if any(f.level != "ERROR" for f in found):
            return [], found[0].detail
    except Interrupted:
        raise
    except Exception as exc:  # noqa: BLE001 - the applied state cannot be rebuilt (e.g. a changed file needs a pending one)
        return [], f"drift not checked: the applied files do not build on their own ({str(exc).strip().splitlines()[0]})"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tables, functions = _declared_names(changing)
    # what a pending no-transaction file builds may be there half-built (a killed concurrent index)
    pending_nontx = [v for v in versioned if not v.transactional
                     and v.name in {s.file for s in plan.pending_versioned}]
    tables |= _index_names(pending_nontx)

    def replaced(obj: str) -> bool:
        # A function's finding is named "schema.name(args)", or "schema.name" when the statement
        # quotes the name (a comment, a drop): either way it is the changed file's to replace.
        return any(obj == t or obj.startswith((t + ":", t + ".")) for t in tables) or \
            any(obj == fn or obj.startswith(fn + "(") for fn in functions)

    return [f for f in found if not replaced(f.object)], None
