"""Declarations of the product, as data: read alike by the SQL (through generated
functions), `verify`, `report`, the README and the tests.

- ``user_columns.toml``: for every foreign key to ``public.users``, whether the row is
  *about* that user (subject: exported whole, erased with the account) or the user only
  *acted* on it (actor: kept without the name on erasure, exported only as the actor's
  own access rules show it).
- ``restriction.toml``: per table holding rows about a pupil, what the pupil's restriction
  of processing (Art. 18) does: what staff still see (hidden / kept / never) and whether
  new rows about the pupil are refused (DG002) or allowed.

    python -m dgskills_db.declarations        # rewrite the generated SQL from the data
    python -m dgskills_db.declarations --check  # exit 1 when it is stale

The generated SQL is ``sql/functions/0060_declarations.sql``; tests fail when it is stale.
"""

from __future__ import annotations

import dataclasses
import sys
import tomllib
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GENERATED_SQL = ROOT / "sql" / "functions" / "0060_declarations.sql"

SUBJECT = "about"
ACTOR = "actor"
KINDS = (SUBJECT, ACTOR)


@dataclasses.dataclass(frozen=True)
class UserColumn:
    table: str
    column: str
    kind: str  # "about" or "actor"
    why: str = ""


@cache
def user_columns() -> tuple[UserColumn, ...]:
    """Every declared column that references a user, in file order."""
    data = tomllib.loads((HERE / "user_columns.toml").read_text(encoding="utf-8"))
    out: list[UserColumn] = []
    for table, spec in data.items():
        unknown = set(spec) - {SUBJECT, ACTOR, "why"}
        if unknown:
            raise ValueError(f"user_columns.toml [{table}]: unknown keys {sorted(unknown)}")
        for kind in KINDS:
            for col in spec.get(kind, []):
                out.append(UserColumn(table, col, kind, spec.get("why", "")))
    seen: set[tuple[str, str]] = set()
    for uc in out:
        if (uc.table, uc.column) in seen:
            raise ValueError(f"user_columns.toml: {uc.table}.{uc.column} is declared twice")
        seen.add((uc.table, uc.column))
    return tuple(out)


def subject_columns(table: str) -> list[str]:
    return [c.column for c in user_columns() if c.table == table and c.kind == SUBJECT]


def actor_columns(table: str) -> list[str]:
    return [c.column for c in user_columns() if c.table == table and c.kind == ACTOR]


STAFF_EFFECTS = ("hidden", "kept", "never")
NEW_ROW_EFFECTS = ("refused", "allowed")


@dataclasses.dataclass(frozen=True)
class RestrictionScope:
    table: str
    staff: str      # hidden | kept | never
    new_rows: str   # refused | allowed
    why: str = ""


@cache
def restriction_scope() -> tuple[RestrictionScope, ...]:
    """What a pupil's restriction of processing does, per table (restriction.toml)."""
    data = tomllib.loads((HERE / "restriction.toml").read_text(encoding="utf-8"))
    out = []
    for table, spec in data.items():
        if set(spec) - {"staff", "new_rows", "why"} or spec.get("staff") not in STAFF_EFFECTS \
                or spec.get("new_rows") not in NEW_ROW_EFFECTS:
            raise ValueError(f"restriction.toml [{table}]: staff must be one of {STAFF_EFFECTS}, "
                             f"new_rows one of {NEW_ROW_EFFECTS}")
        out.append(RestrictionScope(table, spec["staff"], spec["new_rows"], spec.get("why", "")))
    return tuple(out)


def render_restriction_markdown() -> str:
    """The README table of the restriction's scope."""
    words = {"hidden": "hidden from staff", "kept": "staff keep sight", "never": "staff never see them anyway"}
    lines = ["| table | rows about the restricted pupil | new rows about them | why |", "|---|---|---|---|"]
    for r in restriction_scope():
        new = "refused (`DG002`)" if r.new_rows == "refused" else "allowed"
        lines.append(f"| `{r.table}` | {words[r.staff]} | {new} | {r.why} |")
    return "\n".join(lines) + "\n"


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def render_sql() -> str:
    rows = ",\n        ".join(f"({_q(c.table)}, {_q(c.column)}, {_q(c.kind)})" for c in user_columns())
    return f"""/*
  GENERATED from dgskills_db/declarations/user_columns.toml by
  `python -m dgskills_db.declarations`: do not edit here, edit the declaration.

  For every foreign key to public.users: 'about' (the row is about that user: exported
  whole, erased with the account) or 'actor' (the user only acted on it: the row is kept
  without the name on erasure and exported only as the actor's own access rules show it).
*/

create or replace function app_private.declared_user_columns()
returns table (table_name text, column_name name, kind text)
language sql immutable
set search_path = ''
as $$
    select t.table_name, t.column_name::name, t.kind
    from (values
        {rows}
    ) as t (table_name, column_name, kind)
$$;
comment on function app_private.declared_user_columns() is
'The declaration of dgskills_db/declarations/user_columns.toml: each column referencing users is about (subject) or actor.';

revoke all on function app_private.declared_user_columns() from public, anon, authenticated, service_role;
grant execute on function app_private.declared_user_columns() to authenticated;
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render_sql()
    if "--check" in argv:
        current = GENERATED_SQL.read_text(encoding="utf-8") if GENERATED_SQL.exists() else ""
        if current != text:
            print(f"{GENERATED_SQL.relative_to(ROOT)} is stale: run python -m dgskills_db.declarations")
            return 1
        return 0
    GENERATED_SQL.write_text(text, encoding="utf-8")
    print(f"wrote {GENERATED_SQL.relative_to(ROOT)}")
    return 0
