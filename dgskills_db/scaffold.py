"""`migrate.py new NAME`: the next free file of a kind, with the house-style header."""

from __future__ import annotations

import re
from pathlib import Path

from .plan import SQL_ROOT
from .sqlfiles import KINDS, SqlFileError

STEP = 10

HEADERS = {
    "schema": """\
/*
 * {stem}: <why this change is needed, in a sentence or two>.
 * ROPA: <processing activity, e.g. V-04>. Legal basis: <…>. Retention: <how long; which job deletes>.
 * Live deploy: <locks it takes; a rewrite or validation of a large table belongs in its own file>.
 * Revert: {stem}.revert.sql beside this file undoes it, or say here why it only rolls forward.
 */
""",
    "functions": """\
/*
 * {stem}: <what the function does and why it is security definer, if it is>.
 * Template: qualified name, explicit volatility, `security definer set search_path = ''`,
 * every name schema-qualified, `comment on function`, `revoke … from public, anon`, `grant execute`.
 */
""",
    "policies": """\
/*
 * {stem}: the whole security declaration of one table (same stem as its schema file):
 * enable row level security, policies `<action>_<scope>` with `comment on policy`, grants with
 * explicit column lists, and a NOTE for every privilege deliberately not granted.
 */
""",
    "cron": """\
/*
 * {stem}: <which retention rule (S-RET-n, ROPA id) this job enforces>.
 * The job body is a named, tested function; the declaration only names it.
 */
""",
    "register": """\
/*
 * {stem}: <which part of the processing register (Art. 30 GDPR) this file declares, and from
 * which ROPA version>. It replaces its whole declaration on every change (delete, then insert);
 * `verify` checks it against the catalog (register_*) and `report` renders it.
 */
""",
}


def slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not s:
        raise SqlFileError(f"new: {name!r} gives no usable file name (letters, digits, underscores)")
    return s


def next_number(folder: Path) -> int:
    used = [int(m.group(1)) for p in folder.glob("*.sql") if (m := re.match(r"^(\d+)_", p.name))]
    return (max(used, default=0) // STEP + 1) * STEP


def new(name: str, kind: str = "schema", sql_root: Path = SQL_ROOT) -> Path:
    if kind not in KINDS:
        raise SqlFileError(f"new: --kind is one of {', '.join(KINDS)}")
    folder = sql_root / kind
    folder.mkdir(parents=True, exist_ok=True)
    number = next_number(folder)
    width = max(4, len(str(number)))
    stem = f"{number:0{width}d}_{slug(name)}"
    path = folder / f"{stem}.sql"
    if path.exists():  # pragma: no cover - next_number is above every used number
        raise SqlFileError(f"new: {path} exists")
    path.write_text(HEADERS[kind].format(stem=stem))
    return path
