"""The migration runner behind `migrate.py up|status|plan`.

One `up` is one transaction: the auth shim (when needed), every pending versioned
file, then the repeatable files that changed (all of them when a versioned file was
applied), then the reconciliation of pg_cron jobs when pg_cron lives in this
database. A failure rolls all of it back and names the file, line and statement.

One runner at a time: a session-level advisory lock taken with `pg_try_advisory_lock`
polled until `lock_timeout` runs out, never a blocking wait that could deadlock. The
history is read only after the lock is held, so a runner that waited sees what the
other one applied.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql

from . import cron as cron_sync
from . import shim as shim_mod
from .sqlfiles import SqlFile, SqlFileError, discover

SQL_ROOT = Path(__file__).resolve().parent.parent / "sql"
SHIM_FILE = Path(__file__).resolve().parent / "sql" / "auth_shim.sql"
META_SCHEMA = "dgskills_migrate"
# pg_advisory_lock key: the first 8 bytes of sha256('dgskills-db migrate'), as a signed bigint.
LOCK_KEY = 0x5D6B_1A7E_2C44_0F19

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_EDITED = 3
EXIT_LOCKED = 4

_META_DDL = f"""
create schema if not exists {META_SCHEMA};
revoke all on schema {META_SCHEMA} from public;
comment on schema {META_SCHEMA} is 'dgskills-db toolkit: migration history. Not exposed to the API.';
create table if not exists {META_SCHEMA}.history (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('versioned', 'repeatable')),
    file text not null,
    checksum text not null check (checksum ~ '^[0-9a-f]{{64}}$'),
    applied_at timestamptz not null default pg_catalog.now(),
    applied_by text not null default current_user,
    duration_ms numeric(12, 3) not null
);
create unique index if not exists history_versioned_once
    on {META_SCHEMA}.history (file) where kind = 'versioned';
create index if not exists history_file_applied on {META_SCHEMA}.history (file, id);
comment on table {META_SCHEMA}.history is
    'One row per applied file: versioned files once, repeatable files each time their checksum changed.';
"""


class RunnerError(Exception):
    exit_code = EXIT_FAILED


class LockTimeout(RunnerError):
    exit_code = EXIT_LOCKED


class EditedFiles(RunnerError):
    exit_code = EXIT_EDITED


class ApplyError(RunnerError):
    def __init__(self, file: str, line: int, statement: str, sqlstate: str | None, message: str):
        self.file, self.line, self.statement, self.sqlstate, self.message = file, line, statement, sqlstate, message
        super().__init__(
            f"{file}:{line}: {message} (SQLSTATE {sqlstate})\n  in: {statement}\n"
            "Nothing was changed: the whole run was rolled back."
        )


@dataclasses.dataclass
class FileState:
    file: str
    kind: str
    state: str  # applied | pending | changed | edited | missing
    checksum: str | None
    applied_checksum: str | None = None
    applied_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Plan:
    files: list[FileState]
    shim_needed: bool

    @property
    def edited(self) -> list[FileState]:
        return [f for f in self.files if f.state == "edited"]

    @property
    def missing(self) -> list[FileState]:
        return [f for f in self.files if f.state == "missing"]

    @property
    def pending_versioned(self) -> list[FileState]:
        return [f for f in self.files if f.kind == "versioned" and f.state == "pending"]

    @property
    def changed_repeatable(self) -> list[FileState]:
        return [f for f in self.files if f.kind == "repeatable" and f.state in ("pending", "changed")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "shim_needed": self.shim_needed,
            "files": [f.as_dict() for f in self.files],
            "pending": [f.file for f in self.pending_versioned],
            "changed": [f.file for f in self.changed_repeatable],
            "edited": [f.file for f in self.edited],
            "missing": [f.file for f in self.missing],
        }


@dataclasses.dataclass
class Applied:
    file: str
    kind: str
    ms: float


@dataclasses.dataclass
class UpResult:
    applied: list[Applied]
    shim_installed: bool
    cron: cron_sync.ReconcileResult | None
    total_ms: float

    @property
    def noop(self) -> bool:
        return not self.applied and not self.shim_installed and not (self.cron and self.cron.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "noop": self.noop,
            "shim_installed": self.shim_installed,
            "applied": [dataclasses.asdict(a) for a in self.applied],
            "cron": self.cron.as_dict() if self.cron else None,
            "total_ms": round(self.total_ms, 1),
        }


def connect(dsn: str, **kw: Any) -> psycopg.Connection:
    return psycopg.connect(dsn, autocommit=True, **kw)


def _history(conn: psycopg.Connection) -> dict[str, tuple[str, str, str]]:
    """file -> (kind, latest checksum, applied_at) from the history table (empty if none yet)."""
    exists = conn.execute("select pg_catalog.to_regclass(%s) is not null", (f"{META_SCHEMA}.history",)).fetchone()[0]
    if not exists:
        return {}
    rows = conn.execute(
        f"""select distinct on (file) file, kind, checksum, applied_at::text
              from {META_SCHEMA}.history order by file, id desc"""
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _auth_exists(conn: psycopg.Connection) -> bool:
    return conn.execute("select exists (select from pg_catalog.pg_namespace where nspname = 'auth')").fetchone()[0]


def plan(conn: psycopg.Connection, sql_root: Path = SQL_ROOT) -> Plan:
    versioned, repeatable = discover(sql_root)
    hist = _history(conn)
    states: list[FileState] = []
    for f in (*versioned, *repeatable):
        h = hist.get(f.name)
        if h is None:
            states.append(FileState(f.name, f.kind, "pending", f.checksum))
        else:
            # an applied versioned file must never change; a repeatable one is re-applied
            moved = "edited" if f.kind == "versioned" else "changed"
            states.append(FileState(f.name, f.kind, moved if h[1] != f.checksum else "applied", f.checksum, h[1], h[2]))
    known = {f.name for f in versioned} | {f.name for f in repeatable}
    for name, (kind, cs, at) in sorted(hist.items()):
        if name not in known:
            states.append(FileState(name, kind, "missing", None, cs, at))
    return Plan(states, shim_needed=not _auth_exists(conn))


def _acquire_lock(conn: psycopg.Connection, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if conn.execute("select pg_catalog.pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            holder = conn.execute(
                """select a.pid, a.usename, a.application_name, a.client_addr::text, a.backend_start::text
                     from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a using (pid)
                    where l.locktype = 'advisory' and l.granted
                      and ((l.classid::bigint << 32) | l.objid::bigint) = %s""",
                (LOCK_KEY & 0xFFFFFFFFFFFFFFFF,),
            ).fetchone()
            who = f" (held by pid {holder[0]}, user {holder[1]}, since {holder[4]})" if holder else ""
            raise LockTimeout(
                f"another migrate.py is applying migrations to this database{who}; "
                f"gave up after {timeout:g}s (--lock-timeout)"
            )
        time.sleep(0.1)


def _run_file(cur: psycopg.Cursor, f: SqlFile) -> float:
    t0 = time.perf_counter()
    # Each file starts from the same session state, whatever the previous one set.
    cur.execute("reset role")
    cur.execute("select pg_catalog.set_config('search_path', '\"$user\", public', true)")
    for st in f.statements():
        try:
            cur.execute(st.text)
        except psycopg.Error as exc:
            diag = exc.diag
            line = st.line
            pos = diag.statement_position
            if pos:
                line = st.line + st.text[: int(pos) - 1].lstrip("\n").count("\n")
            msg = diag.message_primary or str(exc)
            if diag.message_detail:
                msg += f" — {diag.message_detail}"
            if diag.context and "PL/pgSQL" in diag.context:
                msg += f" [{diag.context.splitlines()[0]}]"
            raise ApplyError(f.name, line, st.excerpt(), diag.sqlstate, msg) from exc
    return (time.perf_counter() - t0) * 1000


def up(dsn: str, sql_root: Path = SQL_ROOT, lock_timeout: float = 30.0, reconcile_cron: bool = True,
       default_privileges: str | None = None) -> UpResult:
    t_start = time.perf_counter()
    regime = shim_mod.regime(default_privileges)  # ValueError before anything runs
    versioned, repeatable = discover(sql_root)
    # Parse everything before touching the database: a refused statement fails fast.
    for f in (*versioned, *repeatable):
        f.statements()
    with connect(dsn, application_name="dgskills-migrate") as conn:
        _acquire_lock(conn, lock_timeout)
        try:
            return _up_locked(conn, versioned, repeatable, sql_root, lock_timeout, reconcile_cron, t_start, regime)
        finally:
            if not conn.closed and not conn.broken:
                conn.execute("select pg_catalog.pg_advisory_unlock(%s)", (LOCK_KEY,))


def _up_locked(conn, versioned, repeatable, sql_root, lock_timeout, reconcile_cron, t_start,
               regime: str = "legacy") -> UpResult:
    p = plan(conn, sql_root)
    if p.edited:
        names = ", ".join(f.file for f in p.edited)
        raise EditedFiles(
            f"refusing to run: applied migration(s) edited afterwards: {names}. "
            "Restore the applied text and put the change in a new versioned file."
        )
    pending = {f.file for f in p.pending_versioned}
    todo_v = [f for f in versioned if f.name in pending]
    changed = {f.file for f in p.changed_repeatable}
    todo_r = repeatable if todo_v or p.shim_needed else [f for f in repeatable if f.name in changed]
    applied: list[Applied] = []
    cron_result: cron_sync.ReconcileResult | None = None
    with conn.transaction():
        cur = conn.cursor()
        cur.execute(
            pgsql.SQL("select pg_catalog.set_config('lock_timeout', {}, true)").format(
                pgsql.Literal(f"{int(lock_timeout * 1000)}ms")
            )
        )
        shim = False
        if p.shim_needed:
            t0 = time.perf_counter()
            try:
                cur.execute("select pg_catalog.set_config(%s, %s, true)",
                            (shim_mod.SETTING, regime))
                cur.execute(SHIM_FILE.read_text())
            except psycopg.Error as exc:
                raise ApplyError("dgskills_db/sql/auth_shim.sql", 1, "auth shim", exc.diag.sqlstate,
                                 exc.diag.message_primary or str(exc)) from exc
            shim = True
            applied.append(Applied("auth shim (S-AUTH-1)", "shim", (time.perf_counter() - t0) * 1000))
        cur.execute(_META_DDL)
        for f in [*todo_v, *todo_r]:
            ms = _run_file(cur, f)
            cur.execute(
                f"insert into {META_SCHEMA}.history (kind, file, checksum, duration_ms) values (%s, %s, %s, %s)",
                (f.kind, f.name, f.checksum, round(ms, 3)),
            )
            applied.append(Applied(f.name, f.kind, ms))
        if reconcile_cron:
            try:
                cron_result = cron_sync.reconcile_in_transaction(conn)
            except psycopg.Error as exc:
                raise ApplyError("cron.job (reconciling the retention declaration)", 0,
                                 "cron.schedule(...)", exc.diag.sqlstate,
                                 exc.diag.message_primary or str(exc)) from exc
    if reconcile_cron and cron_result is not None and cron_result.mode == "other-database":
        cron_result = cron_sync.reconcile_other_database(conn, cron_result)
    return UpResult(applied, shim, cron_result, (time.perf_counter() - t_start) * 1000)


__all__ = [
    "ApplyError", "EditedFiles", "LockTimeout", "RunnerError", "SqlFileError", "Plan", "UpResult",
    "plan", "up", "connect", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_EDITED", "EXIT_LOCKED",
]
