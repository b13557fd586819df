"""docs/example_export.json is a real export of a generated pupil. This test regenerates
it (DGSKILLS_WRITE_EXAMPLES=1 writes it) and fails when the committed one is stale:
another shape, other tables, other columns."""

from __future__ import annotations

import json
import os
from pathlib import Path

import world as world_mod
from personas import as_user

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example_export.json"


def shape(export):
    return {
        "top": sorted(export),
        "subject": sorted(export["subject"]),
        "data": {t: sorted({k for r in rows for k in r}) for t, rows in export["data"].items()},
    }


def test_example_export_is_current(owner):
    w = world_mod.build(owner)
    with as_user(owner, w.users["subject"]) as c:
        export = c.execute("select public.export_my_data()").fetchone()[0]
    if os.environ.get("DGSKILLS_WRITE_EXAMPLES") == "1":
        EXAMPLE.write_text(json.dumps(export, indent=2, ensure_ascii=False) + "\n")
    committed = json.loads(EXAMPLE.read_text())
    assert shape(committed) == shape(export)
    assert committed["schema_version"] == "2.0"
