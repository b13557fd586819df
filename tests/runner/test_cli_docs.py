"""The README's command table documents every flag of every command (read from the CLI itself)."""

from __future__ import annotations

import re

import typer.main

from tests.runner.test_runner import ROOT

# Every command takes these; the README says so once, above the table.
COMMON = {"--dsn", "--help"}


def test_the_readme_table_names_every_flag_of_every_command():
    import migrate

    rows = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `migrate.py ")]
    missing = []

    def walk(group, prefix: str) -> None:
        for name, cmd in group.commands.items():
            full = f"{prefix}{name}"
            if hasattr(cmd, "commands"):
                walk(cmd, full + " ")
                continue
            row = next((r for r in rows if re.match(rf"\| `migrate\.py {re.escape(full)}\b", r)
                        or re.match(rf"\| `migrate\.py {re.escape(prefix)}[^`]*\b{name}\b", r)), None)
            if row is None:
                missing.append(f"{full}: no row")
                continue
            for p in cmd.params:
                if getattr(p, "hidden", False):
                    continue
                opts = [o for o in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])] if o.startswith("--")]
                # a --flag/--no-flag pair is documented by the one that is not the default
                if opts and not set(opts) & COMMON and not any(re.search(rf"{o}\b", row) for o in opts):
                    missing.append(f"{full}: {'/'.join(opts)}")

    walk(typer.main.get_command(migrate.app), "")
    assert not missing, missing
