"""The runner's errors and exit codes (a documented contract: README, "Exit codes").

Every error knows its exit code and renders itself for people (`str`) and machines
(`as_dict`, the `error` object of `--json`).
"""

from __future__ import annotations

from typing import Any

import psycopg

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HISTORY = 3
EXIT_EDITED = EXIT_HISTORY
EXIT_LOCKED = 4
EXIT_DRIFT = 5
EXIT_SIGINT = 130
EXIT_SIGTERM = 143
JSON_FORMAT_VERSION = 1


class RunnerError(Exception):
    exit_code = EXIT_FAILED

    def as_dict(self) -> dict[str, Any]:
        return {"file": None, "line": None, "column": None, "sqlstate": None, "message": str(self),
                "detail": None, "hint": None, "context": None, "statement": None, "kind": type(self).__name__}


class LockTimeout(RunnerError):
    exit_code = EXIT_LOCKED


class HistoryMismatch(RunnerError):
    """The files on disk and the history disagree: an applied file edited or missing, or out of order."""
    exit_code = EXIT_HISTORY


EditedFiles = HistoryMismatch


class LockWaitExceeded(LockTimeout):
    """Table locks were not granted within --lock-wait (retried); nothing was changed."""

    def __init__(self, last: "ApplyError", blockers: str, tries: int, lock_wait: float):
        self.last, self.blockers, self.tries = last, blockers, tries
        super().__init__(
            f"gave up after {tries} attempt(s) in {lock_wait:g}s (--lock-wait): {last.file}:{last.line} could not "
            f"get its lock within the statement lock timeout ({last.statement}). Blocked by: {blockers}. "
            "Nothing was changed; retry when they are done, or end them.")

    def as_dict(self) -> dict[str, Any]:
        return {**self.last.as_dict(), "kind": "LockWaitExceeded", "message": str(self), "blockers": self.blockers,
                "attempts": self.tries}


class Refused(RunnerError):
    """A request the runner will not carry out (baseline onto a different schema, revert without a file, …)."""


class Interrupted(RunnerError):
    def __init__(self, signum: int, rolled_back: list[str]):
        import signal

        self.signum, self.rolled_back = signum, rolled_back
        self.exit_code = 128 + signum
        name = signal.Signals(signum).name
        what = ", ".join(rolled_back) if rolled_back else "nothing had been applied yet"
        super().__init__(f"interrupted by {name}: the running statement was cancelled on the server and the "
                         f"transaction rolled back ({what}); nothing was changed")

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "signal": self.signum, "rolled_back": self.rolled_back}


class ApplyError(RunnerError):
    """A statement failed on the server: where (file:line:column), what PostgreSQL said, and that all was rolled back."""

    def __init__(self, file: str, line: int, statement: str, sqlstate: str | None, message: str, *,
                 column: int | None = None, detail: str | None = None, hint: str | None = None,
                 context: str | None = None):
        self.file, self.line, self.column, self.statement = file, line, column, statement
        self.sqlstate, self.message, self.detail, self.hint, self.context = sqlstate, message, detail, hint, context
        where = f"{file}:{line}" + (f":{column}" if column else "")
        text = f"{where}: {message} (SQLSTATE {sqlstate})"
        for label, value in (("DETAIL", detail), ("HINT", hint), ("CONTEXT", context)):
            if value:
                text += f"\n  {label}: " + value.replace("\n", "\n    ")
        text += f"\n  in: {statement}\nNothing was changed: the whole run was rolled back."
        super().__init__(text)

    @classmethod
    def from_diag(cls, exc: psycopg.Error, file: str, line: int, statement: str, column: int | None = None):
        d = exc.diag
        return cls(file, line, statement, d.sqlstate, d.message_primary or str(exc).strip(), column=column,
                   detail=d.message_detail, hint=d.message_hint, context=d.context)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "sqlstate": self.sqlstate,
                "message": self.message, "detail": self.detail, "hint": self.hint, "context": self.context,
                "statement": self.statement, "kind": type(self).__name__}


class DriftDetected(RunnerError):
    """The live schema differs from what its history says; `up` would deploy onto unknown ground."""
    exit_code = EXIT_DRIFT

    def __init__(self, findings: list):
        self.findings = findings
        lines = "\n".join(f"  {f.object}: {f.detail}" for f in findings[:30])
        more = f"\n  … and {len(findings) - 30} more" if len(findings) > 30 else ""
        super().__init__("refusing to deploy: the live schema has drifted from what its history says (changed by "
                         f"hand?):\n{lines}{more}\nPut the change into sql/, undo it, or run with --allow-drift "
                         "(the deploy then restores what the repeatable files declare). Nothing was changed.")

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "findings": [f.as_dict() for f in self.findings]}


class BrokenFunctions(RunnerError):
    def __init__(self, findings: list):
        self.findings = findings
        super().__init__("refusing to commit: after this deploy these functions would fail when they run:\n"
                         + "\n".join(f"  {f.object}: {f.detail}" for f in findings)
                         + "\nNothing was changed: the whole run was rolled back.")

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "findings": [f.as_dict() for f in self.findings]}
