"""The migration runner behind `migrate.py`: one import for the CLI, tests and tools.

The work lives in one module per concern:
- `sqlfiles`: discovery, checksums, statement splitting, what is refused before running;
- `history`: the append-only `dgskills_migrate.history`;
- `plan`: each file's state against the history and what `up` would refuse;
- `apply`: the deploy transaction, the advisory lock, errors and cancellation;
- `revert`: `revert --to NNNN`;
- `adopt`: `baseline` and `repair`, proven by the drift check;
- `scaffold`: `new`;
- `errors`: the errors and exit codes.
"""

from __future__ import annotations

from .adopt import AdoptResult, baseline, repair
from .apply import (APPLICATION_NAME, LOCK_KEY, LOCK_WAIT, SHIM_FILE, STATEMENT_LOCK_TIMEOUT, Applied, Cancelled,
                    UpResult, acquire_lock, connect, run_file, up)
from .errors import (EXIT_EDITED, EXIT_FAILED, EXIT_HISTORY, EXIT_LOCKED, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM,
                     EXIT_USAGE, JSON_FORMAT_VERSION, ApplyError, BrokenFunctions, EditedFiles, HistoryMismatch,
                     Interrupted, LockTimeout, LockWaitExceeded, Refused, RunnerError, DriftDetected, EXIT_DRIFT)
from .history import META_SCHEMA
from .plan import SQL_ROOT, FileState, Plan, plan
from .revert import RevertResult, revert
from .scaffold import new
from .sqlfiles import SqlFile, SqlFileError

__all__ = [
    "APPLICATION_NAME", "LOCK_KEY", "LOCK_WAIT", "STATEMENT_LOCK_TIMEOUT", "LockWaitExceeded", "DriftDetected", "EXIT_DRIFT", "META_SCHEMA", "SHIM_FILE", "SQL_ROOT",
    "AdoptResult", "Applied", "ApplyError", "BrokenFunctions", "Cancelled", "EditedFiles", "FileState",
    "HistoryMismatch", "Interrupted", "LockTimeout", "Plan", "Refused", "RevertResult", "RunnerError", "SqlFile",
    "SqlFileError", "UpResult",
    "acquire_lock", "baseline", "connect", "new", "plan", "repair", "revert", "run_file", "up",
    "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_EDITED", "EXIT_HISTORY", "EXIT_LOCKED", "EXIT_SIGINT",
    "EXIT_SIGTERM", "JSON_FORMAT_VERSION",
]
