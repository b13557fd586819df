"""Where the project's set-up installs TypeScript (scripts/bootstrap.sh, npm, pinned)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TYPESCRIPT_VERSION = "5.9.3"
TSC = ROOT / ".tools" / "typescript" / "node_modules" / ".bin" / "tsc"


def find_tsc() -> tuple[Path | None, str]:
    """(tsc, '') or (None, why it cannot run)."""
    if TSC.exists():
        return TSC, ""
    if shutil.which("node") is None:
        return None, "Node.js is not installed, so TypeScript cannot run (scripts/bootstrap.sh installs it with npm)"
    return None, (f"TypeScript {TYPESCRIPT_VERSION} is not installed at {TSC.relative_to(ROOT)}: run `make setup` "
                  "(scripts/bootstrap.sh installs it with npm)")
