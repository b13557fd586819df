"""Applying files: the deploy transaction, the runner's advisory lock, errors that point at
the line, cancellation that leaves nothing behind.

One `up` is one transaction: the auth shim (when needed), every pending versioned file,
then the repeatable files that changed and, after a versioned file, the unchanged ones whose
objects the forecast (touch.forecast, the same one `plan` lists) says would differ from a
fresh build — then any the forecast missed, found by reading the live catalog — then the check that every function body still fits the schema, then the reconciliation
of pg_cron jobs when pg_cron lives in this database. A failure rolls all of it back and
names the file, line, column and statement with PostgreSQL's SQLSTATE, DETAIL, HINT and
CONTEXT.

Before a deploy that changes something, the drift gate (drift.gate) refuses to deploy
onto a schema that differs from what its history says, unless allowed.

Polite locking (S-UP-1): every statement runs with a short `lock_timeout`
(`--statement-lock-timeout`, 2 s), so API requests never queue behind a waiting DDL
statement for longer than that. When a lock is not granted in time the whole deploy
transaction is rolled back and retried with exponential backoff and jitter until
`--lock-wait` is spent; then the runner gives up, changing nothing, and names the
sessions that blocked it (pid, user, application, state, transaction age, query).
Files run in one fixed order, so two deploys take their locks in the same order.

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
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

import psycopg
from psycopg import sql as pgsql

from . import bodies, drift, history, touch
from . import shim as shim_mod
from . import cron as cron_sync
from .errors import ApplyError, BrokenFunctions, DriftDetected, Interrupted, LockTimeout, LockWaitExceeded, RunnerError
from .plan import SQL_ROOT, Plan, plan
from .sqlfiles import SqlFile, discover

SHIM_FILE = Path(__file__).resolve().parent / "sql" / "auth_shim.sql"
# pg_advisory_lock key: the first 8 bytes of sha256('dgskills-db migrate'), as a signed bigint.
LOCK_KEY = 0x5D6B_1A7E_2C44_0F19
APPLICATION_NAME = "dgskills-migrate"

Progress = Callable[[str], None]
LOCK_NOT_AVAILABLE = "55P03"
# A deploy that loses a deadlock (its own detector fired) gives way and retries, like a lock timeout.
RETRYABLE = (LOCK_NOT_AVAILABLE, "40P01")
STATEMENT_LOCK_TIMEOUT = 1.0
LOCK_WAIT = 60.0


class _DryRun(Exception):
    """Rolls the deploy transaction back, carrying what it did."""

    def __init__(self, result: "UpResult"):
        super().__init__("dry run")
        self.result = result


class BlockerWatch:
    """While a deploy attempt runs: who blocks its backend (polled from a second connection)."""

    QUERY = """select a.pid, a.usename, a.application_name, a.state,
                      extract(epoch from pg_catalog.now() - coalesce(a.xact_start, a.query_start))::int,
                      pg_catalog.left(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), 120)
                 from pg_catalog.pg_stat_activity a
                where a.pid = any(pg_catalog.pg_blocking_pids(%s)) order by a.pid"""

    def __init__(self, dsn: str, pid: int, every: float = 0.1):
        self.dsn, self.pid, self.every = dsn, pid, every
        self.blockers: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # Signals must reach the main thread: it is the one waiting in libpq, and psycopg cancels the
        # statement only when the interrupt is raised there.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            with psycopg.connect(self.dsn, autocommit=True, application_name=APPLICATION_NAME + " (watch)") as c:
                while not self._stop.is_set():
                    rows = c.execute(self.QUERY, (self.pid,)).fetchall()
                    if rows:
                        self.blockers = rows
                    self._stop.wait(self.every)
        except psycopg.Error:
            pass  # naming blockers is best effort; the deploy itself is unaffected

    def __enter__(self) -> "BlockerWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def describe(self) -> str:
        if not self.blockers:
            return "no blocking session was seen"
        return "; ".join(f"pid {pid} (user {user}, application {app or '-'}, {state}, transaction open {age} s): "
                         f"{query}" for pid, user, app, state, age, query in self.blockers)


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
    unchanged: list[str] = dataclasses.field(default_factory=list)  # repeatable files equal to the catalog
    locks: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (relation, mode) held after any statement or at commit
    dry_run: bool = False

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
            "unchanged": self.unchanged,
            "locks": [{"relation": r, "mode": m} for r, m in self.locks],
            "dry_run": self.dry_run,
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


# The table locks this backend holds (a relation dropped in this transaction by its oid: its
# lock is held until commit although its name is gone).
HELD_LOCKS = """
select coalesce(n.nspname || '.' || c.relname, 'relation ' || l.relation::text || ' (dropped by this deploy)'), l.mode
  from pg_catalog.pg_locks l
  left join pg_catalog.pg_class c on c.oid = l.relation
  left join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'relation' and l.granted
   and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
   and coalesce(n.nspname, '') not in ('pg_catalog', 'information_schema', 'pg_toast')
 order by 1, 2"""


def held_locks(conn: psycopg.Connection) -> set[tuple[str, str]]:
    return {(r, m) for r, m in conn.execute(HELD_LOCKS).fetchall()}


# Statements that cannot drop or rename a relation (the parse tree's node type; a DROP of a
# policy or trigger neither). Before any other statement the deploy's table locks are read,
# so that a relation it drops or renames later is reported by the name it had.
KEEPS_RELATION_NAMES = frozenset({
    "CreateStmt", "IndexStmt", "CreateFunctionStmt", "CommentStmt", "GrantStmt", "GrantRoleStmt",
    "CreatePolicyStmt", "AlterPolicyStmt", "CreateTrigStmt", "CreateSchemaStmt", "ViewStmt", "CreateSeqStmt",
    "AlterSeqStmt", "AlterFunctionStmt", "AlterDefaultPrivilegesStmt", "CreateRoleStmt", "AlterRoleStmt",
    "CreateDomainStmt", "CompositeTypeStmt", "CreateEnumStmt", "VariableSetStmt", "CreateExtensionStmt",
})
SAMPLE_EVERY_STATEMENT = False  # True: read the locks after every statement (the reference the tests compare with)


def may_unname_relations(text: str) -> bool:
    """Whether a statement might drop or rename a relation (or run code that might)."""
    import pglast

    try:
        node = pglast.parse_sql(text)[0].stmt
    except pglast.parser.ParseError:
        return True
    from pglast.enums import AlterTableType, ObjectType

    kind = type(node).__name__
    if kind == "DropStmt":
        return node.removeType not in (ObjectType.OBJECT_POLICY, ObjectType.OBJECT_TRIGGER)
    if kind == "AlterTableStmt":
        # dropping a constraint drops its index; other subcommands keep every relation's name
        return any(getattr(c, "subtype", None) == AlterTableType.AT_DropConstraint for c in node.cmds or ())
    return kind not in KEEPS_RELATION_NAMES


def run_file(conn: psycopg.Connection, f: SqlFile, locks: set[tuple[str, str]] | None = None) -> float:
    """Run one file's statements in the current transaction; ms taken. Errors point at file:line:column.
    With `locks`, the table locks the deploy holds are added to it before every statement that
    might drop or rename a relation: a lock is kept to the end of the transaction (which reads
    them once more), so this names every relation as the reading after every statement would,
    at a fraction of the cost (each reading scans the whole lock table, which the deploy fills:
    seconds over a whole deploy). Not seen, either way: what a savepoint inside a statement
    locked and rolled back (a PL/pgSQL block with an EXCEPTION clause)."""
    t0 = time.perf_counter()
    cur = conn.cursor()
    # Each file starts from the same session state, whatever the previous one set.
    cur.execute("reset role")
    cur.execute("select pg_catalog.set_config('search_path', '\"$user\", public', true)")
    for st in f.statements():
        if locks is not None and not SAMPLE_EVERY_STATEMENT and may_unname_relations(st.text):
            locks |= held_locks(conn)
        try:
            cur.execute(st.text)
        except psycopg.Error as exc:
            pos = exc.diag.statement_position
            line, column = st.position(f.text, int(pos)) if pos else (st.line, None)
            raise ApplyError.from_diag(exc, f.name, line, st.excerpt(), column) from exc
        if locks is not None and SAMPLE_EVERY_STATEMENT:
            locks |= held_locks(conn)
    return (time.perf_counter() - t0) * 1000


def parse_all(files: list[SqlFile]) -> None:
    """Parse everything before touching the database: a refused statement fails fast."""
    for f in files:
        f.statements()
        if f.revert is not None:
            f.revert.statements()


def up(dsn: str, sql_root: Path = SQL_ROOT, lock_timeout: float = 30.0, reconcile_cron: bool = True, *,
       allow_missing: bool = False, out_of_order: bool = False, progress: Progress | None = None,
       check_bodies: bool = True, default_privileges: str | None = None, statement_lock_timeout: float = STATEMENT_LOCK_TIMEOUT,
       lock_wait: float = LOCK_WAIT, recorder: "touch.Recorder | None" = None, compare: bool = True,
       dry_run: bool = False, allow_drift: bool = False) -> UpResult:
    """Deploy sql/ (see the module's docstring). dry_run: do all of it, report what changed, the
    locks held and the time, then roll back."""
    t_start = time.perf_counter()
    regime = shim_mod.regime(default_privileges)  # ValueError before anything runs
    versioned, repeatable = discover(sql_root)
    parse_all([*versioned, *repeatable])
    notes = [f"{f.name}: {n}" for f in (*versioned, *repeatable) for n in f.notes]
    with connect(dsn) as conn:
        # read by the auth shim, if it is installed (our own connection: session-wide is harmless)
        conn.execute("select pg_catalog.set_config(%s, %s, false)", (shim_mod.SETTING, regime))
        done: list[str] = []
        try:
            acquire_lock(conn, lock_timeout)
            try:
                res = _up_locked(conn, dsn, versioned, repeatable, sql_root, reconcile_cron, allow_missing,
                                 out_of_order, progress, check_bodies, done, statement_lock_timeout, lock_wait,
                                 recorder, compare, notes, dry_run, allow_drift)
            finally:
                release_lock(conn)
        except KeyboardInterrupt as exc:
            raise Interrupted(getattr(exc, "signum", signal.SIGINT), done) from None
    res.total_ms = (time.perf_counter() - t_start) * 1000
    res.notes = notes + res.notes
    return res


def retrying(conn: psycopg.Connection, dsn: str, lock_wait: float, attempt: Callable[[], Any]) -> Any:
    """Run `attempt` (one whole transaction); when a lock is not granted in time, roll back and
    retry with backoff and jitter until `lock_wait` seconds are spent, then name the blockers."""
    deadline = time.monotonic() + lock_wait
    delay, tries = 0.2, 0
    while True:
        tries += 1
        with BlockerWatch(dsn, conn.info.backend_pid) as watch:
            try:
                return attempt()
            except ApplyError as exc:
                if exc.sqlstate not in RETRYABLE:
                    raise
                failed = exc
        left = deadline - time.monotonic()
        if left <= 0:
            raise LockWaitExceeded(failed, watch.describe(), tries, lock_wait)
        time.sleep(min(left, delay * random.uniform(0.5, 1.5)))
        delay = min(delay * 2, 5.0)


def _up_locked(conn, dsn, versioned, repeatable, sql_root, reconcile_cron, allow_missing, out_of_order, progress,
               check_bodies, done, statement_lock_timeout, lock_wait, recorder, compare, notes, dry_run,
               allow_drift=False) -> UpResult:
    p: Plan = plan(conn, sql_root)
    refusal = p.refusal(allow_missing=allow_missing, out_of_order=out_of_order)
    if refusal:
        raise refusal
    if compare and gate_applies(p):
        # The drift gate: deploy only onto the schema the history describes.
        found, note = drift.gate(dsn, sql_root, p, versioned, repeatable)
        if note:
            notes.append(note)
        if found and not allow_drift:
            raise DriftDetected(found)
        if found:
            notes.append(f"--allow-drift: deploying onto a schema with {len(found)} difference(s) from its history")
    fc = repeatable_forecast(conn, dsn, sql_root, p, versioned, repeatable, compare)
    if fc is not None and fc.note:
        notes.append(fc.note)

    # A `--! no-transaction` versioned file splits the deploy: the files before it are committed,
    # it runs on its own (outside any transaction, resumable), then the rest continues.
    pending = {f.file for f in p.pending_versioned}
    todo_v = [f for f in versioned if f.name in pending]
    segments: list[tuple[list[SqlFile], SqlFile | None]] = []
    current: list[SqlFile] = []
    for f in todo_v:
        if f.transactional:
            current.append(f)
        elif dry_run:
            notes.append(f"{f.name} runs outside a transaction: a dry run leaves it out")
            p = dataclasses.replace(p, files=[s for s in p.files if s.file != f.name])
        else:
            segments.append((current, f))
            current = []
    early: list[Applied] = []
    for before, nontx in segments:
        if before:
            seg_plan = dataclasses.replace(p, files=[s for s in p.files if s.kind == "versioned"
                                                     and s.file in {f.name for f in before}], shim_needed=p.shim_needed)
            res = retrying(conn, dsn, lock_wait, lambda sp=seg_plan: _deploy(
                conn, sp, versioned, [], False, progress, False, done, statement_lock_timeout, None, None, dry_run,
                repeatables_too=False))
            early += res.applied
            p.shim_needed = False
        early.append(run_non_transactional(conn, dsn, nontx, progress, statement_lock_timeout, lock_wait))
    if segments:
        ran = {f.name for before, n in segments for f in [*before, *([n] if n else [])]}
        p = dataclasses.replace(p, files=[s for s in p.files if s.file not in ran])

    def attempt() -> UpResult:
        done.clear()
        try:
            return _deploy(conn, p, versioned, repeatable, reconcile_cron, progress, check_bodies, done,
                           statement_lock_timeout, recorder, fc, dry_run, versioned_ran=bool(segments))
        except _DryRun as rolled_back:
            return rolled_back.result

    res = retrying(conn, dsn, lock_wait, attempt)
    res.applied = early + res.applied
    return res


def gate_applies(p: Plan) -> bool:
    """Whether `up` runs the drift gate: a deploy that changes something onto a database with a history."""
    has_history = any(s.kind == "versioned" and s.state in ("applied", "renamed") for s in p.files)
    return has_history and not p.shim_needed and bool(p.pending_versioned or p.changed_repeatable)


def repeatable_forecast(conn: psycopg.Connection, dsn: str, sql_root: Path, p: Plan, versioned: list[SqlFile],
                        repeatable: list[SqlFile], compare: bool = True) -> "touch.Forecast | None":
    """Which unchanged repeatable files the deploy re-runs (touch.forecast), or None when the
    question does not arise: without pending versioned files only changed repeatable files run;
    onto an empty database (the shim pending) every file runs."""
    applied_unchanged = any(f.kind == "repeatable" and f.state == "applied" for f in p.files)
    if not (compare and p.pending_versioned and applied_unchanged and not p.shim_needed):
        return None
    return touch.forecast(conn, dsn, sql_root, p, versioned, repeatable)


def will_apply(p: Plan, versioned: list[SqlFile], repeatable: list[SqlFile],
               fc: "touch.Forecast | None") -> list[str]:
    """The files `up` runs, in order (renamed files are only recorded): what `plan` lists."""
    pending = {f.file for f in p.pending_versioned}
    changed = {f.file for f in p.changed_repeatable}
    todo_v = [f.name for f in versioned if f.name in pending]
    if p.shim_needed or (todo_v and (fc is None or not fc.exact)):
        todo_r = [f.name for f in repeatable]
    else:
        todo_r = [f.name for f in repeatable if f.name in changed or (fc is not None and f.name in fc.rerun)]
    return todo_v + todo_r


def _index_targets(f: SqlFile) -> list[tuple[str, str]]:
    """(schema, index) of every CREATE INDEX CONCURRENTLY with a name in a file."""
    import pglast
    from pglast import ast

    out = []
    for st in f.statements():
        node = pglast.parse_sql(st.text)[0].stmt
        if isinstance(node, ast.IndexStmt) and node.concurrent and node.idxname:
            out.append((node.relation.schemaname or "public", node.idxname))
    return out


def run_non_transactional(conn: psycopg.Connection, dsn: str, f: SqlFile, progress: Progress | None,
                          statement_lock_timeout: float, lock_wait: float) -> Applied:
    """Run a `--! no-transaction` file statement by statement in autocommit. Resumable: it is recorded
    only when every statement succeeded, so a run killed half-way runs again; an index that a killed
    CREATE INDEX CONCURRENTLY left invalid is dropped (concurrently) and built again."""
    if progress:
        progress(f.name)
    t0 = time.perf_counter()
    for schema, name in _index_targets(f):
        invalid = conn.execute(
            """select exists (select from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
                               join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                              where n.nspname = %s and c.relname = %s and not i.indisvalid)""",
            (schema, name)).fetchone()[0]
        if invalid:
            conn.execute(pgsql.SQL("drop index concurrently if exists {}.{}").format(
                pgsql.Identifier(schema), pgsql.Identifier(name)))
    conn.execute("reset role")
    conn.execute("set search_path = \"$user\", public")
    for st in f.statements():
        deadline = time.monotonic() + lock_wait
        delay = 0.2
        while True:
            import pglast
            from pglast import ast

            node = pglast.parse_sql(st.text)[0].stmt
            # a concurrent build waits for older transactions by design; it blocks no reads or writes
            concurrent = isinstance(node, (ast.IndexStmt, ast.DropStmt)) and node.concurrent
            conn.execute(pgsql.SQL("set lock_timeout = {}").format(
                pgsql.Literal("0" if concurrent else f"{max(int(statement_lock_timeout * 1000), 1)}ms")))
            try:
                with BlockerWatch(dsn, conn.info.backend_pid) as watch:
                    conn.execute(st.text)
                break
            except psycopg.Error as exc:
                pos = exc.diag.statement_position
                line, column = st.position(f.text, int(pos)) if pos else (st.line, None)
                err = ApplyError.from_diag(exc, f.name, line, st.excerpt(), column)
                if exc.diag.sqlstate != LOCK_NOT_AVAILABLE:
                    raise err from exc
                if time.monotonic() >= deadline:
                    raise LockWaitExceeded(err, watch.describe(), 0, lock_wait) from exc
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 5.0)
    conn.execute("reset lock_timeout")
    conn.execute("reset search_path")
    ms = (time.perf_counter() - t0) * 1000
    history.ensure(conn)
    history.record(conn, f.kind, f.name, f.checksum, ms, note="no-transaction")
    return Applied(f.name, f.kind, ms, "apply")


def _deploy(conn, p: Plan, versioned, repeatable, reconcile_cron, progress, check_bodies, done,
            statement_lock_timeout, recorder, fc: "touch.Forecast | None", dry_run=False, repeatables_too=True,
            versioned_ran=False) -> UpResult:
    pending = {f.file for f in p.pending_versioned}
    todo_v = [f for f in versioned if f.name in pending]
    changed = {f.file for f in p.changed_repeatable}
    # After a versioned file every repeatable file is a candidate: the forecast (the same one `plan`
    # shows) names those that run; without one, all of them run.
    if todo_v or p.shim_needed or versioned_ran:
        exact = fc is not None and fc.exact and not p.shim_needed
        todo_r = [f for f in repeatable if not exact or f.name in changed or f.name in fc.rerun]
        unchanged = [f.name for f in repeatable if exact and f.name not in {x.name for x in todo_r}]
    else:
        todo_r, unchanged = [f for f in repeatable if f.name in changed], []
    if not repeatables_too:
        todo_r, unchanged = [], []
    late_notes: list[str] = []
    seen: set[tuple[str, str]] = set()  # table locks held after each statement (run_file)
    applied: list[Applied] = []
    cron_result: cron_sync.ReconcileResult | None = None
    with conn.transaction():
        conn.execute(pgsql.SQL("select pg_catalog.set_config('lock_timeout', {}, true)").format(
            pgsql.Literal(f"{max(int(statement_lock_timeout * 1000), 1)}ms")))
        shim = False
        if p.shim_needed:
            if progress:
                progress("auth shim (S-AUTH-1)")
            t0 = time.perf_counter()
            try:
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
        def run(f: SqlFile) -> None:
            if progress:
                progress(f.name)
            done.append(f.name)  # rolled back with the rest if interrupted while it runs
            if recorder and f.kind == "repeatable":
                recorder.before(conn, f)
            ms = run_file(conn, f, seen)
            if recorder and f.kind == "repeatable":
                recorder.after(conn, f)
            history.record(conn, f.kind, f.name, f.checksum, ms)
            applied.append(Applied(f.name, f.kind, ms))

        for f in [*todo_v, *todo_r]:
            run(f)
        if unchanged:
            # The forecast proven: a file left out whose objects still differ from the fresh build runs now.
            live = touch.snapshot(conn, fc.decl.tables)
            for f in [x for x in repeatable if x.name in unchanged]:
                stale = fc.decl.stale(live, f)
                if stale:
                    run(f)
                    unchanged.remove(f.name)
                    late_notes.append(f"{f.name}: re-run although the forecast (`plan`) said unchanged: "
                                      f"{', '.join(stale[:5])} differed from a fresh build after the deploy")
                    live = touch.snapshot(conn, fc.decl.tables)
        if check_bodies and (todo_v or todo_r or shim):
            broken = bodies.check(conn)
            if broken:
                raise BrokenFunctions(broken)
        locks = sorted(seen | held_locks(conn))
        if reconcile_cron:
            try:
                cron_result = cron_sync.reconcile_in_transaction(conn)
            except psycopg.Error as exc:
                raise ApplyError.from_diag(exc, "cron.job (reconciling the retention declaration)", 0,
                                           "cron.schedule(...)") from exc
        if dry_run and repeatables_too:
            raise _DryRun(UpResult(applied, shim, cron_result, 0.0, notes=late_notes, unchanged=unchanged,
                                   locks=locks, dry_run=True))
    if reconcile_cron and cron_result is not None and cron_result.mode == "other-database":
        cron_result = cron_sync.reconcile_other_database(conn, cron_result)
    return UpResult(applied, shim, cron_result, 0.0, notes=late_notes, unchanged=unchanged, locks=locks)
