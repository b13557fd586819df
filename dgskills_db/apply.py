"""Applying files: the deploy transaction, the runner's advisory lock, errors that point at
the line, cancellation that leaves nothing behind.

One `up` is one transaction: the auth shim (when needed), every pending versioned file,
then the repeatable files that changed (all of them when a versioned file was applied),
then the check that every function body still fits the schema, then the reconciliation
of pg_cron jobs when pg_cron lives in this database. A failure rolls all of it back and
names the file, line, column and statement with PostgreSQL's SQLSTATE, DETAIL, HINT and
CONTEXT.

One runner at a time: a session-level advisory lock taken with `pg_try_advisory_lock`
polled until the wait runs out, never a blocking wait that could deadlock. The history
is read only after the lock is held, so a runner that waited sees what the other one
applied.

Cancellation: a KeyboardInterrupt (SIGINT, or SIGTERM turned into one by the CLI) that
arrives while a statement runs makes psycopg cancel it on the server; the transaction
is rolled back, the connection closed (its backend and locks go with it) and
`Interrupted` says what was rolled back.
"""

from __future__ import annotations

import dataclasses
import signal
import time
from pathlib import Path
from typing import Any, Callable

import psycopg
from psycopg import sql as pgsql

from . import bodies, history
from . import shim as shim_mod
from . import cron as cron_sync
from .errors import ApplyError, BrokenFunctions, Interrupted, LockTimeout
from .plan import SQL_ROOT, Plan, plan
from .sqlfiles import SqlFile, discover

SHIM_FILE = Path(__file__).resolve().parent / "sql" / "auth_shim.sql"
# pg_advisory_lock key: the first 8 bytes of sha256('dgskills-db migrate'), as a signed bigint.
LOCK_KEY = 0x5D6B_1A7E_2C44_0F19
APPLICATION_NAME = "dgskills-migrate"

Progress = Callable[[str], None]


class Cancelled(KeyboardInterrupt):
    """Raised by the CLI's signal handlers (SIGINT, SIGTERM); psycopg cancels the running statement."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


@dataclasses.dataclass
class Applied:
    file: str
    kind: str
    ms: float
    action: str = "apply"


@dataclasses.dataclass
class UpResult:
    applied: list[Applied]
    shim_installed: bool
    cron: cron_sync.ReconcileResult | None
    total_ms: float
    notes: list[str] = dataclasses.field(default_factory=list)

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
            "notes": self.notes,
        }


def connect(dsn: str, **kw: Any) -> psycopg.Connection:
    kw.setdefault("application_name", APPLICATION_NAME)
    return psycopg.connect(dsn, autocommit=True, **kw)


def acquire_lock(conn: psycopg.Connection, timeout: float) -> None:
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


def release_lock(conn: psycopg.Connection) -> None:
    if not conn.closed and not conn.broken:
        conn.execute("select pg_catalog.pg_advisory_unlock(%s)", (LOCK_KEY,))


def run_file(conn: psycopg.Connection, f: SqlFile) -> float:
    """Run one file's statements in the current transaction; ms taken. Errors point at file:line:column."""
    t0 = time.perf_counter()
    cur = conn.cursor()
    # Each file starts from the same session state, whatever the previous one set.
    cur.execute("reset role")
    cur.execute("select pg_catalog.set_config('search_path', '\"$user\", public', true)")
    for st in f.statements():
        try:
            cur.execute(st.text)
        except psycopg.Error as exc:
            pos = exc.diag.statement_position
            line, column = st.position(f.text, int(pos)) if pos else (st.line, None)
            raise ApplyError.from_diag(exc, f.name, line, st.excerpt(), column) from exc
    return (time.perf_counter() - t0) * 1000


def parse_all(files: list[SqlFile]) -> None:
    """Parse everything before touching the database: a refused statement fails fast."""
    for f in files:
        f.statements()
        if f.revert is not None:
            f.revert.statements()


def up(dsn: str, sql_root: Path = SQL_ROOT, lock_timeout: float = 30.0, reconcile_cron: bool = True, *,
       allow_missing: bool = False, out_of_order: bool = False, progress: Progress | None = None,
       check_bodies: bool = True, default_privileges: str | None = None) -> UpResult:
    t_start = time.perf_counter()
    regime = shim_mod.regime(default_privileges)  # ValueError before anything runs
    versioned, repeatable = discover(sql_root)
    parse_all([*versioned, *repeatable])
    notes = [f"{f.name}: {n}" for f in (*versioned, *repeatable) for n in f.notes]
    with connect(dsn) as conn:
        done: list[str] = []
        try:
            acquire_lock(conn, lock_timeout)
            try:
                res = _up_locked(conn, versioned, repeatable, sql_root, reconcile_cron, allow_missing, out_of_order,
                                 progress, check_bodies, done, lock_timeout, regime)
            finally:
                release_lock(conn)
        except KeyboardInterrupt as exc:
            raise Interrupted(getattr(exc, "signum", signal.SIGINT), done) from None
    res.total_ms = (time.perf_counter() - t_start) * 1000
    res.notes = notes
    return res


def _up_locked(conn, versioned, repeatable, sql_root, reconcile_cron, allow_missing, out_of_order, progress,
               check_bodies, done, lock_timeout, regime="legacy") -> UpResult:
    p: Plan = plan(conn, sql_root)
    refusal = p.refusal(allow_missing=allow_missing, out_of_order=out_of_order)
    if refusal:
        raise refusal
    pending = {f.file for f in p.pending_versioned}
    todo_v = [f for f in versioned if f.name in pending]
    changed = {f.file for f in p.changed_repeatable}
    todo_r = repeatable if todo_v or p.shim_needed else [f for f in repeatable if f.name in changed]
    applied: list[Applied] = []
    cron_result: cron_sync.ReconcileResult | None = None
    with conn.transaction():
        conn.execute(pgsql.SQL("select pg_catalog.set_config('lock_timeout', {}, true)").format(
            pgsql.Literal(f"{int(lock_timeout * 1000)}ms")))
        shim = False
        if p.shim_needed:
            if progress:
                progress("auth shim (S-AUTH-1)")
            t0 = time.perf_counter()
            try:
                conn.execute("select pg_catalog.set_config(%s, %s, true)", (shim_mod.SETTING, regime))
                conn.execute(SHIM_FILE.read_text())
            except psycopg.Error as exc:
                raise ApplyError.from_diag(exc, "dgskills_db/sql/auth_shim.sql", 1, "auth shim") from exc
            shim = True
            done.append("auth shim (S-AUTH-1)")
            applied.append(Applied("auth shim (S-AUTH-1)", "shim", (time.perf_counter() - t0) * 1000))
        if todo_v or todo_r or p.renamed or not history.exists(conn):
            history.ensure(conn)
        for s in p.renamed:
            f = next(x for x in (*versioned, *repeatable) if x.name == s.file)
            history.record(conn, f.kind, s.renamed_from, s.applied_checksum, action="renamed", note=f"now {f.name}")
            history.record(conn, f.kind, f.name, f.checksum, action="rename", note=f"was {s.renamed_from}")
            applied.append(Applied(f.name, f.kind, 0.0, "rename"))
        for f in [*todo_v, *todo_r]:
            if progress:
                progress(f.name)
            done.append(f.name)  # rolled back with the rest if interrupted while it runs
            ms = run_file(conn, f)
            history.record(conn, f.kind, f.name, f.checksum, ms)
            applied.append(Applied(f.name, f.kind, ms))
        if check_bodies and (todo_v or todo_r or shim):
            broken = bodies.check(conn)
            if broken:
                raise BrokenFunctions(broken)
        if reconcile_cron:
            try:
                cron_result = cron_sync.reconcile_in_transaction(conn)
            except psycopg.Error as exc:
                raise ApplyError.from_diag(exc, "cron.job (reconciling the retention declaration)", 0,
                                           "cron.schedule(...)") from exc
    if reconcile_cron and cron_result is not None and cron_result.mode == "other-database":
        cron_result = cron_sync.reconcile_other_database(conn, cron_result)
    return UpResult(applied, shim, cron_result, 0.0)
