"""What `up` would do: every file's state against the history, and what `up` would refuse.

States: `applied`; `pending` (never applied, or reverted); `changed` (a repeatable file
whose text changed: re-applied); `edited` (an applied versioned file whose text changed:
refused); `missing` (applied, no longer on disk: refused unless --allow-missing);
`renamed` (a pending file with the checksum of a missing one: recorded under its new name,
not re-run); `out-of-order` (a pending versioned file numbered below the highest applied
one: refused unless --out-of-order).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import psycopg

from . import history
from .errors import DriftDetected, HistoryMismatch, RunnerError
from .sqlfiles import SqlFile, discover

SQL_ROOT = Path(__file__).resolve().parent.parent / "sql"


@dataclasses.dataclass
class FileState:
    file: str
    kind: str
    state: str  # applied | pending | changed | edited | missing | renamed | out-of-order
    checksum: str | None
    applied_checksum: str | None = None
    applied_at: str | None = None
    renamed_from: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def version_of(name: str) -> int | None:
    m = re.match(r"^schema/(\d+)_", name)
    return int(m.group(1)) if m else None


@dataclasses.dataclass
class Plan:
    files: list[FileState]
    shim_needed: bool
    statements: list = dataclasses.field(default_factory=list)  # locks.StatementLock of what up would run
    lock_notes: list[str] = dataclasses.field(default_factory=list)
    # with_locks: exactly the files `up` would run, in order, and why each unchanged repeatable one re-runs
    apply: list[str] | None = None
    rerun: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    drift: list = dataclasses.field(default_factory=list)  # with_locks: the drift gate's findings, as up sees them
    allow: dict[str, bool] = dataclasses.field(default_factory=dict)  # up's --allow-missing/--out-of-order/--allow-drift

    def _in(self, *states: str, kind: str | None = None) -> list[FileState]:
        return [f for f in self.files if f.state in states and (kind is None or f.kind == kind)]

    @property
    def edited(self) -> list[FileState]:
        return self._in("edited")

    @property
    def missing(self) -> list[FileState]:
        return self._in("missing")

    @property
    def renamed(self) -> list[FileState]:
        return self._in("renamed")

    @property
    def out_of_order(self) -> list[FileState]:
        return self._in("out-of-order")

    @property
    def pending_versioned(self) -> list[FileState]:
        return self._in("pending", "out-of-order", kind="versioned")

    @property
    def changed_repeatable(self) -> list[FileState]:
        return self._in("pending", "changed", kind="repeatable")

    def refusal(self, allow_missing: bool | None = None, out_of_order: bool | None = None,
                allow_drift: bool | None = None) -> RunnerError | None:
        """Why `up` would refuse to run, or None (drift only when the plan was made with_locks).
        A flag left out is taken from `allow` (the flags `plan` was given for `up`)."""
        allow_missing = self.allow.get("allow_missing", False) if allow_missing is None else allow_missing
        out_of_order = self.allow.get("out_of_order", False) if out_of_order is None else out_of_order
        allow_drift = self.allow.get("allow_drift", False) if allow_drift is None else allow_drift
        problems = []
        if self.edited:
            problems.append("applied migration(s) edited afterwards: " + ", ".join(f.file for f in self.edited)
                            + ". Restore the applied text and put the change in a new versioned file (or, when "
                            "the edit changes nothing in the schema, accept it with `migrate.py repair FILE`)")
        if self.missing and not allow_missing:
            problems.append("applied migration(s) no longer on disk: " + ", ".join(f.file for f in self.missing)
                            + ". Restore them, or run with --allow-missing when they were removed on purpose")
        if self.out_of_order and not out_of_order:
            top = max((version_of(f.file) or 0) for f in self.files
                      if f.kind == "versioned" and f.state in ("applied", "edited", "missing"))
            problems.append("pending migration(s) numbered below the highest applied one "
                            f"({top}): " + ", ".join(f.file for f in self.out_of_order)
                            + ". Renumber them above it, or run with --out-of-order when applying them "
                            "now is intended")
        if not problems:
            return DriftDetected(self.drift) if self.drift and not allow_drift else None
        return HistoryMismatch("refusing to run: " + "; ".join(problems) + ".")

    def as_dict(self) -> dict[str, Any]:
        return {
            "shim_needed": self.shim_needed,
            "files": [f.as_dict() for f in self.files],
            "pending": [f.file for f in self.pending_versioned],
            "changed": [f.file for f in self.changed_repeatable],
            "edited": [f.file for f in self.edited],
            "missing": [f.file for f in self.missing],
            "renamed": {f.file: f.renamed_from for f in self.renamed},
            "out_of_order": [f.file for f in self.out_of_order],
            "apply": self.apply,
            "rerun": self.rerun,
            "drift": [f.as_dict() for f in self.drift],
            "statements": [s.as_dict() for s in self.statements],
            "lock_notes": self.lock_notes,
            # why `up` (with the flags in `allow`) would refuse, as the error object of --json
            "refusal": refusal.as_dict() if (refusal := self.refusal()) else None,
        }


def auth_exists(conn: psycopg.Connection) -> bool:
    return conn.execute("select exists (select from pg_catalog.pg_namespace where nspname = 'auth')").fetchone()[0]


def states(versioned: list[SqlFile], repeatable: list[SqlFile], hist: dict[str, history.Row]) -> list[FileState]:
    out: list[FileState] = []
    for f in (*versioned, *repeatable):
        h = hist.get(f.name)
        if h is None:
            out.append(FileState(f.name, f.kind, "pending", f.checksum))
        else:
            # an applied versioned file must never change; a repeatable one is re-applied
            moved = "edited" if f.kind == "versioned" else "changed"
            out.append(FileState(f.name, f.kind, moved if h.checksum != f.checksum else "applied", f.checksum,
                                 h.checksum, h.applied_at))
    known = {f.name for f in (*versioned, *repeatable)}
    missing = {name: row for name, row in sorted(hist.items()) if name not in known}
    by_checksum = {(row.kind, row.checksum): name for name, row in missing.items()}
    for s in out:
        old = by_checksum.pop((s.kind, s.checksum), None) if s.state == "pending" else None
        if old:
            s.state, s.renamed_from = "renamed", old
            s.applied_checksum, s.applied_at = missing[old].checksum, missing[old].applied_at
            del missing[old]
    for name, row in missing.items():
        out.append(FileState(name, row.kind, "missing", None, row.checksum, row.applied_at))
    applied_versions = [version_of(s.file) or 0 for s in out
                        if s.kind == "versioned" and s.state in ("applied", "edited", "missing", "renamed")]
    top = max(applied_versions, default=None)
    for s in out:
        if s.kind == "versioned" and s.state == "pending" and top is not None and (version_of(s.file) or 0) < top:
            s.state = "out-of-order"
    return out


def plan(conn: psycopg.Connection, sql_root: Path = SQL_ROOT, with_locks: bool = False,
         dsn: str | None = None, allow: dict[str, bool] | None = None) -> Plan:
    """Each file's state; with_locks adds what `up` (given the flags in `allow`) would do: the
    drift gate's findings, `apply`, exactly the files it would run (after a versioned file, the
    unchanged repeatable files whose objects would differ from a fresh build: the forecast `up`
    uses, which needs CREATEDB), and the lock report of every statement in them."""
    versioned, repeatable = discover(sql_root)
    p = Plan(states(versioned, repeatable, history.read(conn)), shim_needed=not auth_exists(conn),
             allow=dict(allow or {}))
    if with_locks:
        from . import apply, locks

        if dsn is None:  # the connection's own parameters (conn.info.dsn leaves the password out)
            from psycopg.conninfo import make_conninfo

            dsn = make_conninfo(conn.info.dsn, password=conn.info.password) if conn.info.password else conn.info.dsn
        if apply.gate_applies(p) and p.refusal() is None:
            from . import drift

            p.drift, note = drift.gate(dsn, sql_root, p, versioned, repeatable)
            if note:
                p.lock_notes.append(note)
        fc = apply.repeatable_forecast(conn, dsn, sql_root, p, versioned, repeatable)
        p.apply = apply.will_apply(p, versioned, repeatable, fc)
        p.rerun = dict(fc.rerun) if fc is not None else {}
        todo = set(p.apply)
        p.statements, lock_notes = locks.report(conn, [f for f in (*versioned, *repeatable) if f.name in todo])
        p.lock_notes += lock_notes
        if fc is not None and fc.note:
            p.lock_notes.append(fc.note)
    return p
