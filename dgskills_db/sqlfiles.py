"""The project's SQL files: discovery, checksums and statement splitting.

Versioned files (``sql/schema/NNNN_name.sql``) are applied once, in numeric order.
Repeatable files (``sql/functions``, ``sql/policies``, ``sql/cron``, ``sql/register``, in that order) are
re-applied whenever their checksum changes. Checksums are sha256 over the text with
line endings normalised to LF, so a checkout with CRLF does not look edited.

Statements are split by PostgreSQL's own parser (pglast wraps libpg_query), never by
looking for semicolons, so function bodies and quoted text are safe. Statements that
cannot run inside a transaction block are refused with an explanation, because one
``up`` is one transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import pglast
from pglast import ast

REPEATABLE_DIRS = ("functions", "policies", "cron", "register")
VERSIONED_DIR = "schema"
_VERSIONED_NAME = re.compile(r"^(\d+)_([a-z0-9_]+)\.sql$")


class SqlFileError(Exception):
    """A SQL file is malformed, misnamed or holds a statement `up` will not run."""


@dataclasses.dataclass(frozen=True)
class SqlFile:
    kind: str  # "versioned" | "repeatable"
    name: str  # path relative to the sql root, e.g. "schema/1020_users.sql"
    path: Path
    text: str
    checksum: str
    version: int | None = None

    def statements(self) -> list["Statement"]:
        return split_statements(self.text, self.name)


@dataclasses.dataclass(frozen=True)
class Statement:
    file: str
    line: int
    text: str

    def excerpt(self, width: int = 120) -> str:
        first = " ".join(self.text.split())
        return first if len(first) <= width else first[: width - 1] + "…"


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def checksum(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _read(path: Path) -> str:
    return normalise(path.read_text(encoding="utf-8"))


def discover(sql_root: Path) -> tuple[list[SqlFile], list[SqlFile]]:
    """Return (versioned in numeric order, repeatable in apply order)."""
    versioned: list[SqlFile] = []
    seen: dict[int, str] = {}
    schema_dir = sql_root / VERSIONED_DIR
    for path in sorted(schema_dir.glob("*.sql")) if schema_dir.is_dir() else []:
        m = _VERSIONED_NAME.match(path.name)
        if not m:
            raise SqlFileError(f"{VERSIONED_DIR}/{path.name}: versioned files are named NNNN_name.sql (lower case)")
        version = int(m.group(1))
        if version in seen:
            raise SqlFileError(f"{VERSIONED_DIR}/{path.name}: version {version} is also used by {seen[version]}")
        seen[version] = path.name
        text = _read(path)
        versioned.append(SqlFile("versioned", f"{VERSIONED_DIR}/{path.name}", path, text, checksum(text), version))
    versioned.sort(key=lambda f: f.version or 0)

    repeatable: list[SqlFile] = []
    for sub in REPEATABLE_DIRS:
        d = sql_root / sub
        for path in sorted(d.glob("*.sql")) if d.is_dir() else []:
            text = _read(path)
            repeatable.append(SqlFile("repeatable", f"{sub}/{path.name}", path, text, checksum(text)))
    return versioned, repeatable


def _line_of(text: str, offset: int) -> int:
    """1-based line of the first code character at or after offset (skips blanks and comments)."""
    i = offset
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            break
    return text.count("\n", 0, min(i, n)) + 1


def _non_transactional(node: ast.Node) -> str | None:
    """Why this statement cannot run inside `up`'s transaction, or None."""
    if isinstance(node, ast.TransactionStmt):
        return ("transaction control (BEGIN/COMMIT/ROLLBACK/SAVEPOINT) is not allowed in a migration: "
                "`up` runs all pending files in one transaction of its own")
    if isinstance(node, ast.IndexStmt) and node.concurrent:
        return ("CREATE INDEX CONCURRENTLY cannot run inside a transaction block. Build the index by hand with "
                "CONCURRENTLY first, then add `create index if not exists …` (without CONCURRENTLY) to a migration")
    if isinstance(node, ast.DropStmt) and node.concurrent:
        return "DROP INDEX CONCURRENTLY cannot run inside a transaction block; drop it by hand, then record it with `drop index if exists …`"
    if isinstance(node, ast.ReindexStmt):
        for p in node.params or ():
            if getattr(p, "defname", None) == "concurrently":
                return "REINDEX CONCURRENTLY cannot run inside a transaction block; run it by hand as maintenance"
    if isinstance(node, ast.VacuumStmt):
        return "VACUUM cannot run inside a transaction block; it is maintenance, not a migration"
    if isinstance(node, (ast.CreatedbStmt, ast.DropdbStmt)):
        return "CREATE/DROP DATABASE cannot run inside a transaction block and is not part of a schema migration"
    if isinstance(node, ast.AlterSystemStmt):
        return "ALTER SYSTEM cannot run inside a transaction block; server settings are not part of a migration"
    if isinstance(node, (ast.CreateTableSpaceStmt, ast.DropTableSpaceStmt)):
        return "CREATE/DROP TABLESPACE cannot run inside a transaction block"
    return None


def split_statements(text: str, name: str = "<sql>") -> list[Statement]:
    try:
        slices = pglast.split(text, with_parser=True, only_slices=True)
        trees = pglast.parse_sql(text)
    except pglast.parser.ParseError as exc:
        loc = getattr(exc, "location", None)
        line = text.encode("utf-8")[: loc].decode("utf-8", "replace").count("\n") + 1 if loc else 1
        raise SqlFileError(f"{name}:{line}: syntax error: {exc.args[0]}") from exc
    out: list[Statement] = []
    for sl, raw in zip(slices, trees, strict=True):
        line = _line_of(text, sl.start)
        why = _non_transactional(raw.stmt)
        if why:
            raise SqlFileError(f"{name}:{line}: {why}")
        out.append(Statement(name, line, text[sl]))
    return out
