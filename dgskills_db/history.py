"""`dgskills_migrate.history`: what was applied, when, by whom — and every repair of it.

The table is append-only. A file's state is its latest row: `apply`, `baseline`
(recorded as applied when an existing database was adopted), `repair` (an edited
applied file accepted after a fresh build of the new text matched the live schema) and
`rename` (a file recognised by its checksum under a new name) mean applied with that
row's checksum; `revert` (undone by `migrate.py revert`) and `renamed` (the old name of
a renamed file) mean not applied.
"""

from __future__ import annotations

import dataclasses

import psycopg

META_SCHEMA = "dgskills_migrate"
TABLE = f"{META_SCHEMA}.history"
APPLIED_ACTIONS = ("apply", "baseline", "repair", "rename")
GONE_ACTIONS = ("revert", "renamed")

_DDL = f"""
create schema if not exists {META_SCHEMA};
revoke all on schema {META_SCHEMA} from public;
comment on schema {META_SCHEMA} is 'dgskills-db toolkit: migration history. Not exposed to the API.';
create table if not exists {TABLE} (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('versioned', 'repeatable')),
    file text not null,
    checksum text not null check (checksum ~ '^[0-9a-f]{{64}}$'),
    applied_at timestamptz not null default pg_catalog.now(),
    applied_by text not null default current_user,
    duration_ms numeric(12, 3) not null
);
alter table {TABLE} add column if not exists action text not null default 'apply'
    check (action in ('apply', 'baseline', 'repair', 'rename', 'revert', 'renamed'));
alter table {TABLE} add column if not exists note text;
-- a versioned file may now have several rows (repair, revert, re-apply); the latest counts
drop index if exists {META_SCHEMA}.history_versioned_once;
create index if not exists history_file_applied on {TABLE} (file, id);
comment on table {TABLE} is
    'Append-only: one row per applied file (versioned once, repeatable each time it changed) and per baseline, '
    'repair, rename or revert; the latest row of a file is its state.';
"""


@dataclasses.dataclass(frozen=True)
class Row:
    file: str
    kind: str
    checksum: str
    applied_at: str
    action: str


def exists(conn: psycopg.Connection) -> bool:
    return conn.execute("select pg_catalog.to_regclass(%s) is not null", (TABLE,)).fetchone()[0]


def _current(conn: psycopg.Connection) -> bool:
    return conn.execute(
        """select exists (select from pg_catalog.pg_attribute
                           where attrelid = pg_catalog.to_regclass(%s) and attname = 'note' and not attisdropped)""",
        (TABLE,)).fetchone()[0]


def ensure(conn: psycopg.Connection) -> None:
    """Create or upgrade the table (only when needed: a no-op deploy takes no lock on it)."""
    if not (exists(conn) and _current(conn)):
        conn.execute(_DDL)


def read(conn: psycopg.Connection) -> dict[str, Row]:
    """file -> its latest row, for files that count as applied."""
    if not exists(conn):
        return {}
    action = "action" if _current(conn) else "'apply'"
    rows = conn.execute(
        f"""select distinct on (file) file, kind, checksum, applied_at::text, {action}
              from {TABLE} order by file, id desc""").fetchall()
    return {r[0]: Row(*r) for r in rows if r[4] not in GONE_ACTIONS}


def record(conn: psycopg.Connection, kind: str, file: str, checksum: str, ms: float = 0.0,
           action: str = "apply", note: str | None = None) -> None:
    conn.execute(
        f"insert into {TABLE} (kind, file, checksum, duration_ms, action, note) values (%s, %s, %s, %s, %s, %s)",
        (kind, file, checksum, round(ms, 3), action, note))


def log(conn: psycopg.Connection) -> list[tuple]:
    """Every row, oldest first: (file, kind, action, checksum, note)."""
    if not exists(conn):
        return []
    action = "action, note" if _current(conn) else "'apply', null"
    return conn.execute(f"select file, kind, {action}, checksum from {TABLE} order by id").fetchall()
