"""`migrate.py verify`: the compliance checks (SPEC §10).

Each check is one catalog query in `dgskills_db/checks/NNNN_<name>.sql` returning the
fixed columns (name, level, object, detail, remediation); the name is splinter's where
a splinter lint matches. Our own implementations of splinter's other lints, under
splinter's names and file stems, are in `checks/splinter/`, with the same columns. They
run in one read-only transaction with an empty search_path. Checks that need pg_cron's
database (which may be another database of the server) are written in Python below, with
the same columns.

Exit contract (migrate.py): 0 clean (INFO allowed), 1 findings at WARN or ERROR,
2 could not run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg

from . import cron as cron_sync
from . import liveness
from .findings import LEVELS, Finding
from .errors import JSON_FORMAT_VERSION

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
# Our own implementations of the rest of splinter's current lint set (what Supabase's Security
# and Performance Advisors run), one query per lint under splinter's name and file stem, with
# splinter's level. The lints splinter shares with checks/ (same name) are implemented there.
# The object of a splinter lint is written as splinter's metadata names it: schema.name unquoted
# (a function with its identity arguments, an extension by its name).
SPLINTER_DIR = CHECKS_DIR / "splinter"
# Schemas the Data API exposes when `pgrst.db_schemas` is not set (Supabase's default).
DEFAULT_API_SCHEMAS = "public, graphql_public"
# A check file may start with `-- requires: schema.table`: when that declaration is not deployed
# (a database older than it), the check reports that instead of failing to run.
_REQUIRES = re.compile(r"^-- requires: ([a-z_]+\.[a-z_]+)$", re.M)
__all__ = ["Finding", "LEVELS", "run", "print_findings", "check_names"]
LIVENESS_CHECKS = ("retention_job_late", "retention_rows_overdue", "retention_deadline_missed")


def check_files() -> list[Path]:
    return sorted(CHECKS_DIR.glob("*.sql"))


def splinter_files() -> list[Path]:
    return sorted(SPLINTER_DIR.glob("*.sql"))


def check_names() -> list[str]:
    return [p.stem.split("_", 1)[1] for p in check_files() + splinter_files()] + [
        "retention_not_scheduled", "cron_job_drift", "cron_job_failed", "cron_job_stale", "schema_drift",
        "export_coverage", "function_body_invalid", *LIVENESS_CHECKS]


def _sql_checks(conn: psycopg.Connection) -> list[Finding]:
    out: list[Finding] = []
    with conn.transaction(force_rollback=True):
        conn.execute("set transaction read only")
        conn.execute("set local search_path = ''")
        # splinter scopes its API lints to PostgREST's exposed schemas
        conn.execute("select pg_catalog.set_config('pgrst.db_schemas', coalesce(nullif("
                     "pg_catalog.current_setting('pgrst.db_schemas', true), ''), %s), true)", (DEFAULT_API_SCHEMAS,))
        for path in check_files() + splinter_files():
            text = path.read_text()
            missing = [rel for rel in _REQUIRES.findall(text)
                       if conn.execute("select pg_catalog.to_regclass(%s) is null", (rel,)).fetchone()[0]]
            if missing:
                out.append(Finding(path.stem.split("_", 1)[1], "ERROR", missing[0],
                                   f"{missing[0]} does not exist: the declaration this check reads is not deployed",
                                   "run `migrate.py up`"))
                continue
            for row in conn.execute(text).fetchall():
                out.append(Finding(*row))
    return out


def _cron_checks(conn: psycopg.Connection) -> list[Finding]:
    """Declared retention jobs vs cron.job, and their latest runs."""
    jobs = cron_sync.declared_jobs(conn)
    if jobs is None:
        return []
    cron_db, target_db = cron_sync.cron_location(conn)
    if cron_db is None:
        return [Finding("retention_not_scheduled", "ERROR", "pg_cron",
                        f"pg_cron is not loaded: none of the {len(jobs)} declared retention jobs runs",
                        "add pg_cron to shared_preload_libraries, set cron.database_name, restart, then `up`")]
    same = cron_db == target_db
    desired = cron_sync._desired(jobs, target_db, cron_db, same)
    try:
        cconn = conn if same else psycopg.connect(cron_sync.cron_dsn(conn, cron_db), autocommit=True)
    except psycopg.Error as exc:
        return [Finding("retention_not_scheduled", "ERROR", f"database {cron_db}",
                        f"cannot read cron.job in {cron_db}: {exc}", "grant the verifying user access to it")]
    try:
        if not cconn.execute("select exists (select from pg_catalog.pg_extension where extname = 'pg_cron')").fetchone()[0]:
            return [Finding("retention_not_scheduled", "ERROR", f"database {cron_db}",
                            "the pg_cron extension is not created", "run `migrate.py up`")]
        mine = "jobname like 'dgskills.%%' and " + ("jobname not like '%%@%%'" if same else "jobname like %s")
        args = () if same else (f"%@{target_db}",)
        live = {r[0]: r[1:] for r in cconn.execute(
            f"select jobname, schedule, command, database, active, jobid from cron.job where {mine}", args).fetchall()}
        out: list[Finding] = []
        for name, (schedule, command, db) in sorted(desired.items()):
            cur = live.get(name)
            if cur is None:
                out.append(Finding("retention_not_scheduled", "ERROR", name,
                                   f"declared retention job is not in cron.job (schedule {schedule})",
                                   "run `migrate.py up` to reconcile cron.job"))
            elif (cur[0], cur[1], cur[2], cur[3]) != (schedule, command, db, True):
                out.append(Finding("cron_job_drift", "ERROR", name,
                                   f"cron.job has schedule {cur[0]!r}, command {cur[1]!r}, database {cur[2]!r}, "
                                   f"active {cur[3]}; declared {schedule!r}, {command!r}, {db!r}",
                                   "run `migrate.py up` to reconcile cron.job"))
        for name, db in cconn.execute(
                """select jobname, database from cron.job
                    where jobname like 'dgskills.%%'
                      and not exists (select from pg_catalog.pg_database d where d.datname = cron.job.database)
                    order by jobname""").fetchall():
            out.append(Finding("cron_job_stale", "WARN", name,
                               f"job for database {db!r}, which no longer exists: pg_cron fails it on every run",
                               f"in database {cron_db}: select cron.unschedule('{name}')"))
        for name in sorted(set(live) - set(desired)):
            out.append(Finding("cron_job_drift", "WARN", name, "job of ours in cron.job that is not declared",
                               "run `migrate.py up` (it unschedules undeclared jobs)"))
        failed = cconn.execute(
            f"""select j.jobname, d.status, d.return_message, d.start_time::text
                  from cron.job j
                  join lateral (select * from cron.job_run_details r where r.jobid = j.jobid
                                 order by r.runid desc limit 1) d on true
                 where {mine} and d.status not in ('succeeded', 'running', 'starting')""", args).fetchall()
        for name, status, msg, at in failed:
            out.append(Finding("cron_job_failed", "ERROR", name, f"latest run {at} {status}: {msg}",
                               "read cron.job_run_details, fix the cause, and check the next run"))
        return out
    finally:
        if cconn is not conn:
            cconn.close()


def waivers(conn: psycopg.Connection) -> dict[tuple[str, str], str]:
    """Declared waivers: the rows of app_private.verify_waiver and what the rules of
    app_private.verify_waiver_rule cover now."""
    out: dict[tuple[str, str], str] = {}
    for rel in ("app_private.verify_waiver_rule", "app_private.verify_waiver"):
        if conn.execute("select pg_catalog.to_regclass(%s) is not null", (rel,)).fetchone()[0]:
            out.update({(r[0], r[1]): r[2] for r in conn.execute(
                f"select check_name, object, reason from {rel}").fetchall()})
    return out


_PLAN_FILTERS = ("Filter", "One-Time Filter", "Index Cond", "Recheck Cond", "Join Filter", "Hash Cond", "Merge Cond")


def _plan_filters(node) -> bool:
    if isinstance(node, dict):
        return any(k in _PLAN_FILTERS for k in node) or any(_plan_filters(v) for v in node.values())
    if isinstance(node, list):
        return any(_plan_filters(v) for v in node)
    return False


def _always_true_policy_checks(conn: psycopg.Connection) -> list[Finding]:
    """A permissive policy whose USING or WITH CHECK the planner folds to true (`x or true`,
    `1 = 1`, ...) admits every row, whatever the command: the planner is the judge, so any
    spelling of "always" is caught. A write policy that is literally `true` is reported by the
    catalog query of the same name."""
    out: list[Finding] = []
    with conn.transaction(force_rollback=True):
        conn.execute("set transaction read only")
        conn.execute("set local search_path = ''")
        rows = conn.execute(
            """select p.polrelid::regclass::text, p.polname, p.polcmd::text,
                      pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)
                 from pg_catalog.pg_policy p
                 join pg_catalog.pg_class c on c.oid = p.polrelid
                where p.polpermissive and c.relkind in ('r', 'p')
                order by 1, 2""").fetchall()
        commands = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}
        for table, policy, cmd, qual, check in rows:
            for label, expr in (("USING", qual), ("WITH CHECK", check)):
                if expr is None or (expr == "true" and cmd in ("a", "w", "d", "*")):
                    continue
                try:
                    with conn.transaction():
                        plan = conn.execute(f"explain (format json) select from only {table} where ({expr})").fetchone()[0]
                except psycopg.Error:
                    continue
                if not _plan_filters(plan):
                    out.append(Finding("rls_policy_always_true", "WARN", f"{table}: policy {policy}",
                                       f"{label} ({expr}) is always true: the {commands[cmd]} policy admits every row",
                                       "restrict the policy to the rows the caller may see or write"))
    return out


def _function_body_checks(conn: psycopg.Connection) -> list[Finding]:
    from . import bodies

    try:
        return bodies.check(conn)
    except psycopg.Error as exc:
        return [Finding("function_body_invalid", "WARN", "server", f"function bodies not checked: {exc}",
                        "run verify as the deploying user")]


def _export_checks(conn: psycopg.Connection) -> list[Finding]:
    try:
        return _export_checks_unguarded(conn)
    except psycopg.Error as exc:
        return [Finding("export_coverage", "ERROR", "app_private.export_user(uuid)",
                        f"the export fails: {exc.diag.message_primary or exc} (SQLSTATE {exc.diag.sqlstate})",
                        "see function_body_invalid; fix the export function")]


def _export_checks_unguarded(conn: psycopg.Connection) -> list[Finding]:
    """Every table that references users (expected, from the catalog) must appear in what the
    export function actually returns; run for a throw-away account in a rolled-back transaction."""
    if not conn.execute("select pg_catalog.to_regprocedure('app_private.export_user(uuid)') is not null").fetchone()[0]:
        return [Finding("export_coverage", "ERROR", "app_private.export_user(uuid)", "the export function is missing",
                        "deploy sql/functions/0300_rpc_helpers.sql")]
    expected = {r[0] for r in conn.execute(
        """select case when n.nspname = 'public' then c.relname::text else n.nspname || '.' || c.relname end
             from pg_catalog.pg_constraint k
             join pg_catalog.pg_class c on c.oid = k.conrelid
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where k.contype = 'f' and k.confrelid = 'public.users'::regclass and k.conrelid <> 'public.users'::regclass
               and k.conparentid = 0"""
    ).fetchall()}
    with conn.transaction(force_rollback=True):
        probe = conn.execute("select gen_random_uuid()").fetchone()[0]
        conn.execute("insert into auth.users (id) values (%s)", (probe,))
        conn.execute("insert into public.users (id, role, display_name) values (%s, 'developer', 'verify probe')", (probe,))
        got = set(conn.execute("select pg_catalog.jsonb_object_keys(app_private.export_user(%s) -> 'data')",
                               (probe,)).fetchall())
    got = {g[0] for g in got}
    return [Finding("export_coverage", "ERROR", t, "references users but is missing from export_my_data()",
                    "derive the export from the catalog (app_private.user_references()) or add the table")
            for t in sorted(expected - got)]


def _liveness_checks(conn: psycopg.Connection) -> list[Finding]:
    """S-RET-12: every declared job succeeded recently, no row waits past its period plus one
    interval, no school or leaver is past its deadline (dgskills_db/liveness.py)."""
    return [Finding(*f) for f in liveness.findings(conn)]


def run(dsn: str, drift: bool = False, include_info: bool = False) -> list[Finding]:
    """All checks; with drift=True also the comparison with a fresh build of sql/. INFO
    findings (waived ones, and splinter's informational lints such as unused_index) only
    with include_info=True: they never fail verify."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        findings = (_sql_checks(conn) + _cron_checks(conn) + _export_checks(conn) + _function_body_checks(conn)
                    + _always_true_policy_checks(conn) + _liveness_checks(conn))
        waived = waivers(conn)
    if drift:
        from . import drift as drift_mod

        findings += drift_mod.check(dsn)
    findings = [
        Finding(f.name, "INFO", f.object, f"waived: {waived[(f.name, f.object)]} (was {f.level}: {f.detail})",
                f.remediation, waived[(f.name, f.object)]) if (f.name, f.object) in waived else f
        for f in findings
    ]
    if not include_info:
        findings = [f for f in findings if f.level != "INFO"]
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    return sorted(findings, key=lambda f: (order.get(f.level, 9), f.name, f.object))


def print_findings(findings: list[Finding], console) -> None:
    from rich.table import Table
    from rich.text import Text

    if not any(f.level in ("ERROR", "WARN") for f in findings):
        info = sum(f.level == "INFO" for f in findings)
        console.print(f"verify: clean ({len(check_names())} checks" + (f"; {info} INFO below" if info else "") + ").")
    for lvl in LEVELS:
        group = [f for f in findings if f.level == lvl]
        if not group:
            continue
        t = Table(title=f"{lvl} ({len(group)})")
        t.add_column("check", no_wrap=True)
        t.add_column("object", overflow="fold")
        t.add_column("detail", overflow="fold")
        t.add_column("remediation", overflow="fold")
        for f in group:
            # literal text: details hold SQL such as uuid[] that rich would read as markup
            t.add_row(*(Text(x) for x in (f.name, f.object, f.detail, f.remediation)))
        console.print(t)


# -- baseline --------------------------------------------------------------------------

class BaselineError(ValueError):
    """The baseline file cannot be read (exit 2: verify could not run as asked)."""


def load_baseline(path: Path) -> set[tuple[str, str]]:
    """(check, object) pairs from an earlier `verify --json` output (the object with
    `format_version` and `findings`, or the bare list of findings that `verify --json` printed
    before it carried a format version) or `verify --format sarif` output."""
    import json

    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from exc
    keys: set[tuple[str, str]] = set()
    try:
        if isinstance(data, dict) and "format_version" in data and "findings" in data:
            if data["format_version"] != JSON_FORMAT_VERSION:
                raise BaselineError(f"{path}: `verify --json` format_version {data['format_version']!r}; "
                                    f"this verify reads {JSON_FORMAT_VERSION}")
            keys = {(f["name"], f["object"]) for f in data["findings"]}
        elif isinstance(data, list):
            keys = {(f["name"], f["object"]) for f in data}
        elif isinstance(data, dict) and data.get("version") == "2.1.0":
            for run_ in data["runs"]:
                for r in run_.get("results", []):
                    keys.add((r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]))
        else:
            hint = " (an error report: that verify could not run)" if isinstance(data, dict) and "error" in data else ""
            raise BaselineError(f"{path}: neither `verify --json` nor SARIF 2.1.0 output{hint}")
    except (KeyError, IndexError, TypeError) as exc:
        raise BaselineError(f"{path}: malformed baseline ({exc!r})") from exc
    return keys


def as_json(findings: list[Finding], baseline: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """`verify --json`: every finding, and which WARN/ERROR ones are new (all of them without a
    baseline); `clean` is what the exit code says (0 when true)."""
    fresh = new_findings(findings, baseline)
    return {"format_version": JSON_FORMAT_VERSION, "clean": not fresh,
            "baseline": baseline is not None,
            "findings": [f.as_dict() for f in findings],
            "new": [f.as_dict() for f in fresh]}


def new_findings(findings: list[Finding], baseline: set[tuple[str, str]] | None) -> list[Finding]:
    """The WARN and ERROR findings that are not in the baseline (all of them without one)."""
    return [f for f in findings if f.level in ("ERROR", "WARN") and (baseline is None or f.key not in baseline)]


# -- SARIF 2.1.0 -----------------------------------------------------------------------

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"ERROR": "error", "WARN": "warning", "INFO": "note"}


def splinter_lints() -> dict[str, str]:
    """Every splinter lint this verify implements: name -> splinter's file stem."""
    return {**SPLINTER_SHARED, **{p.stem.split("_", 1)[1]: p.stem for p in splinter_files()}}


def _rule_help(name: str) -> str:
    stem = splinter_lints().get(name)
    return f"https://supabase.com/docs/guides/database/database-linter?lint={stem}" if stem else ""


# The checks in checks/ that are splinter lints (implemented there at least as strictly),
# with splinter's file stem.
SPLINTER_SHARED = {
    "unindexed_foreign_keys": "0001_unindexed_foreign_keys", "auth_rls_initplan": "0003_auth_rls_initplan",
    "no_primary_key": "0004_no_primary_key", "multiple_permissive_policies": "0006_multiple_permissive_policies",
    "policy_exists_rls_disabled": "0007_policy_exists_rls_disabled",
    "rls_enabled_no_policy": "0008_rls_enabled_no_policy", "security_definer_view": "0010_security_definer_view",
    "function_search_path_mutable": "0011_function_search_path_mutable",
    "rls_disabled_in_public": "0013_rls_disabled_in_public", "extension_in_public": "0014_extension_in_public",
    "rls_policy_always_true": "0024_rls_policy_always_true",
    "anon_security_definer_function_executable": "0028_anon_security_definer_function_executable",
}


def to_sarif(findings: list[Finding], baseline: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """One SARIF run: a rule per check name, a result per finding located by its database
    object (a logical location: there is no source line), waived findings as suppressed
    results with the declared reason, and with a baseline each result's baselineState."""
    import hashlib

    names = sorted(set(check_names()) | {f.name for f in findings})
    rules = []
    for n in names:
        rule: dict[str, Any] = {"id": n, "name": n, "shortDescription": {"text": n.replace("_", " ")}}
        if _rule_help(n):
            rule["helpUri"] = _rule_help(n)
        rules.append(rule)
    index = {n: i for i, n in enumerate(names)}
    results = []
    for f in findings:
        r: dict[str, Any] = {
            "ruleId": f.name,
            "ruleIndex": index[f.name],
            "level": _SARIF_LEVEL.get(f.level, "none"),
            "message": {"text": f"{f.detail}. Remediation: {f.remediation}" if f.remediation else f.detail},
            "locations": [{"logicalLocations": [{"fullyQualifiedName": f.object, "kind": "object"}]}],
            "partialFingerprints": {
                "dgskillsFinding/v1": hashlib.sha256(f"{f.name}\0{f.object}".encode()).hexdigest()
            },
            "properties": {"dgskillsLevel": f.level, "remediation": f.remediation},
        }
        if f.waiver is not None:
            r["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.waiver}]
        if baseline is not None:
            r["baselineState"] = "unchanged" if f.key in baseline else "new"
        results.append(r)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "dgskills-db verify", "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
