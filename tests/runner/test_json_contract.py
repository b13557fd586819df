"""The `--json` contract, command by command: every command of migrate.py prints exactly one JSON
object on stdout carrying `format_version`, its result or its `error`, on success and on
failure, and exits as the README's table says. The commands are read from the CLI itself, so a
new command cannot be added without a case here (or a stated reason why it has no JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
import typer.main

from dgskills_db import runner
from tests.runner.test_runner import SMALL, cli, write_tree

BAD_DSN = "postgresql://nobody@127.0.0.1:1/none"
ERROR_FIELDS = {"file", "line", "column", "sqlstate", "message", "detail", "hint", "context", "statement", "kind"}

# Commands without --json, and why: their output is a document or files for another tool.
NO_JSON = {
    "report": "prints the register annex as Markdown or HTML",
    "lint": "prints sqlfluff's and plpgsql_check's reports",
    "gen pgtap": "writes pgTAP files",
    "gen types": "writes JSON Schema and type files",
    "db start": "manages the local embedded cluster",
    "db stop": "manages the local embedded cluster",
    "db status": "manages the local embedded cluster",
    "db url": "prints one URL",
}


def _commands() -> dict[str, list[str]]:
    import migrate

    found: dict[str, list[str]] = {}

    def walk(group, prefix: str) -> None:
        for name, cmd in group.commands.items():
            full = f"{prefix}{name}"
            if hasattr(cmd, "commands"):
                walk(cmd, full + " ")
            else:
                found[full] = [o for p in cmd.params for o in getattr(p, "opts", [])]

    walk(typer.main.get_command(migrate.app), "")
    return found


class Env:
    """A database with SMALL applied through `up`, and its sql/ tree."""

    def __init__(self, dsn: str, root: Path, request):
        self.dsn, self.root, self._request = dsn, root, request

    def platform(self) -> str:
        """A database with the whole of sql/ deployed, its retention jobs scheduled."""
        dsn = self._request.getfixturevalue("db").dsn
        runner.up(dsn)
        return dsn

    def args(self, *extra: str) -> list[str]:
        return [*extra, "--dsn", self.dsn, "--sql-dir", str(self.root)]


def _edit_comment(env: Env) -> None:
    p = env.root / "schema/0001_a.sql"
    p.write_text("-- the table of a's\n" + p.read_text())


def _unhistoried(env: Env) -> None:
    import psycopg

    with psycopg.connect(env.dsn, autocommit=True) as c:
        c.execute("drop schema dgskills_migrate cascade")


def _broken_file(env: Env) -> None:
    (env.root / "schema/0003_bad.sql").write_text("select no_such_column from public.a;\n")


# command -> [(label, prepare, args, expected exit code, "result" | "error")]
Case = tuple[str, Callable[[Env], None] | None, Callable[[Env], list[str]], int, str]
CASES: dict[str, list[Case]] = {
    "up": [
        ("noop", None, lambda e: e.args("up"), 0, "result"),
        ("failing-file", _broken_file, lambda e: e.args("up"), runner.EXIT_FAILED, "error"),
        ("bad-dsn", None, lambda e: ["up", "--dsn", BAD_DSN, "--sql-dir", str(e.root)], runner.EXIT_USAGE, "error"),
    ],
    "status": [
        ("ok", None, lambda e: e.args("status"), 0, "result"),
        ("bad-dsn", None, lambda e: ["status", "--dsn", BAD_DSN, "--sql-dir", str(e.root)], runner.EXIT_USAGE,
         "error"),
    ],
    "plan": [
        ("ok", None, lambda e: e.args("plan"), 0, "result"),
        # plan reports what up would refuse as its result (key `refusal`) and exits as up would
        ("edited", _edit_comment, lambda e: e.args("plan"), runner.EXIT_HISTORY, "result"),
        ("bad-dsn", None, lambda e: ["plan", "--dsn", BAD_DSN, "--sql-dir", str(e.root)], runner.EXIT_USAGE, "error"),
    ],
    "baseline": [
        ("adopt", _unhistoried, lambda e: e.args("baseline"), 0, "result"),
        ("has-history", None, lambda e: e.args("baseline"), runner.EXIT_FAILED, "error"),
    ],
    "repair": [
        ("comment-edit", _edit_comment, lambda e: e.args("repair", "schema/0001_a.sql"), 0, "result"),
        ("not-edited", None, lambda e: e.args("repair", "schema/0001_a.sql"), runner.EXIT_FAILED, "error"),
    ],
    "revert": [
        ("nothing", None, lambda e: e.args("revert", "--to", "2"), 0, "result"),
        ("no-revert-file", None, lambda e: e.args("revert", "--to", "0"), runner.EXIT_FAILED, "error"),
    ],
    "new": [
        ("ok", None, lambda e: ["new", "add thing", "--sql-dir", str(e.root)], 0, "result"),
        ("bad-kind", None, lambda e: ["new", "x", "--kind", "nope", "--sql-dir", str(e.root)], runner.EXIT_USAGE,
         "error"),
    ],
    "verify": [
        ("clean", None, lambda e: ["verify", "--dsn", e.platform(), "--no-drift"], 0, "result"),
        # a database holding only SMALL lacks the platform's schemas: the checks cannot run
        ("no-platform", None, lambda e: ["verify", "--dsn", e.dsn, "--no-drift"], runner.EXIT_USAGE, "error"),
        ("bad-dsn", None, lambda e: ["verify", "--dsn", BAD_DSN], runner.EXIT_USAGE, "error"),
        ("bad-baseline", None, lambda e: ["verify", "--dsn", e.dsn, "--baseline", str(e.root / "nope.json")],
         runner.EXIT_USAGE, "error"),
        ("bad-format", None, lambda e: ["verify", "--dsn", e.dsn, "--format", "xml"], runner.EXIT_USAGE, "error"),
    ],
}


def test_every_command_has_json_cases_or_a_reason_not_to():
    cmds = _commands()
    with_json = {name for name, opts in cmds.items() if "--json" in opts}
    assert with_json == set(CASES), "add the new command's --json cases to CASES"
    assert set(cmds) - with_json == set(NO_JSON), "a command without --json needs a reason in NO_JSON"


@pytest.mark.parametrize("command,case", [(c, k) for c, ks in CASES.items() for k in ks],
                         ids=[f"{c}/{k[0]}" for c, ks in CASES.items() for k in ks])
def test_json_shape(command, case, empty_db, tmp_path, request):
    label, prepare, args, rc, shape = case
    env = Env(empty_db.dsn, write_tree(tmp_path / "sql", SMALL), request)
    runner.up(env.dsn, env.root, reconcile_cron=False)
    if prepare:
        prepare(env)
    res = cli(*args(env), "--json")
    assert res.returncode == rc, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    doc = json.loads(res.stdout)  # exactly one JSON document, nothing else on stdout
    assert isinstance(doc, dict) and doc["format_version"] == runner.JSON_FORMAT_VERSION
    if shape == "error":
        assert set(doc) == {"format_version", "error"}
        assert ERROR_FIELDS <= set(doc["error"]) and doc["error"]["message"]
    else:
        assert "error" not in doc and len(doc) > 1


def test_plan_json_carries_the_refusal(empty_db, tmp_path):
    root = write_tree(tmp_path, SMALL)
    runner.up(empty_db.dsn, root, reconcile_cron=False)
    ok = json.loads(cli("plan", "--dsn", empty_db.dsn, "--sql-dir", str(root), "--json").stdout)
    assert ok["refusal"] is None
    (root / "schema/0002_b.sql").unlink()
    res = cli("plan", "--dsn", empty_db.dsn, "--sql-dir", str(root), "--json")
    ref = json.loads(res.stdout)["refusal"]
    assert res.returncode == runner.EXIT_HISTORY
    assert ref["kind"] == "HistoryMismatch" and "schema/0002_b.sql" in ref["message"]


def test_verify_json_is_an_object_and_both_its_shapes_are_baselines(db, tmp_path):
    runner.up(db.dsn)  # schedules the retention jobs
    res = cli("verify", "--dsn", db.dsn, "--json", "--no-drift")
    doc = json.loads(res.stdout)
    assert res.returncode == 0 and doc["clean"] is True and doc["new"] == [] and doc["baseline"] is False
    assert doc["findings"] and {f["level"] for f in doc["findings"]} <= {"INFO"}
    with db.connect() as c:
        c.execute("alter table public.feedback disable row level security")
    bad = cli("verify", "--dsn", db.dsn, "--json", "--no-drift")
    found = json.loads(bad.stdout)
    assert bad.returncode == 1 and found["clean"] is False
    assert {f["name"] for f in found["new"]} == {f["name"] for f in found["findings"] if f["level"] != "INFO"}
    current = tmp_path / "current.json"
    current.write_text(bad.stdout)
    # written before verify --json carried a format version: the bare list of findings
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps(found["findings"]))
    for baseline in (current, legacy):
        again = cli("verify", "--dsn", db.dsn, "--json", "--no-drift", "--baseline", str(baseline))
        d = json.loads(again.stdout)
        assert again.returncode == 0 and d["clean"] is True and d["new"] == [] and d["baseline"] is True, baseline
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**found, "format_version": runner.JSON_FORMAT_VERSION + 1}))
    refused = cli("verify", "--dsn", db.dsn, "--json", "--no-drift", "--baseline", str(future))
    assert refused.returncode == 2 and "format_version" in json.loads(refused.stdout)["error"]["message"]
