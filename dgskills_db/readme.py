"""Sections of README.md that are generated, so the README cannot disagree with what the
tests and the database use: the access matrix and the restriction scope (the declarations in
dgskills_db/declarations/, the data the tests run), the retention table and the processing register (the deployed declarations). Each section sits
between `<!-- BEGIN name -->` and `<!-- END name -->`.

    .venv/bin/python -m dgskills_db.readme [--dsn URL]   # rewrite the sections in place
tests/test_readme.py fails when a section is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _span(td) -> str:
    minutes = int(td.total_seconds() // 60)
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes % size == 0:
            n = minutes // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return str(td)


def retention(dsn: str) -> str:
    with psycopg.connect(dsn) as c:
        rows = c.execute("""
            select j.requirement, j.job, coalesce(r.target, '—'), coalesce(r.ropa_id, ''),
                   coalesce(r.ts_column, ''), r.keep::text, r.deadline::text, r.action, r.nullify_column,
                   j.schedule, j.run_every, 'app_private.' || j.job || '(jsonb)'
              from app_private.retention_job j
              left join app_private.retention_rule r using (job)
             order by (regexp_match(j.requirement, '[0-9]+'))[1]::int, j.requirement, j.job, r.target""").fetchall()
    lines = ["| id | job (step function) | table | ROPA | clock column | kept | schedule (UTC) | late after |",
             "|---|---|---|---|---|---|---|---|"]
    for req, job, target, ropa, ts, keep, deadline, action, col, sched, every, proc in rows:
        kept = keep or ""
        if action == "nullify":
            kept = f"{keep}, then `{col}` nulled"
        elif deadline:
            kept = f"deleted from {keep}, before {deadline}"
        if job == "offboard_ended_schools":
            target = "public.schools (its accounts: auth.users, cascading)"
        elif job == "purge_leavers":
            target = "public.users marked as left (auth.users, cascading)"
        elif job == "maintain_partitions":
            target, ropa, kept = "public.student_activities, public.audit_logs", "V-04, V-12", \
                "creates partitions ahead, cut at the purge jobs' cutoffs"
        late = _span(2 * every) if every else ""
        clock = f"`{ts}`" if ts else ""
        lines.append(f"| {req} | `{proc}` | `{target}` | {ropa} | {clock} | {kept} | `{sched}` | {late} |")
    return "\n".join(lines) + "\n"


def register(dsn: str) -> str:
    """The processing register as deployed: each activity, where it leaves data, and its tables."""
    with psycopg.connect(dsn) as c:
        rows = c.execute("""
            select a.ropa_id, a.name_en, a.footprint, pg_catalog.array_to_string(a.legal_bases, ', '),
                   coalesce((select string_agg('`' || t.table_name || '` (' || coalesce(t.keep::text, t.retention) || ')', ', '
                                               order by t.table_name)
                               from app_private.register_table t where t.ropa_id = a.ropa_id), ''),
                   (select count(*) from app_private.register_column r where r.ropa_id = a.ropa_id),
                   (select count(*) from app_private.register_measure m where m.ropa_id = a.ropa_id)
              from app_private.register_activity a order by a.ropa_id""").fetchall()
    lines = ["| ROPA | activity | Art. 6(1) | tables (retention) | columns mapped | measures checked |",
             "|---|---|---|---|---|---|"]
    for rid, name, footprint, bases, tables, cols, measures in rows:
        where = tables if footprint == "database" and tables else ("none: not stored in this database" if footprint == "none"
                                                                   else "columns of other activities' tables")
        lines.append(f"| {rid} | {name} | {bases} | {where} | {cols} | {measures} |")
    return "\n".join(lines) + "\n"


def bench() -> str:
    """The latest `make bench` tables: bench/results/latest.json (scale 1.0), then each
    bench/results/scale-<scale>.json (a run at another BENCH_SCALE)."""
    import json

    from .benchfigures import render

    results = ROOT / "bench" / "results"
    files = [p for p in [results / "latest.json", *sorted(results.glob("scale-*.json"))] if p.exists()]
    if not files:
        return "No benchmark has been run yet.\n"
    out = []
    for path in files:
        r = json.loads(path.read_text())
        text = render(r)
        out.append(f"At scale {r['scale']:.1f} (`{path.relative_to(ROOT)}`):\n\n"
                   "```\n" + text.split("\n\n")[0] + "\n```\n\n" + text.split("\n\n", 1)[1] + "\n")
    return "\n".join(out)


def sections(dsn: str) -> dict[str, str]:
    from . import declarations

    return {"access-matrix": declarations.render_access_markdown(), "restriction-scope": declarations.render_restriction_markdown(),
            "retention": retention(dsn), "register": register(dsn), "bench": bench()}


def current(text: str, name: str) -> str | None:
    m = re.search(rf"<!-- BEGIN {name} -->\n(.*?)<!-- END {name} -->", text, re.S)
    return m.group(1) if m else None


def _replace(text: str, name: str, body: str) -> str:
    text, n = re.subn(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)",
                      lambda m: m.group(1) + body + m.group(2), text, flags=re.S)
    if n != 1:
        raise SystemExit(f"README.md has no section {name}")
    return text


def write_section(name: str, body: str) -> None:
    """Rewrite one generated section (`make bench` rewrites its own)."""
    README.write_text(_replace(README.read_text(), name, body))


def write(dsn: str) -> None:
    text = README.read_text()
    for name, body in sections(dsn).items():
        text = _replace(text, name, body)
    README.write_text(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from migrate import resolve_dsn

    args = sys.argv[1:]
    write(resolve_dsn(args[args.index("--dsn") + 1] if "--dsn" in args else None))
