#!/usr/bin/env python3
"""dgskills-db: deploy, verify and report the DGSkills platform database.

Connection: --dsn, else DATABASE_URL, else the embedded default cluster (started on demand).
Exit codes: 0 ok; 1 failed or refused (nothing changed) or verify findings; 2 usage, connection
or could-not-run; 3 files and history disagree (an applied file edited or missing, a file out
of order); 4 another runner holds the lock; 130/143 interrupted by SIGINT/SIGTERM (rolled back).
With --json every command prints its result or its error as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import psycopg
import typer
from rich.console import Console
from rich.text import Text

from dgskills_db import embedded, runner

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="Manage the embedded default cluster.")
app.add_typer(db_app, name="db")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DsnOpt = typer.Option(None, "--dsn", help="PostgreSQL URL; default: $DATABASE_URL, else the embedded cluster.")
SqlRootOpt = typer.Option(runner.SQL_ROOT, "--sql-dir", help="Root of the sql/ tree.", hidden=True)
JsonOpt = typer.Option(False, "--json", help="Print the result, or the error, as JSON on stdout.")
LockOpt = typer.Option(30.0, "--lock-timeout", help="Seconds to wait for another runner's lock.")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("dgskills-db")
        except PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
            v = "unknown"
        print(f"dgskills-db {v}")
        raise typer.Exit(0)


@app.callback()
def main(_: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                help="Print the version and exit.")) -> None:
    pass


class Usage(Exception):
    exit_code = runner.EXIT_USAGE


class CouldNotRun(Exception):
    """verify, report, lint, gen: the work could not be done (exit 2), with the cause's details."""
    exit_code = runner.EXIT_USAGE

    def __init__(self, cause: BaseException):
        super().__init__(str(cause).strip() or type(cause).__name__)
        self.cause = cause

    def as_dict(self) -> dict[str, Any]:
        return {**_error_dict(self.cause), "kind": type(self.cause).__name__}


def resolve_dsn(dsn: Optional[str]) -> str:
    if dsn:
        return dsn
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    cluster = embedded.default_cluster()
    try:
        if cluster.start():
            err.print(Text(f"started the embedded cluster in {cluster.state_dir}", style="dim"))
    except embedded.EmbeddedError as exc:
        raise Usage(str(exc)) from exc
    return cluster.url()


def _fail(exc: BaseException, code: int, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps({"format_version": runner.JSON_FORMAT_VERSION, "error": _error_dict(exc)}, indent=2))
    # The message is literal text (it may hold SQL such as uuid[]), never rich markup.
    err.print(Text("error: ", style="red") + Text(str(exc)))
    raise typer.Exit(code)


def _error_dict(exc: BaseException) -> dict[str, Any]:
    if hasattr(exc, "as_dict"):
        return exc.as_dict()
    import psycopg

    d: dict[str, Any] = {"file": None, "line": None, "column": None, "sqlstate": None,
                         "message": str(exc).strip() or type(exc).__name__, "detail": None, "hint": None,
                         "context": None, "statement": None, "kind": type(exc).__name__}
    if isinstance(exc, psycopg.Error) and exc.diag.sqlstate:
        d.update(sqlstate=exc.diag.sqlstate, message=exc.diag.message_primary or d["message"],
                 detail=exc.diag.message_detail, hint=exc.diag.message_hint, context=exc.diag.context)
    return d


def _exit_code(exc: BaseException) -> int:
    import psycopg

    if isinstance(exc, runner.Cancelled):
        return 128 + exc.signum
    if isinstance(exc, KeyboardInterrupt):
        return runner.EXIT_SIGINT
    if isinstance(exc, (runner.RunnerError, Usage, CouldNotRun)):
        return exc.exit_code
    if isinstance(exc, runner.SqlFileError):
        return runner.EXIT_FAILED
    if isinstance(exc, psycopg.OperationalError):
        return runner.EXIT_USAGE  # cannot connect, or the connection broke
    if isinstance(exc, psycopg.Error):
        return runner.EXIT_FAILED
    return runner.EXIT_USAGE


def _cancel_on_signals() -> None:
    """SIGINT and SIGTERM raise Cancelled: psycopg cancels the running statement, the transaction rolls back."""
    def handler(signum, frame):  # noqa: ARG001
        raise runner.Cancelled(signum)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _progress(name: str) -> None:
    err.print(Text(f"-> {name}", style="dim"))


def _progress_if_terminal():
    return _progress if sys.stderr.isatty() else None


def _result(as_json: bool, work: Callable[[], Any]) -> Any:
    """The result of `work`, or its error for people or, with --json, as JSON on stdout, and the
    exit code the README's table says; never a traceback."""
    try:
        return work()
    except typer.Exit:
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure becomes an exit code and a message
        if isinstance(exc, SystemExit):
            raise
        if os.environ.get("DGSKILLS_TRACEBACK"):
            import traceback

            traceback.print_exc()
        rc = _exit_code(exc)
        if as_json:
            print(json.dumps({"format_version": runner.JSON_FORMAT_VERSION, "error": _error_dict(exc)}, indent=2))
        if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, runner.RunnerError):
            msg = f"interrupted by {signal.Signals(rc - 128).name}"
        else:
            msg = str(exc).strip() or type(exc).__name__
        # literal text (it may hold SQL such as uuid[]), never rich markup
        err.print(Text("error: ", style="red") + Text(msg))
        raise typer.Exit(rc) from None


def _run(as_json: bool, work: Callable[[], Any], show: Callable[[Any], None] | None = None,
         code: Callable[[Any], int] | None = None) -> None:
    """Run one command: its result (or its error) for people or, with --json, as one JSON object
    with `format_version` on stdout. Exits as the README's table says; never a traceback."""
    result = _result(as_json, work)
    if as_json:
        body = result.as_dict() if hasattr(result, "as_dict") else result
        if not isinstance(body, dict):
            raise TypeError(f"a command's JSON result must be an object, not {type(body).__name__}")
        print(json.dumps({"format_version": runner.JSON_FORMAT_VERSION, **body}, indent=2))
    elif show:
        show(result)
    if code:
        rc = code(result)
        if rc:
            raise typer.Exit(rc)


class _Rows:
    """Aligned plain-text columns: nothing is ever cut, folded or wrapped (file names stay whole
    and greppable, whatever the terminal's width)."""

    def __init__(self, *headers: str, title: str | None = None):
        self.headers, self.title, self.rows = headers, title, []

    def add_row(self, *cells: Any) -> None:
        self.rows.append(cells)

    def print(self) -> None:
        cells = [[c.plain if isinstance(c, Text) else str(c) for c in row] for row in self.rows]
        widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(self.headers)]
        if self.title:
            out.print(Text(self.title, style="bold"))
        out.print(Text("  ".join(h.ljust(w) for h, w in zip(self.headers, widths)).rstrip(), style="bold"))
        for row, plain in zip(self.rows, cells):
            line = Text()
            for i, (c, p, w) in enumerate(zip(row, plain, widths)):
                line += c if isinstance(c, Text) else Text(p)
                if i < len(widths) - 1:
                    line += " " * (w - len(p) + 2)
            out.print(line)


@app.command()
def up(
    dsn: Optional[str] = DsnOpt,
    lock_timeout: float = LockOpt,
    allow_missing: bool = typer.Option(False, "--allow-missing", help="Run although applied files are missing."),
    out_of_order: bool = typer.Option(False, "--out-of-order",
                                      help="Apply pending files numbered below the highest applied one."),
    statement_lock_timeout: float = typer.Option(
        runner.STATEMENT_LOCK_TIMEOUT, "--statement-lock-timeout",
        help="Seconds one statement may wait for a table lock (API requests queue behind it at most this long)."),
    lock_wait: float = typer.Option(
        runner.LOCK_WAIT, "--lock-wait",
        help="Total seconds to keep retrying the whole deploy when a lock is not granted; then give up, naming "
             "the blocking sessions."),
    allow_drift: bool = typer.Option(False, "--allow-drift", help="Deploy although the live schema differs from "
                                     "what its history says (exit 5 otherwise)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Apply everything in a transaction, report what changed, "
                                 "the locks held and the time, then roll back."),
    as_json: bool = JsonOpt,
    sql_dir: Path = SqlRootOpt,
    default_privileges: Optional[str] = typer.Option(
        None, "--default-privileges",
        help="Only when the auth shim is installed: `legacy` (ALL on new objects in public to the API roles, "
             "as Supabase long did) or `secure` (none, as new Supabase projects). Default: "
             "$DGSKILLS_DEFAULT_PRIVILEGES, else legacy."),
) -> None:
    """Apply pending versioned files, changed repeatable files and the cron jobs, all-or-nothing."""
    def work():
        from dgskills_db import shim

        try:
            shim.regime(default_privileges)
        except ValueError as exc:
            raise Usage(str(exc)) from exc
        url = resolve_dsn(dsn)
        _cancel_on_signals()
        return runner.up(url, sql_dir, lock_timeout=lock_timeout, allow_missing=allow_missing,
                         out_of_order=out_of_order, progress=_progress_if_terminal(),
                         statement_lock_timeout=statement_lock_timeout, lock_wait=lock_wait, dry_run=dry_run,
                         allow_drift=allow_drift,
                         default_privileges=default_privileges)

    def show(result: runner.UpResult) -> None:
        for n in result.notes:
            err.print(Text("note: ", style="yellow") + Text(n))
        if result.noop:
            out.print("Nothing to do: the database is up to date.")
        else:
            t = _Rows("applied", "kind", "ms", title="up")
            for a in result.applied:
                t.add_row(Text(a.file), a.kind if a.action == "apply" else a.action, f"{a.ms:.1f}")
            t.print()
        if result.unchanged:
            out.print(Text(f"unchanged (equal to the catalog, not touched): {len(result.unchanged)} repeatable file(s)",
                           style="dim"))
        if result.dry_run:
            strong = [f"{r} ({m})" for r, m in result.locks if m in ("AccessExclusiveLock", "ExclusiveLock",
                                                                     "ShareRowExclusiveLock", "ShareLock")]
            out.print(Text("dry run: everything above was rolled back. Table locks it held: "
                           + (", ".join(strong) or "none stronger than SHARE UPDATE EXCLUSIVE")))
        c = result.cron
        if c and c.mode in ("same-database", "other-database") and c.changed:
            out.print(Text(f"cron ({c.mode}): scheduled {', '.join(c.scheduled) or '-'}; "
                           f"updated {', '.join(c.updated) or '-'}; unscheduled {', '.join(c.unscheduled) or '-'}"))
        out.print(Text(f"{result.total_ms:.0f} ms", style="dim"))

    def code(result: runner.UpResult) -> int:
        if result.cron and result.cron.warning:
            err.print(Text("WARNING: ", style="bold red") + Text(result.cron.warning))
        return 0

    _run(as_json, work, show, code)


_COLOURS = {"applied": "green", "pending": "yellow", "changed": "yellow", "edited": "bold red", "missing": "red",
            "renamed": "yellow", "out-of-order": "bold red"}


def _print_plan(p: runner.Plan, only_todo: bool) -> None:
    t = _Rows("file", "kind", "state", "applied at")
    runs = set(p.apply or ())
    for f in p.files:
        if only_todo and f.state == "applied" and f.file not in runs:
            continue
        state = f.state + (f" (was {f.renamed_from})" if f.renamed_from else "")
        if only_todo and f.state == "applied":
            keys = p.rerun.get(f.file, [])
            state = ("re-run: its objects would differ from a fresh build (" + ", ".join(keys[:3])
                     + (", …" if len(keys) > 3 else "") + ")") if keys else "re-run"
            t.add_row(Text(f.file), f.kind, Text(state, style="yellow"), f.applied_at or "")
            continue
        t.add_row(Text(f.file), f.kind, Text(state, style=_COLOURS[f.state]), f.applied_at or "")
    if p.shim_needed:
        t.add_row("auth shim (S-AUTH-1)", "shim", Text("pending", style="yellow"), "")
    t.print()
    if only_todo and p.statements:
        locks = _Rows("statement", "lock", "on", title="locks")
        for st in p.statements:
            locks.add_row(Text(f"{st.file}:{st.line}  {st.statement}"), st.lock or "-", ", ".join(st.on) or "-")
        locks.print()
        for st in p.statements:
            for fl in st.flags:
                err.print(Text(f"{st.file}:{st.line}: ", style="bold") + Text(f"{fl.rule}: ", style="yellow")
                          + Text(fl.message + (f" Safe pattern: {fl.fix}" if fl.fix else "")))
    for n in p.lock_notes:
        err.print(Text("note: ", style="yellow") + Text(n))
    refusal = p.refusal()
    if refusal:
        err.print(Text("up would refuse: ", style="bold red") + Text(str(refusal)))


def _plan_cmd(dsn: Optional[str], as_json: bool, sql_dir: Path, only_todo: bool, **allow: bool) -> None:
    def work():
        url = resolve_dsn(dsn)
        with runner.connect(url) as conn:
            return runner.plan(conn, sql_dir, with_locks=only_todo, dsn=url, allow=allow)

    def code(p: runner.Plan) -> int:
        refusal = p.refusal()
        return refusal.exit_code if refusal else 0

    _run(as_json, work, lambda p: _print_plan(p, only_todo), code)


@app.command()
def status(dsn: Optional[str] = DsnOpt, as_json: bool = JsonOpt, sql_dir: Path = SqlRootOpt) -> None:
    """Every file and its state: applied, pending, changed, edited, missing, renamed or out-of-order."""
    _plan_cmd(dsn, as_json, sql_dir, only_todo=False)


@app.command()
def plan(dsn: Optional[str] = DsnOpt, as_json: bool = JsonOpt, sql_dir: Path = SqlRootOpt,
         allow_missing: bool = typer.Option(False, "--allow-missing", help="Plan for `up --allow-missing`."),
         out_of_order: bool = typer.Option(False, "--out-of-order", help="Plan for `up --out-of-order`."),
         allow_drift: bool = typer.Option(False, "--allow-drift", help="Plan for `up --allow-drift`.")) -> None:
    """What the next `up` would do: exactly the files it would run (after a versioned file, the
    unchanged repeatable files whose objects would differ from a fresh build, forecast from two
    scratch builds and the live catalog, read-only), the lock each of their statements takes and
    on what, the dangerous patterns (squawk) with their safe alternative, and what `up` would
    refuse (exit 3 files and history disagree, exit 5 drift, named as `up` names it)."""
    _plan_cmd(dsn, as_json, sql_dir, only_todo=True, allow_missing=allow_missing, out_of_order=out_of_order,
              allow_drift=allow_drift)


def _show_adopt(r: runner.AdoptResult) -> None:
    out.print(Text(f"{r.action}: recorded {len(r.recorded)} file(s) as applied in the history: "
                   + ", ".join(r.recorded)))


@app.command()
def baseline(dsn: Optional[str] = DsnOpt, lock_timeout: float = LockOpt, as_json: bool = JsonOpt,
             sql_dir: Path = SqlRootOpt) -> None:
    """Adopt an existing database: record every file as applied, only when its schema equals a fresh
    build of sql/ (the drift check; needs CREATEDB); otherwise name the differences (exit 1)."""
    _run(as_json, lambda: runner.baseline(resolve_dsn(dsn), sql_dir, lock_timeout), _show_adopt)


@app.command()
def repair(files: list[str] = typer.Argument(..., help="Edited applied files, e.g. schema/1020_users.sql"),
           dsn: Optional[str] = DsnOpt, lock_timeout: float = LockOpt, as_json: bool = JsonOpt,
           sql_dir: Path = SqlRootOpt) -> None:
    """Accept edited applied versioned files, only when a fresh build of the new text equals the
    live schema (e.g. an edited comment); otherwise name the differences (exit 1)."""
    _run(as_json, lambda: runner.repair(resolve_dsn(dsn), files, sql_dir, lock_timeout), _show_adopt)


@app.command()
def revert(to: int = typer.Option(..., "--to", help="Revert every applied versioned file numbered above this."),
           dsn: Optional[str] = DsnOpt, lock_timeout: float = LockOpt,
           statement_lock_timeout: float = typer.Option(
               runner.STATEMENT_LOCK_TIMEOUT, "--statement-lock-timeout",
               help="Seconds one statement may wait for a table lock, as for `up`."),
           lock_wait: float = typer.Option(
               runner.LOCK_WAIT, "--lock-wait",
               help="Total seconds to keep retrying when a lock is not granted, as for `up`."),
           as_json: bool = JsonOpt, sql_dir: Path = SqlRootOpt) -> None:
    """Run the NNNN_name.revert.sql files of the applied versioned files above --to, newest first,
    in one transaction; a file without one blocks the revert, by name."""
    def work():
        url = resolve_dsn(dsn)
        _cancel_on_signals()
        return runner.revert(url, to, sql_dir, lock_timeout, progress=_progress_if_terminal(),
                             statement_lock_timeout=statement_lock_timeout, lock_wait=lock_wait)

    def show(r: runner.RevertResult) -> None:
        if not r.reverted:
            out.print(f"Nothing to revert: no applied versioned file above {to}.")
            return
        t = _Rows("reverted", "ms", title="revert")
        for a in r.reverted:
            t.add_row(Text(a.file), f"{a.ms:.1f}")
        t.print()

    _run(as_json, work, show)


@app.command()
def new(name: str = typer.Argument(..., help="What the file does, e.g. add_user_locale"),
        kind: str = typer.Option("schema", "--kind", help="schema, functions, policies, cron or register"),
        as_json: bool = JsonOpt, sql_dir: Path = SqlRootOpt) -> None:
    """Write the next free file of a kind with a commented header in the house style.
    --json: {format_version, file, path, kind}."""
    from dgskills_db import sqlfiles

    def work() -> dict[str, Any]:
        if kind not in sqlfiles.KINDS:
            raise Usage(f"new: --kind is one of {', '.join(sqlfiles.KINDS)}, not {kind!r}")
        p = runner.new(name, kind, sql_dir)
        return {"file": p.relative_to(sql_dir).as_posix(), "path": str(p), "kind": kind}

    def show(r: dict[str, Any]) -> None:
        out.print(Text(f"wrote {r['path']}"))

    _run(as_json, work, show)


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
    ones), 2 could not run. --json: {format_version, clean, baseline, findings, new}."""
    from dgskills_db import verify as verify_mod

    if as_json:
        fmt = "json"

    def work():
        if fmt not in ("table", "json", "sarif"):
            raise Usage(f"--format is table, json or sarif, not {fmt!r}")
        known = None
        if baseline is not None:
            try:
                known = verify_mod.load_baseline(baseline)
            except verify_mod.BaselineError as exc:
                raise Usage(str(exc)) from exc
        url = resolve_dsn(dsn)
        try:
            return verify_mod.run(url, drift=drift, include_info=True), known
        except Exception as exc:  # noqa: BLE001 - whatever stops the checks: verify could not run
            raise CouldNotRun(exc) from exc

    try:
        findings, known = _result(fmt == "json", work)
    except typer.Exit:
        raise
    fresh = verify_mod.new_findings(findings, known)
    if fmt == "json":
        print(json.dumps(verify_mod.as_json(findings, known), indent=2))
    elif fmt == "sarif":
        print(json.dumps(verify_mod.to_sarif(findings, known), indent=2))
    else:
        verify_mod.print_findings(findings, out)
        if known is not None:
            out.print(f"baseline {baseline}: {len(fresh)} new WARN/ERROR finding(s)"
                      + (": " + ", ".join(f"{f.name} {f.object}" for f in fresh) if fresh else ""), markup=False)
    if fresh:
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
    try:
        text = report_mod.render(resolve_dsn(dsn), fmt)
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
