"""Adopting an existing database (`baseline`) and accepting a harmless edit (`repair`).

Both prove their claim before writing it down: a fresh build of `sql/` into a scratch
database must equal the live schema (the drift check). Then, under the runner's lock,
the history records the files as applied (`baseline`) or the edited file's new checksum
(`repair`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from . import drift, history
from .apply import acquire_lock, connect, release_lock
from .errors import Refused
from .findings import Finding
from .plan import SQL_ROOT, plan
from .sqlfiles import discover


@dataclasses.dataclass
class AdoptResult:
    recorded: list[str]
    action: str

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "recorded": self.recorded}


class Differs(Refused):
    def __init__(self, what: str, findings: list[Finding]):
        self.findings = findings
        lines = "\n".join(f"  {f.object}: {f.detail}" for f in findings[:50])
        more = f"\n  … and {len(findings) - 50} more" if len(findings) > 50 else ""
        super().__init__(f"{what}: the live schema differs from a fresh build of sql/:\n{lines}{more}")

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "findings": [f.as_dict() for f in self.findings]}


def _prove(dsn: str, sql_root: Path, what: str) -> None:
    found = drift.check(dsn, sql_root)
    if found:
        raise Differs(what, found)


def baseline(dsn: str, sql_root: Path = SQL_ROOT, lock_timeout: float = 30.0) -> AdoptResult:
    """Record every file as applied, when the live schema equals a fresh build of sql/."""
    versioned, repeatable = discover(sql_root)
    with connect(dsn) as conn:
        if any(r.kind == "versioned" for r in history.read(conn).values()):
            raise Refused("refusing to baseline: this database has a migration history already "
                          "(see `migrate.py status`; `migrate.py repair FILE` accepts an edited file)")
    _prove(dsn, sql_root, "refusing to baseline")
    with connect(dsn) as conn:
        acquire_lock(conn, lock_timeout)
        try:
            with conn.transaction():
                if any(r.kind == "versioned" for r in history.read(conn).values()):
                    raise Refused("refusing to baseline: another runner deployed meanwhile")
                history.ensure(conn)
                for f in (*versioned, *repeatable):
                    history.record(conn, f.kind, f.name, f.checksum, action="baseline",
                                   note="adopted: live schema equal to a fresh build of sql/")
        finally:
            release_lock(conn)
    return AdoptResult([f.name for f in (*versioned, *repeatable)], "baseline")


def repair(dsn: str, files: list[str], sql_root: Path = SQL_ROOT, lock_timeout: float = 30.0) -> AdoptResult:
    """Accept edited applied versioned files, when a fresh build of their new text equals the live schema."""
    versioned, _ = discover(sql_root)
    by_name = {f.name: f for f in versioned}
    names = []
    for given in files:
        name = given if given in by_name else next((n for n in by_name if Path(n).name == Path(given).name), None)
        if name is None:
            raise Refused(f"repair: {given} is not a versioned file under sql/schema/")
        names.append(name)
    with connect(dsn) as conn:
        states = {s.file: s for s in plan(conn, sql_root).files}
    not_edited = [n for n in names if states[n].state != "edited"]
    if not_edited:
        raise Refused("repair: nothing to accept for " + ", ".join(f"{n} ({states[n].state})" for n in not_edited)
                      + "; repair accepts only an applied file whose text changed")
    _prove(dsn, sql_root, "refusing to repair " + ", ".join(names))
    with connect(dsn) as conn:
        acquire_lock(conn, lock_timeout)
        try:
            with conn.transaction():
                for n in names:
                    history.record(conn, "versioned", n, by_name[n].checksum, action="repair",
                                   note=f"edited text accepted (was {states[n].applied_checksum[:12]}…): a fresh build "
                                        "equals the live schema")
        finally:
            release_lock(conn)
    return AdoptResult(names, "repair")
