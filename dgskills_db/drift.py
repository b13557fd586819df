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
    return _without_equal_constraints(out, live_dsn, fresh_dsn)


_CONSTRAINT_STMT = re.compile(r'(?is)^alter table "([^"]+)"\."([^"]+)" (drop|add|validate) constraint "([^"]+)"')
_CONSTRAINT_DEF = """
select pg_catalog.pg_get_constraintdef(k.oid), k.convalidated from pg_catalog.pg_constraint k
 where k.conrelid = pg_catalog.to_regclass(%s) and k.conname = %s"""


def _without_equal_constraints(stmts: list[str], live_dsn: str, fresh_dsn: str) -> list[str]:
    """Leave out a constraint that the differ drops and adds again although its definition is the
    same on both sides (it re-creates the foreign keys of a table whose comment differs): not a
    difference."""
    named = {(m.group(1), m.group(2), m.group(4)) for s in stmts if (m := _CONSTRAINT_STMT.match(s))}
    if not named:
        return stmts
    same = set()
    with psycopg.connect(live_dsn, autocommit=True) as lc, psycopg.connect(fresh_dsn, autocommit=True) as fc:
        for c in (lc, fc):
            c.execute("set search_path = ''")
        for schema, table, con in named:
            rel = f'"{schema}"."{table}"'
            a = lc.execute(_CONSTRAINT_DEF, (rel, con)).fetchone()
            b = fc.execute(_CONSTRAINT_DEF, (rel, con)).fetchone()
            if a is not None and a == b:
                same.add((schema, table, con))
    return [s for s in stmts
            if not ((m := _CONSTRAINT_STMT.match(s)) and (m.group(1), m.group(2), m.group(4)) in same)]


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


def _diff(dsn: str, sql_root, recorder=None) -> list[str] | Finding:
    """The statements that turn the live schemas into a fresh build of `sql_root` (built with
    `recorder`'s hooks, if given), or a WARN finding when no scratch database can be created."""
    from . import apply
    from .plan import SQL_ROOT

    scratch = f"dgskills_drift_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'create database "{scratch}"')
    except psycopg.Error as exc:
        return Finding("schema_drift", "WARN", "server", f"drift not checked: cannot create a scratch database ({exc.diag.message_primary})",
                       "run verify as a user with CREATEDB, or check drift on a copy")
    try:
        scratch_dsn = with_dbname(dsn, scratch)
        apply.up(scratch_dsn, sql_root or SQL_ROOT, reconcile_cron=False, recorder=recorder)
        return _statements(dsn, scratch_dsn)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')


def _finding(s: str) -> Finding:
    return Finding("schema_drift", "ERROR", _object_of(s), "live schema differs from a fresh build of sql/; to match it: "
                   + " ".join(s.split())[:600], "put the change into sql/ (a new migration or the repeatable file), or redeploy")


def check(dsn: str, sql_root=None) -> list[Finding]:
    found = _diff(dsn, sql_root)
    if isinstance(found, Finding):
        return [found]
    return [_finding(s) for s in found]


_Q = r'"?([^"\s.(]+)"?'  # one identifier, quoted or not


def keys_of(stmt: str) -> set[str]:
    """The catalog keys (as touch.snapshot names them) a drift statement is about; empty for what
    no repeatable file declares (columns, types, constraints, indexes, tables themselves)."""
    flat = " ".join(stmt.split())
    m = re.match(rf"(?i)(?:create|drop|alter) policy (?:if exists )?{_Q} on {_Q}\.{_Q}", flat)
    if m:
        return {f"policy:{m.group(2)}.{m.group(3)}:{m.group(1)}"}
    m = re.match(rf"(?i)(?:create (?:or replace )?|drop )trigger (?:if exists )?{_Q} .*?\bon {_Q}\.{_Q}", flat)
    if m:
        return {f"trigger:{m.group(2)}.{m.group(3)}:{m.group(1)}"}
    m = re.match(rf"(?i)(?:create (?:or replace )?|drop |alter |grant .* on |revoke .* on )(?:function|procedure) (?:if exists )?"
                 rf"{_Q}\.{_Q}\(", flat)
    if m:
        return {f"function-name:{m.group(1)}.{m.group(2)}"}
    m = re.match(rf"(?i)(?:grant|revoke) (.*?) on (?:table )?{_Q}\.{_Q} (?:to|from) ", flat)
    if m:
        cols = re.findall(r"\(([^)]*)\)", m.group(1))
        if cols:
            return {f"column:{m.group(2)}.{m.group(3)}.{c.strip().strip(chr(34))}" for c in ",".join(cols).split(",")}
        return {f"relation:{m.group(2)}.{m.group(3)}"}
    m = re.match(rf"(?i)alter table (?:only )?{_Q}\.{_Q} (?:enable|disable|force|no force) row level security", flat)
    if m:
        return {f"relation:{m.group(1)}.{m.group(2)}"}
    m = re.match(r"(?i)comment on (table|view|column|policy|trigger|function|procedure) (.*?) is ", flat)
    if m:
        what, target = m.group(1).lower(), m.group(2)
        parts = re.split(r"(?i) on ", target, maxsplit=1)
        head, tail = parts[0], (parts[1] if len(parts) > 1 else "")
        names = [a or b for a, b in re.findall(r'"([^"]+)"|([^\s".(]+)', head.split("(")[0])]
        on = [a or b for a, b in re.findall(r'"([^"]+)"|([^\s".]+)', tail)]
        if what in ("table", "view") and len(names) == 2:
            return {f"relation:{names[0]}.{names[1]}"}
        if what == "column" and len(names) == 3:
            return {f"column:{names[0]}.{names[1]}.{names[2]}"}
        if what in ("policy", "trigger") and len(on) >= 2:
            return {f"{what}:{on[0]}.{on[1]}:{names[0]}"}
        if what in ("function", "procedure") and len(names) >= 2:
            return {f"function-name:{names[0]}.{names[1]}"}
        return set()
    m = re.match(rf"(?i)(?:create (?:or replace )?|drop )view (?:if exists )?{_Q}\.{_Q}", flat)
    if m:
        return {f"relation:{m.group(1)}.{m.group(2)}"}
    return set()


def _dropped_keys(files) -> set[str]:
    """Keys of the objects the files drop by name (DROP POLICY/TRIGGER/FUNCTION): a changed file
    that drops what its old text created owns that object even though a fresh build never has it."""
    import pglast
    from pglast import ast, enums

    out: set[str] = set()
    for f in files:
        for st in f.statements():
            node = pglast.parse_sql(st.text)[0].stmt
            if not isinstance(node, ast.DropStmt):
                continue
            for obj in node.objects or ():
                if node.removeType in (enums.ObjectType.OBJECT_POLICY, enums.ObjectType.OBJECT_TRIGGER):
                    names = [x.sval for x in obj if isinstance(x, ast.String)]
                    rel, name = names[:-1], names[-1]
                    rel = rel if len(rel) > 1 else ["public", *rel]
                    kind = "policy" if node.removeType == enums.ObjectType.OBJECT_POLICY else "trigger"
                    out.add(f"{kind}:{'.'.join(rel)}:{name}")
                elif node.removeType in (enums.ObjectType.OBJECT_FUNCTION, enums.ObjectType.OBJECT_PROCEDURE):
                    names = [x.sval for x in obj.objname if isinstance(x, ast.String)]
                    out.add("function-name:" + ".".join(names if len(names) > 1 else ["public", *names]))
    return out


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
    files. A difference is excused only when it is about an object that a changed or new
    repeatable file declares (a catalog key its statements set in that build, as touch records
    them: a policy, trigger, function, the privileges or RLS flags of a table or column, a view)
    or drops by name: the deploy replaces exactly those. Anything else — a column, index,
    constraint, type, or a policy the changed file does not declare — is drift.
    Returns (findings, note); the note says why drift could not be checked."""
    import shutil
    import tempfile
    from pathlib import Path

    from . import touch

    applied = {s.file for s in plan.files if s.kind == "versioned" and s.state in ("applied", "renamed")}
    changing = [f for f in repeatable
                if f.name in {s.file for s in plan.files if s.kind == "repeatable" and s.state in ("changed", "pending")}]
    tmp = Path(tempfile.mkdtemp(prefix="dgskills-gate-"))
    rec = touch.Recorder(touch.data_tables(repeatable))
    try:
        for f in [*(v for v in versioned if v.name in applied), *repeatable]:
            dest = tmp / f.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(f.text)
        found = _diff(dsn, tmp, rec)
        if isinstance(found, Finding):
            return [], found.detail
    except Interrupted:
        raise
    except Exception as exc:  # noqa: BLE001 - the applied state cannot be rebuilt (e.g. a changed file needs a pending one)
        return [], f"drift not checked: the applied files do not build on their own ({str(exc).strip().splitlines()[0]})"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    owned: set[str] = set().union(*(rec.keys.get(f.name, set()) for f in changing)) | _dropped_keys(changing)
    owned |= {"function-name:" + k.split(":", 1)[1].split("(", 1)[0] for k in owned if k.startswith("function:")}
    # what a pending no-transaction file builds may be there half-built (a killed concurrent index)
    pending_nontx = [v for v in versioned if not v.transactional
                     and v.name in {s.file for s in plan.pending_versioned}]
    half_built = _index_names(pending_nontx)

    def excused(stmt: str) -> bool:
        keys = keys_of(stmt)
        if keys and keys <= owned:
            return True
        return _object_of(stmt) in half_built

    return [_finding(s) for s in found if not excused(s)], None
