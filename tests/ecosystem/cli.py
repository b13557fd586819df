"""Where the project's set-up installs Supabase's CLI (scripts/bootstrap.sh, npm, pinned)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = "2.117.0"
LOCAL = ROOT / ".tools" / "supabase" / "node_modules" / ".bin" / "supabase"


def find() -> tuple[Path | None, str]:
    """(the CLI, '') or (None, why it cannot run)."""
    if LOCAL.exists():
        return LOCAL, ""
    if shutil.which("node") is None:
        return None, "Node.js is not installed, so Supabase's CLI cannot run (scripts/bootstrap.sh installs it with npm)"
    return None, (f"Supabase's CLI {VERSION} is not installed at {LOCAL.relative_to(ROOT)}: run `make setup` "
                  "(scripts/bootstrap.sh installs it with npm)")
