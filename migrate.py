#!/usr/bin/env python3
"""dgskills-db: deploy, verify and report the DGSkills platform database.

Connection: --dsn, else DATABASE_URL, else the embedded default cluster (started on demand).
Exit codes: 0 ok; 1 failed (nothing changed) or verify findings; 2 usage, connection or
could-not-run; 3 an applied migration was edited; 4 another runner holds the lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import psycopg
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dgskills_db import embedded, runner

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="Manage the embedded default cluster.")
app.add_typer(db_app, name="db")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DsnOpt = typer.Option(None, "--dsn", help="PostgreSQL URL; default: $DATABASE_URL, else the embedded cluster.")
SqlRootOpt = typer.Option(runner.SQL_ROOT, "--sql-dir", help="Root of the sql/ tree.", hidden=True)


def resolve_dsn(dsn: Optional[str]) -> str:
    if dsn:
        return dsn
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    cluster = embedded.default_cluster()
    try:
        if cluster.start():
            err.print(f"[dim]started the embedded cluster in {cluster.state_dir}[/dim]")
    except embedded.EmbeddedError as exc:
        _fail(exc, runner.EXIT_USAGE)
    return cluster.url()


def _fail(exc: Exception, code: int) -> None:
    # The message is literal text (it may hold SQL such as uuid[]), never rich markup.
    err.print(Text("error: ", style="red") + Text(str(exc)))
    raise typer.Exit(code)


@app.command()
def up(
    dsn: Optional[str] = DsnOpt,
    lock_timeout: float = typer.Option(30.0, "--lock-timeout", help="Seconds to wait for another runner's lock (also the statement lock_timeout)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    sql_dir: Path = SqlRootOpt,
    default_privileges: Optional[str] = typer.Option(
        None, "--default-privileges",
        help="Only when the auth shim is installed: `legacy` (ALL on new objects in public to the API roles, "
             "as Supabase long did) or `secure` (none, as new Supabase projects). Default: "
             "$DGSKILLS_DEFAULT_PRIVILEGES, else legacy."),
) -> None:
    """Apply pending versioned files, changed repeatable files and the cron jobs, all-or-nothing."""
    from dgskills_db import shim

    try:
        shim.regime(default_privileges)
    except ValueError as exc:
        _fail(exc, runner.EXIT_USAGE)
    url = resolve_dsn(dsn)
    try:
        result = runner.up(url, sql_dir, lock_timeout=lock_timeout, default_privileges=default_privileges)
    except runner.RunnerError as exc:
        _fail(exc, exc.exit_code)
    except runner.SqlFileError as exc:
        _fail(exc, runner.EXIT_FAILED)
    except Exception as exc:  # connection and the like
        import psycopg

        if isinstance(exc, psycopg.OperationalError):
            _fail(exc, runner.EXIT_USAGE)
        raise
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        if result.noop:
            out.print("Nothing to do: the database is up to date.")
        else:
            t = Table("applied", "kind", "ms", title="up")
            for a in result.applied:
                t.add_row(Text(a.file), a.kind, f"{a.ms:.1f}")
            out.print(t)
        c = result.cron
        if c and c.mode in ("same-database", "other-database"):
            if c.changed:
                out.print(Text(f"cron ({c.mode}): scheduled {', '.join(c.scheduled) or '-'}; "
                               f"updated {', '.join(c.updated) or '-'}; unscheduled {', '.join(c.unscheduled) or '-'}"))
        out.print(f"[dim]{result.total_ms:.0f} ms[/dim]")
    if result.cron and result.cron.warning:
        err.print(Text("WARNING: ", style="bold red") + Text(result.cron.warning))


def _print_plan(p: runner.Plan, only_todo: bool) -> None:
    t = Table("file", "kind", "state", "applied at")
    colours = {"applied": "green", "pending": "yellow", "changed": "yellow", "edited": "bold red", "missing": "red"}
    for f in p.files:
        if only_todo and f.state == "applied":
            continue
        t.add_row(Text(f.file), f.kind, Text(f.state, style=colours[f.state]), f.applied_at or "")
    if p.shim_needed:
        t.add_row("auth shim (S-AUTH-1)", "shim", "[yellow]pending[/]", "")
    out.print(t)
    if p.edited:
        err.print(Text("applied migrations edited afterwards: ", style="bold red") + Text(", ".join(f.file for f in p.edited)))


def _plan_cmd(dsn: Optional[str], as_json: bool, sql_dir: Path, only_todo: bool) -> None:
    url = resolve_dsn(dsn)
    try:
        with runner.connect(url) as conn:
            p = runner.plan(conn, sql_dir)
    except runner.SqlFileError as exc:
        _fail(exc, runner.EXIT_FAILED)
    if as_json:
        print(json.dumps(p.as_dict(), indent=2))
    else:
        _print_plan(p, only_todo)
    if p.edited:
        raise typer.Exit(runner.EXIT_EDITED)


@app.command()
def status(dsn: Optional[str] = DsnOpt, as_json: bool = typer.Option(False, "--json"), sql_dir: Path = SqlRootOpt) -> None:
    """Every file and its state: applied, pending, changed, edited (after being applied) or missing."""
    _plan_cmd(dsn, as_json, sql_dir, only_todo=False)


@app.command()
def plan(dsn: Optional[str] = DsnOpt, as_json: bool = typer.Option(False, "--json"), sql_dir: Path = SqlRootOpt) -> None:
    """What the next `up` would do (and what it would refuse)."""
    _plan_cmd(dsn, as_json, sql_dir, only_todo=True)


@app.command()
def verify(
    dsn: Optional[str] = DsnOpt,
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    fmt: str = typer.Option("table", "--format", help="table (for people), json, or sarif (SARIF 2.1.0 for CI)."),
    baseline: Optional[Path] = typer.Option(
        None, "--baseline", help="An earlier `verify --json` or `--format sarif` output: exit 1 only on findings not in it."),
    drift: bool = typer.Option(True, "--drift/--no-drift", help="Also compare with a fresh build of sql/ (needs CREATEDB)."),
) -> None:
    """Run the compliance checks. Exit 0 clean (INFO allowed), 1 findings (with --baseline: new
    ones), 2 could not run."""
    from dgskills_db import verify as verify_mod

    if as_json:
        fmt = "json"
    if fmt not in ("table", "json", "sarif"):
        _fail(ValueError("--format is table, json or sarif"), 2)
    known = None
    if baseline is not None:
        try:
            known = verify_mod.load_baseline(baseline)
        except verify_mod.BaselineError as exc:
            _fail(exc, 2)
    url = resolve_dsn(dsn)
    try:
        findings = verify_mod.run(url, drift=drift, include_info=True)
    except Exception as exc:  # could not run
        _fail(exc, 2)
    if fmt == "json":
        print(json.dumps([f.as_dict() for f in findings], indent=2))
    elif fmt == "sarif":
        print(json.dumps(verify_mod.to_sarif(findings, known), indent=2))
    else:
        verify_mod.print_findings(findings, out)
        if known is not None:
            fresh = verify_mod.new_findings(findings, known)
            out.print(f"baseline {baseline}: {len(fresh)} new WARN/ERROR finding(s)"
                      + (": " + ", ".join(f"{f.name} {f.object}" for f in fresh) if fresh else ""), markup=False)
    if verify_mod.new_findings(findings, known):
        raise typer.Exit(1)


@app.command()
def report(
    dsn: Optional[str] = DsnOpt,
    fmt: str = typer.Option("md", "--format", help="md or html"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of stdout."),
) -> None:
    """Render the register annex (processing, retention, access, cascade, export, cron, verify)."""
    from dgskills_db import report as report_mod

    if fmt not in ("md", "html"):
        _fail(ValueError("--format is md or html"), 2)
    url = resolve_dsn(dsn)
    try:
        text = report_mod.render(url, fmt)
    except Exception as exc:  # could not run
        _fail(exc, 2)
    if out_file:
        out_file.write_text(text)
        err.print(f"wrote {out_file}")
    else:
        sys.stdout.write(text)


@app.command()
def lint(
    paths: list[Path] = typer.Argument(None, help="Files or folders; default: sql/"),
    dsn: Optional[str] = DsnOpt,
    plpgsql_check: bool = typer.Option(True, "--plpgsql-check/--no-plpgsql-check",
                                       help="Also run plpgsql_check over a scratch build of sql/ (needs CREATEDB)."),
) -> None:
    """sqlfluff (postgres dialect, see .sqlfluff) over sql/, then plpgsql_check (security,
    performance and extra warnings) over every PL/pgSQL function of a fresh build of sql/.
    Exit 0 clean, 1 findings, 2 could not run."""
    targets = [str(p) for p in paths] if paths else [str(runner.SQL_ROOT)]
    exe = Path(sys.executable).with_name("sqlfluff")
    res = subprocess.run([str(exe), "lint", "--disable-progress-bar", *targets], cwd=Path(__file__).parent)
    code = 1 if res.returncode else 0
    if plpgsql_check:
        from dgskills_db import plpgsql_lint

        try:
            issues = plpgsql_lint.check(resolve_dsn(dsn))
        except (plpgsql_lint.LintError, psycopg.Error, runner.RunnerError) as exc:
            _fail(exc, 2)
        stale = plpgsql_lint.stale_justifications(issues)
        for i in issues:
            (out if i.justified else err).print(Text(("  " if i.justified else "") + i.line()))
        for fn, message in stale:
            err.print(Text(f"{fn}: justification no longer matches a finding ({message!r}): remove it "
                           "from dgskills_db/plpgsql_lint.py"))
        bad = [i for i in issues if not i.justified]
        out.print(Text(f"plpgsql_check: {len(bad)} finding(s), {len(issues) - len(bad)} justified, "
                       f"{len(stale)} stale justification(s)"))
        if bad or stale:
            code = 1
    raise typer.Exit(code)


gen_app = typer.Typer(no_args_is_help=True, help="Generate artefacts for other tools (pgTAP, JSON Schema, types).")
app.add_typer(gen_app, name="gen")


@gen_app.command("pgtap")
def gen_pgtap(
    dsn: Optional[str] = DsnOpt,
    out_dir: Path = typer.Option(Path("pgtap"), "--out", help="Folder to write the .sql files into."),
) -> None:
    """Write the access matrix, the isolation and the catalog checks as pgTAP files, to run with
    pg_prove against any database deployed from sql/ (as the deploying role). Needs a server
    (CREATEDB) to build the fixture platform in a scratch database."""
    from dgskills_db.gen import pgtap

    try:
        written = pgtap.generate(resolve_dsn(dsn), out_dir)
    except (psycopg.Error, runner.RunnerError) as exc:
        _fail(exc, 2)
    for p in written:
        out.print(Text(f"wrote {p}"))


@gen_app.command("types")
def gen_types(
    dsn: Optional[str] = DsnOpt,
    out_dir: Path = typer.Option(Path(__file__).resolve().parent / "contracts", "--out", help="Folder to write into."),
) -> None:
    """Write the JSON Schemas of the export (schema_version 2.0) and of every RPC's arguments and
    result, and TypeScript and Python types, generated from a fresh build of sql/ (needs CREATEDB)."""
    from dgskills_db.gen import contracts

    try:
        written = contracts.generate(resolve_dsn(dsn), out_dir)
    except (psycopg.Error, runner.RunnerError, ValueError) as exc:
        _fail(exc, 2)
    for p in written:
        out.print(Text(f"wrote {p}"))


@db_app.command("start")
def db_start() -> None:
    """Start the embedded cluster (harmless when it runs already)."""
    c = embedded.default_cluster()
    try:
        started = c.start()
    except embedded.EmbeddedError as exc:
        _fail(exc, 2)
    out.print(("started" if started else "already running") + f": {c.url()}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster."""
    c = embedded.default_cluster()
    out.print("stopped" if c.stop() else "not running")


@db_app.command("status")
def db_status() -> None:
    """Whether the embedded cluster runs, where its data lives, and its URL. Exit 1 when stopped."""
    c = embedded.default_cluster()
    running = c.running()
    out.print(f"{'running' if running else 'stopped'}  data={c.data_dir}  url={c.url()}")
    raise typer.Exit(0 if running else 1)


@db_app.command("url")
def db_url() -> None:
    """Print the embedded cluster's connection URL."""
    print(embedded.default_cluster().url())


if __name__ == "__main__":
    app()
