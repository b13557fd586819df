"""`plan`'s lock report: per pending statement, the lock it takes and on what, and the
dangerous patterns with their safe alternative.

The lock levels are PostgreSQL 15's (documentation, "Explicit Locking" and each command's
page), read from the parse tree (pglast). The dangerous patterns come from squawk
(`squawk-cli`, a maintained migration linter), run on each pending file with the rules that
matter to a transactional runner that already sets `lock_timeout`; one check is added that
needs the live catalog: ACCESS EXCLUSIVE on a large table.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pglast
import psycopg
from pglast import ast, enums

from .sqlfiles import SqlFile

LARGE_TABLE_ROWS = 100_000
# squawk rules that do not apply: the runner sets lock_timeout itself and runs each deploy in one transaction.
SQUAWK_EXCLUDED = ("require-lock-timeout", "require-statement-timeout", "prefer-robust-stmts",
                   "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity",
                   "transaction-nesting", "require-timeout-settings")

AE, SRE, SUE, SH, RE, AS = ("ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
                            "ROW EXCLUSIVE", "ACCESS SHARE")

AT = enums.AlterTableType
_AT_LOCKS = {
    AT.AT_ValidateConstraint: SUE, AT.AT_SetStatistics: SUE, AT.AT_ClusterOn: SUE, AT.AT_DropCluster: SUE,
    AT.AT_SetRelOptions: SUE, AT.AT_ResetRelOptions: SUE, AT.AT_AttachPartition: SUE,
    AT.AT_EnableTrig: SRE, AT.AT_DisableTrig: SRE, AT.AT_EnableTrigAll: SRE, AT.AT_DisableTrigAll: SRE,
    AT.AT_EnableTrigUser: SRE, AT.AT_DisableTrigUser: SRE, AT.AT_EnableAlwaysTrig: SRE,
    AT.AT_EnableReplicaTrig: SRE,
}
_STRENGTH = [AS, RE, SUE, SH, SRE, "EXCLUSIVE", AE]


@dataclasses.dataclass
class Flag:
    rule: str
    message: str
    fix: str | None


@dataclasses.dataclass
class StatementLock:
    file: str
    line: int
    statement: str
    lock: str | None  # the strongest table lock it takes, None when it takes none on existing tables
    on: list[str]
    flags: list[Flag] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _rv(rv: ast.RangeVar | None) -> str | None:
    if rv is None:
        return None
    return f"{rv.schemaname or 'public'}.{rv.relname}"


def _names(obj) -> list[str]:
    return [x.sval for x in obj if isinstance(x, ast.String)] if isinstance(obj, (list, tuple)) else []


def classify(node: ast.Node) -> tuple[str | None, list[str]]:
    """(lock, relations) of one statement."""
    if isinstance(node, ast.AlterTableStmt):
        locks, on = [], [_rv(node.relation)]
        for cmd in node.cmds or ():
            sub = cmd.subtype
            if sub == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint) \
                    and cmd.def_.contype == enums.ConstrType.CONSTR_FOREIGN:
                locks.append(SRE)
                on.append(_rv(cmd.def_.pktable))
            else:
                locks.append(_AT_LOCKS.get(sub, AE))
        return max(locks, key=_STRENGTH.index, default=AE), [o for o in on if o]
    if isinstance(node, (ast.CreatePolicyStmt, ast.AlterPolicyStmt)):
        return AE, [_rv(node.table)]
    if isinstance(node, ast.CreateTrigStmt):
        return SRE, [_rv(node.relation)]
    if isinstance(node, ast.IndexStmt):
        return (SUE if node.concurrent else SH), [_rv(node.relation)]
    if isinstance(node, ast.CommentStmt):
        if node.objtype in (enums.ObjectType.OBJECT_TABLE, enums.ObjectType.OBJECT_COLUMN):
            names = _names(node.object)
            rel = names[:-1] if node.objtype == enums.ObjectType.OBJECT_COLUMN else names
            return SUE, [".".join(rel if len(rel) > 1 else ["public", *rel])]
        return None, []
    if isinstance(node, ast.DropStmt):
        if node.removeType in (enums.ObjectType.OBJECT_POLICY, enums.ObjectType.OBJECT_TRIGGER,
                               enums.ObjectType.OBJECT_RULE):
            on = []
            for obj in node.objects or ():
                n = _names(obj)[:-1]
                on.append(".".join(n if len(n) > 1 else ["public", *n]))
            return AE, on
        if node.removeType in (enums.ObjectType.OBJECT_TABLE, enums.ObjectType.OBJECT_VIEW,
                               enums.ObjectType.OBJECT_INDEX, enums.ObjectType.OBJECT_MATVIEW):
            on = []
            for obj in node.objects or ():
                n = _names(obj)
                on.append(".".join(n if len(n) > 1 else ["public", *n]))
            return (SUE if node.concurrent else AE), on
        return None, []
    if isinstance(node, (ast.RenameStmt,)) and node.relation is not None:
        return AE, [_rv(node.relation)]
    if isinstance(node, ast.TruncateStmt):
        return AE, [_rv(r) for r in node.relations]
    if isinstance(node, ast.LockStmt):
        modes = {1: AS, 2: "ROW SHARE", 3: RE, 4: SUE, 5: SH, 6: SRE, 7: "EXCLUSIVE", 8: AE}
        return modes.get(node.mode, AE), [_rv(r) for r in node.relations]
    if isinstance(node, (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt)):
        return RE, [_rv(node.relation)]
    if isinstance(node, ast.VacuumStmt):
        return SUE, [_rv(r.relation) for r in node.rels or () if getattr(r, "relation", None)]
    if isinstance(node, ast.CreateStmt):
        refs = []
        for elt in node.tableElts or ():
            for con in [*(getattr(elt, "constraints", None) or ()), elt]:
                if isinstance(con, ast.Constraint) and con.contype == enums.ConstrType.CONSTR_FOREIGN:
                    refs.append(_rv(con.pktable))
        return (SRE, refs) if refs else (None, [])
    if isinstance(node, ast.SelectStmt):
        return AS, []
    return None, []


def _squawk() -> str | None:
    exe = Path(sys.executable).with_name("squawk")
    return str(exe) if exe.exists() else shutil.which("squawk")


class SquawkFailed(Exception):
    """squawk ran but did not give its JSON report (a crash, a changed CLI, a timeout)."""


def squawk_flags(f: SqlFile) -> list[tuple[int, Flag]] | None:
    """(1-based line, flag) from squawk for one file; None when squawk is not installed.
    SquawkFailed when it ran and gave no report: no flags is not the same as no answer."""
    exe = _squawk()
    if exe is None:
        return None
    try:
        res = subprocess.run([exe, "--reporter", "json", "--pg-version", "15", "--assume-in-transaction",
                              "--exclude", ",".join(SQUAWK_EXCLUDED), "--stdin-filepath", f.name],
                             input=f.text, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SquawkFailed(f"{type(exc).__name__}: {exc}") from exc
    try:
        if not res.stdout.strip() and res.returncode != 0:
            raise ValueError("no report")
        found = json.loads(res.stdout or "[]")
        return [(int(v.get("line", 0)) + 1, Flag(v["rule_name"], v["message"], v.get("help"))) for v in found]
    except (json.JSONDecodeError, TypeError, KeyError, AttributeError, ValueError) as exc:
        said = (res.stderr or res.stdout or "").strip().splitlines()
        raise SquawkFailed(f"exit {res.returncode}: {said[0] if said else 'no output'}") from exc


def report(conn: psycopg.Connection | None, files: list[SqlFile],
           large_rows: int = LARGE_TABLE_ROWS) -> tuple[list[StatementLock], list[str]]:
    """The lock report of the files `up` would run, and notes (e.g. squawk missing)."""
    out: list[StatementLock] = []
    notes: list[str] = []
    for f in files:
        stmts = f.statements()
        rows: list[StatementLock] = []
        for st in stmts:
            node = pglast.parse_sql(st.text)[0].stmt
            lock, on = classify(node)
            rows.append(StatementLock(f.name, st.line, st.excerpt(), lock, [o for o in on if o]))
        try:
            flags = squawk_flags(f)
        except SquawkFailed as exc:
            notes.append(f"squawk failed on {f.name} ({exc}): its dangerous patterns are not flagged")
            flags = []
        if flags is None:
            if "squawk" not in " ".join(notes):
                notes.append("squawk is not installed: dangerous patterns are not flagged")
        else:
            for line, flag in flags:
                target = max((r for r in rows if r.line <= line), key=lambda r: r.line, default=rows[0] if rows else None)
                if target is not None:
                    target.flags.append(flag)
        if conn is not None:
            for r in rows:
                if r.lock != AE:
                    continue
                for rel in r.on:
                    n = conn.execute("select c.reltuples::bigint from pg_catalog.pg_class c "
                                     "where c.oid = pg_catalog.to_regclass(%s)", (rel,)).fetchone()
                    if n and n[0] >= large_rows:
                        r.flags.append(Flag("access-exclusive-on-large-table",
                                            f"ACCESS EXCLUSIVE on {rel} (about {n[0]:,} rows) blocks every read and "
                                            "write of it until the deploy commits",
                                            "split the change: a quick catalog-only statement here, the slow part "
                                            "(backfill, validation, index) in batches or a non-transactional file"))
        out += rows
    return out, notes
