"""`migrate.py revert --to NNNN`: undo applied versioned files newer than NNNN.

Each versioned file may have a revert file beside it (`NNNN_name.revert.sql`). The revert
files of every applied versioned file numbered above NNNN run newest first, in one
transaction, under the same advisory lock, error reporting and function-body check as
`up`; each is recorded in the history as `revert`, so a later `up` applies the file
again. A file without a revert file blocks a revert past it, by name: the project rolls
forward (a new versioned file that undoes the change) for those.
"""

from __future__ import annotations

import dataclasses
import signal
import time
from pathlib import Path
from typing import Any

from . import bodies, history
from psycopg import sql as pgsql

from .apply import (LOCK_WAIT, STATEMENT_LOCK_TIMEOUT, Applied, Progress, acquire_lock, connect, parse_all,
                    release_lock, retrying, run_file)
from .errors import BrokenFunctions, Interrupted, Refused
from .plan import SQL_ROOT, plan, version_of
from .sqlfiles import discover


@dataclasses.dataclass
class RevertResult:
    reverted: list[Applied]
    total_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {"reverted": [dataclasses.asdict(a) for a in self.reverted], "total_ms": round(self.total_ms, 1)}


def revert(dsn: str, to: int, sql_root: Path = SQL_ROOT, lock_timeout: float = 30.0, *,
           progress: Progress | None = None, check_bodies: bool = True,
           statement_lock_timeout: float = STATEMENT_LOCK_TIMEOUT, lock_wait: float = LOCK_WAIT) -> RevertResult:
    t0 = time.perf_counter()
    versioned, _ = discover(sql_root)
    parse_all(versioned)
    done: list[str] = []
    with connect(dsn) as conn:
        try:
            acquire_lock(conn, lock_timeout)
            try:
                reverted = _revert_locked(conn, dsn, to, versioned, sql_root, progress, check_bodies, done,
                                          statement_lock_timeout, lock_wait)
            finally:
                release_lock(conn)
        except KeyboardInterrupt as exc:
            raise Interrupted(getattr(exc, "signum", signal.SIGINT), done) from None
    return RevertResult(reverted, (time.perf_counter() - t0) * 1000)


def _revert_locked(conn, dsn, to, versioned, sql_root, progress, check_bodies, done, statement_lock_timeout,
                   lock_wait) -> list[Applied]:
    p = plan(conn, sql_root)
    if p.edited:
        raise Refused("refusing to revert: applied migration(s) edited afterwards: "
                      + ", ".join(f.file for f in p.edited) + " (their revert files may not fit what was applied)")
    applied = [s for s in p.files if s.kind == "versioned" and s.state == "applied" and (version_of(s.file) or 0) > to]
    missing = [s.file for s in p.files if s.kind == "versioned" and s.state == "missing"
               and (version_of(s.file) or 0) > to]
    if missing:
        raise Refused("refusing to revert: applied migration(s) above " f"{to} are no longer on disk: "
                      + ", ".join(missing))
    files = {f.name: f for f in versioned}
    todo = sorted((files[s.file] for s in applied), key=lambda f: f.version or 0, reverse=True)
    blocked = [f.name for f in todo if f.revert is None]
    if blocked:
        raise Refused(f"cannot revert to {to}: no revert file for " + ", ".join(blocked)
                      + ". Write NNNN_name.revert.sql beside it, or roll forward with a new versioned file")
    return retrying(conn, dsn, lock_wait, lambda: _revert_once(conn, todo, progress, check_bodies, done,
                                                                statement_lock_timeout))


def _revert_once(conn, todo, progress, check_bodies, done, statement_lock_timeout) -> list[Applied]:
    done.clear()
    out: list[Applied] = []
    with conn.transaction():
        conn.execute(pgsql.SQL("select pg_catalog.set_config('lock_timeout', {}, true)").format(
            pgsql.Literal(f"{max(int(statement_lock_timeout * 1000), 1)}ms")))
        for f in todo:
            if progress:
                progress(f.revert.name)
            done.append(f.revert.name)
            ms = run_file(conn, f.revert)
            history.record(conn, "versioned", f.name, f.checksum, ms, action="revert", note=f.revert.name)
            out.append(Applied(f.revert.name, "revert", ms, "revert"))
        if check_bodies and todo:
            broken = bodies.check(conn)
            if broken:
                raise BrokenFunctions(broken)
    return out
