"""The project's SQL files: discovery, checksums and statement splitting.

Versioned files (``sql/schema/NNNN_name.sql``) are applied once, in numeric order.
Repeatable files (``sql/functions``, ``sql/policies``, ``sql/cron``, ``sql/register``, in that order) are
re-applied whenever their checksum changes. Checksums are sha256 over the text with
line endings normalised to LF, so a checkout with CRLF does not look edited.

Statements are split by PostgreSQL's own parser (pglast wraps libpg_query), never by
looking for semicolons, so function bodies and quoted text are safe. Statements that
cannot run inside a transaction block are refused with an explanation, because one
``up`` is one transaction.

A versioned file may have a revert file beside it, ``NNNN_name.revert.sql``, that undoes
it (`migrate.py revert`). A UTF-8 byte order mark is stripped (with a note) and does not
count as an edit. Nothing under ``sql/`` is ignored silently: a file whose extension is
not lower-case ``.sql``, a sub-folder, or a folder the runner does not know is refused.
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
KINDS = (VERSIONED_DIR, *REPEATABLE_DIRS)
_VERSIONED_NAME = re.compile(r"^(\d+)_([a-z0-9_]+)\.sql$")
_REVERT_NAME = re.compile(r"^(\d+)_([a-z0-9_]+)\.revert\.sql$")
BOM = "\ufeff"
NO_TRANSACTION = re.compile(r"^--!\s*no-transaction\s*$", re.M | re.I)


def _header(text: str) -> str:
    """The leading comment lines of a file (where its markers live)."""
    lines = []
    for ln in text.splitlines():
        if ln.strip().startswith("--") or not ln.strip():
            lines.append(ln.strip())
        else:
            break
    return "\n".join(lines)
# Files a folder of SQL may hold besides *.sql without being suspicious.
_IGNORED = re.compile(r"^(\..*|README(\.md|\.txt)?|.*~)$")
_META_COMMAND = re.compile(r"^[ \t]*(\\[A-Za-z!?][^\n]*)", re.M)


class SqlFileError(Exception):
    """A SQL file is malformed, misnamed or holds a statement `up` will not run."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None, statement: str | None = None):
        self.file, self.line, self.column, self.statement = file, line, column, statement
        self.message = message
        where = file or ""
        if file and line:
            where += f":{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}" if where else message)

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "sqlstate": None,
                "message": self.message, "detail": None, "hint": None, "context": None,
                "statement": self.statement}


@dataclasses.dataclass(frozen=True)
class SqlFile:
    kind: str  # "versioned" | "repeatable"
    name: str  # path relative to the sql root, e.g. "schema/1020_users.sql"
    path: Path
    text: str
    checksum: str
    version: int | None = None
    revert: "SqlFile | None" = None
    notes: tuple[str, ...] = ()

    @property
    def transactional(self) -> bool:
        """False for a versioned file whose header says `--! no-transaction` (graphile-migrate's marker)."""
        return not (self.kind == "versioned" and NO_TRANSACTION.search(_header(self.text)))

    def statements(self) -> list["Statement"]:
        return split_statements(self.text, self.name, in_transaction=self.transactional)


@dataclasses.dataclass(frozen=True)
class Statement:
    file: str
    line: int
    text: str
    offset: int = 0  # character offset of `text` in the file

    def position(self, file_text: str, pos: int) -> tuple[int, int]:
        """(line, column), 1-based, in the file of the 1-based character position `pos` in `text`."""
        off = self.offset + max(pos - 1, 0)
        return position_of(file_text, off)

    def excerpt(self, width: int = 120) -> str:
        first = " ".join(self.text.split())
        return first if len(first) <= width else first[: width - 1] + "…"


def normalise(text: str) -> str:
    text = text[1:] if text.startswith(BOM) else text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def position_of(text: str, offset: int) -> tuple[int, int]:
    """(line, column), 1-based, of a 0-based character offset."""
    offset = min(max(offset, 0), len(text))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def checksum(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def _read(path: Path) -> tuple[str, tuple[str, ...]]:
    raw = path.read_text(encoding="utf-8")
    notes = ("a UTF-8 byte order mark was stripped (it is not SQL; save the file without it)",) \
        if raw.startswith(BOM) else ()
    return normalise(raw), notes


def _sql_entries(d: Path, rel: str) -> list[Path]:
    """The *.sql files of one folder; anything else that looks like SQL, or a sub-folder, is refused."""
    out = []
    for path in sorted(d.iterdir()):
        if path.is_dir():
            raise SqlFileError(f"{rel}/{path.name}/ is a sub-folder: the runner reads only files directly in "
                               f"{rel}/ and would ignore it; move its files up into {rel}/")
        if path.suffix == ".sql":
            out.append(path)
        elif path.suffix.lower() == ".sql":
            raise SqlFileError(f"{rel}/{path.name}: the extension must be lower-case .sql, or the file would be "
                               "ignored; rename it")
        elif not _IGNORED.match(path.name):
            raise SqlFileError(f"{rel}/{path.name}: not a .sql file; only .sql files belong in {rel}/")
    return out


def discover(sql_root: Path) -> tuple[list[SqlFile], list[SqlFile]]:
    """Return (versioned in numeric order, repeatable in apply order)."""
    if sql_root.is_dir():
        for entry in sorted(sql_root.iterdir()):
            if entry.name in KINDS or _IGNORED.match(entry.name):
                continue
            if entry.is_dir() or entry.suffix.lower() == ".sql":
                raise SqlFileError(f"{entry.name}{'/' if entry.is_dir() else ''}: not one of the folders the runner "
                                   f"reads ({', '.join(KINDS)}); it would be ignored. Move it into one of them")
    versioned: list[SqlFile] = []
    seen: dict[int, str] = {}
    reverts: dict[int, Path] = {}
    schema_dir = sql_root / VERSIONED_DIR
    for path in _sql_entries(schema_dir, VERSIONED_DIR) if schema_dir.is_dir() else []:
        r = _REVERT_NAME.match(path.name)
        if r:
            reverts[int(r.group(1))] = path
            continue
        m = _VERSIONED_NAME.match(path.name)
        if not m:
            raise SqlFileError(f"{VERSIONED_DIR}/{path.name}: versioned files are named NNNN_name.sql (lower case), "
                               "their revert files NNNN_name.revert.sql")
        version = int(m.group(1))
        if version in seen:
            raise SqlFileError(f"{VERSIONED_DIR}/{path.name}: version {version} is also used by {seen[version]}")
        seen[version] = path.name
        text, notes = _read(path)
        versioned.append(SqlFile("versioned", f"{VERSIONED_DIR}/{path.name}", path, text, checksum(text), version,
                                 notes=notes))
    for version, path in reverts.items():
        owner = next((i for i, f in enumerate(versioned) if f.version == version), None)
        if owner is None or path.name != versioned[owner].path.name.removesuffix(".sql") + ".revert.sql":
            raise SqlFileError(f"{VERSIONED_DIR}/{path.name}: a revert file needs its versioned file beside it "
                               "with the same stem")
        text, notes = _read(path)
        rev = SqlFile("revert", f"{VERSIONED_DIR}/{path.name}", path, text, checksum(text), version, notes=notes)
        versioned[owner] = dataclasses.replace(versioned[owner], revert=rev)
    versioned.sort(key=lambda f: f.version or 0)

    repeatable: list[SqlFile] = []
    for sub in REPEATABLE_DIRS:
        d = sql_root / sub
        for path in _sql_entries(d, sub) if d.is_dir() else []:
            text, notes = _read(path)
            repeatable.append(SqlFile("repeatable", f"{sub}/{path.name}", path, text, checksum(text), notes=notes))
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


_NO_TX_HINT = (" Put it in a versioned file of its own whose first line is `--! no-transaction`: such a file runs "
               "outside the deploy transaction, after the files before it are committed")


def _non_transactional(node: ast.Node, in_transaction: bool = True) -> str | None:
    """Why this statement cannot run inside `up`'s transaction (or at all), or None."""
    if isinstance(node, ast.TransactionStmt):
        return ("transaction control (BEGIN/COMMIT/ROLLBACK/SAVEPOINT) is not allowed in a migration: "
                "`up` runs all pending files in one transaction of its own")
    if not in_transaction and isinstance(node, (ast.IndexStmt, ast.DropStmt, ast.ReindexStmt)):
        return None
    if isinstance(node, ast.IndexStmt) and node.concurrent:
        return "CREATE INDEX CONCURRENTLY cannot run inside a transaction block." + _NO_TX_HINT
    if isinstance(node, ast.DropStmt) and node.concurrent:
        return "DROP INDEX CONCURRENTLY cannot run inside a transaction block." + _NO_TX_HINT
    if isinstance(node, ast.ReindexStmt):
        for p in node.params or ():
            if getattr(p, "defname", None) == "concurrently":
                return "REINDEX CONCURRENTLY cannot run inside a transaction block." + _NO_TX_HINT
    if isinstance(node, ast.VacuumStmt) and node.is_vacuumcmd:
        return "VACUUM cannot run inside a transaction block; it is maintenance, not a migration"
    if isinstance(node, (ast.CreatedbStmt, ast.DropdbStmt)):
        return "CREATE/DROP DATABASE cannot run inside a transaction block and is not part of a schema migration"
    if isinstance(node, ast.AlterSystemStmt):
        return "ALTER SYSTEM cannot run inside a transaction block; server settings are not part of a migration"
    if isinstance(node, (ast.CreateTableSpaceStmt, ast.DropTableSpaceStmt)):
        return "CREATE/DROP TABLESPACE cannot run inside a transaction block"
    return None


def split_statements(text: str, name: str = "<sql>", in_transaction: bool = True) -> list[Statement]:
    try:
        slices = pglast.split(text, with_parser=True, only_slices=True)
        trees = pglast.parse_sql(text)
    except pglast.parser.ParseError as exc:
        meta = _META_COMMAND.search(text)
        if meta:
            line, col = position_of(text, meta.start(1))
            raise SqlFileError(f"psql meta-command `{meta.group(1).split()[0]}` is not SQL: migrate.py sends files to "
                               "the server, it is not psql. Put the SQL itself in the file (an included file becomes "
                               "its own migration; \\set variables become literals)",
                               name, line, col, meta.group(1).strip()) from exc
        loc = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        line, col = position_of(text, loc)
        excerpt = text.splitlines()[line - 1].strip() if text.splitlines() else ""
        raise SqlFileError(f"syntax error: {exc.args[0]}", name, line, col, excerpt) from exc
    out: list[Statement] = []
    for sl, raw in zip(slices, trees, strict=True):
        line = _line_of(text, sl.start)
        why = _non_transactional(raw.stmt, in_transaction)
        if why:
            raise SqlFileError(why, name, line, None, " ".join(text[sl].split())[:120])
        out.append(Statement(name, line, text[sl], sl.start))
    return out
