"""Declarations of the product, as data: read alike by the SQL (through generated
functions), `verify`, `report`, the README, the generators and the tests.

- ``access.toml``: the access matrix (SPEC §6): per table in the public schema, per persona,
  per action (select, insert, update, delete) what happens: allowed, filtered, refused by
  policy, or no privilege; the personas described in words.
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


ACTIONS = ("select", "insert", "update", "delete")
ALLOWED, FILTERED, REFUSED, NO_PRIVILEGE = "allowed", "filtered", "refused by policy", "no privilege"
OUTCOMES = (ALLOWED, FILTERED, REFUSED, NO_PRIVILEGE)
API_ROLES = ("anon", "authenticated", "service_role")


@dataclasses.dataclass(frozen=True)
class Persona:
    name: str
    role: str   # the API role PostgREST sets: anon, authenticated or service_role
    who: str    # the persona in words


@dataclasses.dataclass(frozen=True)
class AccessCell:
    table: str
    persona: str
    action: str   # select | insert | update | delete
    outcome: str  # allowed | filtered | refused by policy | no privilege


@dataclasses.dataclass(frozen=True, eq=False)
class AccessMatrix:
    personas: tuple[Persona, ...]
    tables: tuple[str, ...]
    rows: dict[str, str]                    # table -> the row its cells try, in words
    cells: tuple[AccessCell, ...]

    def __post_init__(self):
        object.__setattr__(self, "_index", {(c.table, c.persona, c.action): c.outcome for c in self.cells})

    def persona(self, name: str) -> Persona:
        return next(p for p in self.personas if p.name == name)

    def outcome(self, table: str, persona: str, action: str) -> str:
        return self._index[(table, persona, action)]

    def allows(self, table: str, role: str, action: str) -> bool:
        """Whether any persona of the API role `role` gets further than "no privilege": the
        privilege the role must hold (and nothing beyond it)."""
        return any(self.outcome(table, p.name, action) != NO_PRIVILEGE for p in self.personas if p.role == role)


@cache
def access_matrix() -> AccessMatrix:
    """The access matrix declaration (access.toml), checked for completeness: every persona
    a cell with all four actions in every table, every outcome one of OUTCOMES."""
    data = tomllib.loads((HERE / "access.toml").read_text(encoding="utf-8"))
    if set(data) != {"personas", "tables"}:
        raise ValueError(f"access.toml: expected [personas.*] and [tables.*], found {sorted(data)}")
    personas = []
    for name, spec in data["personas"].items():
        if set(spec) != {"role", "who"} or spec["role"] not in API_ROLES:
            raise ValueError(f"access.toml [personas.{name}]: needs role (one of {API_ROLES}) and who")
        personas.append(Persona(name, spec["role"], spec["who"]))
    names = [p.name for p in personas]
    cells, rows = [], {}
    for table, spec in data["tables"].items():
        rows[table] = spec.get("row", "")
        given = set(spec) - {"row"}
        if given != set(names):
            raise ValueError(f"access.toml [tables.{table}]: personas without a cell {sorted(set(names) - given)}, "
                             f"unknown personas {sorted(given - set(names))}")
        for persona in names:
            acts = spec[persona]
            if not isinstance(acts, dict) or set(acts) != set(ACTIONS) or not set(acts.values()) <= set(OUTCOMES):
                raise ValueError(f"access.toml [tables.{table}] {persona}: needs {', '.join(ACTIONS)}, "
                                 f"each one of {OUTCOMES}")
            cells += [AccessCell(table, persona, a, acts[a]) for a in ACTIONS]
    return AccessMatrix(tuple(personas), tuple(rows), rows, tuple(cells))


VERBS = {"select": "read", "insert": "add", "update": "change", "delete": "remove"}


def who_may(table: str) -> dict[str, list[str]] | None:
    """Per action in words (read, add, change, remove), the personas allowed it on `table`'s
    row about the subject; None for a table the matrix does not declare."""
    m = access_matrix()
    if table not in m.tables:
        return None
    return {VERBS[a]: [p.name for p in m.personas if m.outcome(table, p.name, a) == ALLOWED] for a in ACTIONS}


def render_access_markdown() -> str:
    """The README's access matrix: the personas in words, then one row per table, one column
    per persona, the letters of the allowed actions (Select, Insert, Update, Delete)."""
    m = access_matrix()
    lines = [f"- `{p.name}` ({p.role}): {p.who}" for p in m.personas] + [""]
    lines += ["| table | " + " | ".join(p.name for p in m.personas) + " |",
              "|---|" + "---|" * len(m.personas)]
    for table in m.tables:
        cells = ["".join(a[0].upper() for a in ACTIONS if m.outcome(table, p.name, a) == ALLOWED) or "—"
                 for p in m.personas]
        lines.append(f"| `{table}` | " + " | ".join(cells) + " |")
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
