"""`migrate.py report`: the technical annex to the processing register (SPEC §11), rendered
with jinja2 from the live catalog, comments and declarations: per table its processing
activity, legal basis, retention and deleting job, who may do what (policies and grants),
what happens to its rows when an account is deleted, export coverage; the pg_cron
schedule with the latest runs; the verify result and any declared waivers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2
import psycopg

from . import cron as cron_sync
from . import declarations
from . import liveness
from . import verify as verify_mod

TEMPLATES = Path(__file__).resolve().parent / "templates"
API_ROLES = ("anon", "authenticated", "service_role")
CMD = {"r": "read", "a": "add", "w": "change", "d": "delete", "*": "read and write"}


def _field(comment: str, label: str) -> str:
    m = re.search(rf"{label}:\s*(.+?)(?:\.\s+[A-Z][a-z]+:|\.$|$)", comment or "", re.S)
    return m.group(1).strip() if m else ""


def _rule_text(r: dict) -> str:
    what = f"nulls {r['column']} after {r['keep']}" if r["action"] == "nullify" else f"{r['keep']}"
    promise = f", within {r['deadline']}" if r["deadline"] else ""
    return f"{r['requirement']} {r['job']} ({what} on {r['ts']}{promise}, schedule {r['schedule']} UTC)"


def gather(dsn: str, drift: bool = True) -> dict:
    with psycopg.connect(dsn, autocommit=True) as c:
        db = c.execute("select current_database(), version()").fetchone()
        tables = []
        refs = {}
        for tbl, col, act in c.execute("""select ur.table_name, ur.col::text, ur.on_delete
                                          from app_private.user_references() ur""").fetchall():
            refs.setdefault(tbl, []).append((col, act))
        rules: dict[str, list[dict]] = {}
        for job, target, keep, ts, schedule, req, action, col, deadline in c.execute(
                """select r.job, r.target, r.keep::text, r.ts_column, j.schedule, j.requirement, r.action,
                          r.nullify_column, r.deadline::text
                     from app_private.retention_rule r join app_private.retention_job j using (job)
                    order by j.requirement, r.job""").fetchall():
            rules.setdefault(target, []).append({"job": job, "keep": keep, "ts": ts, "schedule": schedule,
                                                 "requirement": req, "action": action, "column": col,
                                                 "deadline": deadline})
        for oid, name, comment, rls in c.execute("""select c.oid, c.relname, obj_description(c.oid, 'pg_class'), c.relrowsecurity
                                                from pg_class c where c.relnamespace = 'public'::regnamespace
                                                and c.relkind in ('r', 'p') order by c.relname""").fetchall():
            policies = [
                {"name": p[0], "command": CMD[p[1]], "roles": p[2], "sentence": p[3] or "(no description)"}
                for p in c.execute("""select p.polname, p.polcmd,
                          coalesce((select string_agg(rolname, ', ') from pg_roles where oid = any(p.polroles)), 'everyone'),
                          obj_description(p.oid, 'pg_policy')
                          from pg_policy p where p.polrelid = %s order by p.polcmd, p.polname""", (oid,)).fetchall()
            ]
            grants = {}
            for role in API_ROLES:
                privs = [w for w, p in (("read", "select"), ("add", "insert"), ("change", "update"), ("delete", "delete"))
                         if c.execute("select case when %s = 'delete' then has_table_privilege(%s, %s, 'delete') "
                                      "else has_any_column_privilege(%s, %s, %s) end",
                                      (p, role, oid, role, oid, p)).fetchone()[0]]
                grants[role] = ", ".join(privs) or "nothing"
            ropa = sorted(set(re.findall(r"V-\d{2}", comment or "")))
            table_rules = rules.get(f"public.{name}", [])
            deletion = []
            for col, act in refs.get(name, []):
                deletion.append(f"{col}: " + ("rows are deleted with the account (cascade)" if act == "c"
                                              else "rows stay, the reference is set to null"))
            if name == "users":
                deletion.append("id: deleted with the auth account (cascade from auth.users)")
            tables.append({
                "name": name, "comment": comment or "", "ropa": ", ".join(ropa) or "—",
                "purpose": (comment or "").split(". ROPA")[0],
                "legal_basis": _field(comment, "Legal basis") or "—",
                "retention": _field(comment, "Retention") or "—",
                "job": "; ".join(_rule_text(r) for r in table_rules) if table_rules and name not in ("users",) else
                       ("S-RET-8 offboard_ended_schools with the school (from 27 days, within 30 days after the "
                        "contract ends)" if name == "classes"
                        else "deleting the account (cascade), S-RET-8 offboard_ended_schools with the school"
                        + ("; " + "; ".join(_rule_text(r) for r in table_rules) if table_rules else "")
                        if refs.get(name) or name == "users" else "—"),
                "policies": policies, "grants": grants, "rls": rls, "access": declarations.who_may(name),
                "deletion": deletion or ["not about a user"],
                "export": ("exported by export_my_data() (" + ", ".join(col for col, _ in refs[name]) + ")") if name in refs
                          else ("subject section of the export" if name == "users" else "not personal data of a user"),
            })
        cron_db, target_db = cron_sync.cron_location(c)
        jobs = []
        for j in cron_sync.declared_jobs(c) or []:
            last = c.execute("""select finished_at::text, rows_deleted from app_private.retention_run
                                 where job = %s order by id desc limit 1""", (j.job,)).fetchone()
            jobs.append({"job": j.job, "schedule": j.schedule, "command": j.command,
                         "last_purge": f"{last[0]} ({last[1]} rows)" if last else "no run recorded yet",
                         "cron": "pg_cron not loaded", "last_success": None})
        if cron_db:
            same = cron_db == target_db
            try:
                cconn = c if same else psycopg.connect(cron_sync.cron_dsn(c, cron_db), autocommit=True)
                for j in jobs:
                    name = cron_sync.job_name(j["job"], target_db, same)
                    row = cconn.execute("""select j.active, (select r.status || ' at ' || r.start_time::text from cron.job_run_details r
                                            where r.jobid = j.jobid order by r.runid desc limit 1),
                                            (select max(r.end_time)::text from cron.job_run_details r
                                              where r.jobid = j.jobid and r.status = 'succeeded')
                                            from cron.job j where j.jobname = %s""", (name,)).fetchone()
                    j["cron"] = ("not scheduled" if row is None else
                                 ("active" if row[0] else "inactive") + f"; last run: {row[1] or 'none yet'}")
                    j["last_success"] = (row[2] if row and row[2] else None)
                if cconn is not c:
                    cconn.close()
            except psycopg.Error as exc:
                for j in jobs:
                    j["cron"] = f"cannot read cron.job: {exc.diag.message_primary}"
        # S-RET-12: per job the last success (pg_cron or a run-log run without failures) and the
        # oldest row still waiting for it (dgskills_db/liveness.py, what verify checks).
        live = liveness.states(c)
        by_job = {st.job: st for st in live[0]} if live else {}
        for j in jobs:
            st = by_job.get(j["job"])
            j["liveness_success"], j["oldest_waiting"] = "—", "—"
            if st is None:
                continue
            j["liveness_success"] = (f"{st.last_success:%Y-%m-%d %H:%M} UTC" if st.last_success
                                     else "none yet") + (" (LATE)" if st.late(live[1]) else "")
            waiting = [f"{r.target}{'.' + r.nullify_column if r.nullify_column else ''}: {r.oldest_waiting}"
                       for r in st.rules if r.oldest_waiting is not None]
            j["oldest_waiting"] = "; ".join(waiting) or "none"
        waivers = [{"check": k[0], "object": k[1], "reason": v} for k, v in verify_mod.waivers(c).items()]
        findings = verify_mod.run(dsn, drift=drift, include_info=True)
        reg = register(c, tables, jobs, findings)
    return {
        "register": reg["activities"], "register_findings": reg["findings"], "fk_figures": reg["fk_figures"],
        "officer_notes": [a for a in reg["activities"] if a["officer_note_nl"]],
        "database": db[0], "server": db[1].split(",")[0],
        "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tables": tables, "personas": declarations.access_matrix().personas, "jobs": jobs, "cron_database": cron_db, "findings": findings,
        "checks": len(verify_mod.check_names()), "waivers": waivers,
        "counts": {lvl: sum(f.level == lvl for f in findings) for lvl in verify_mod.LEVELS},
    }


def render(dsn: str, fmt: str = "md", drift: bool = True) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    # a Markdown table cell: no pipe, no line break
    env.filters["cell"] = lambda v: " ".join(str(v).split()).replace("|", "\\|")
    return env.get_template(f"report.{fmt}.j2").render(**gather(dsn, drift))


MEASURE_WORDS = {
    "rls": "row-level security on",
    "cascade": "rows about a user are deleted with the account (ON DELETE CASCADE)",
    "school_scope": "staff access bounded to the school",
    "class_scope": "staff access bounded to the classes they teach",
    "append_only": "append-only: no API role may change or delete rows",
    "retention_job": "deleted by a scheduled retention job",
    "rpc": "a right exercised by calling this function: it exists and signed-in users may execute it",
}
RETENTION_WORDS = {"account": "account lifetime (deleted with the account)",
                   "school": "while the school is a customer (offboarded 30 days after the contract ends)"}


def _mentions(f, ropa_id: str, tables: set[str]) -> bool:
    text = f"{f.object} {f.detail}"
    return bool(re.search(rf"\b{re.escape(ropa_id)}\b", text)) or any(
        re.search(rf"(?<![\w.]){re.escape(t)}(?![\w])", text) or re.search(rf"(?<![\w.]){re.escape(t.split('.', 1)[1])}\b", text)
        for t in tables)


def register(c: psycopg.Connection, tables: list[dict], jobs: list[dict], findings: list) -> dict:
    """The Art. 30 register from app_private.register_* with live evidence per activity: its tables
    and columns, policies in words, the retention job and its last successful run, export and erasure
    coverage, the claimed measures and what verify found about it."""
    if c.execute("select pg_catalog.to_regclass('app_private.register_activity') is null").fetchone()[0]:
        return {"activities": [], "findings": [], "fk_figures": None}
    by_name = {t["name"]: t for t in tables}
    job_by_name = {j["job"]: j for j in jobs}
    cur = c.cursor(row_factory=psycopg.rows.dict_row)
    activities = cur.execute("select * from app_private.register_activity order by ropa_id").fetchall()
    cats = cur.execute("""select g.*, coalesce((select array_agg(r.table_name || '.' || r.column_name order by r.table_name, r.column_name)
                                 from app_private.register_column r where r.ropa_id = g.ropa_id and r.category = g.category), '{}') as columns
                            from app_private.register_category g order by g.ropa_id, g.origin desc, g.category""").fetchall()
    regtables = cur.execute("select * from app_private.register_table order by ropa_id, table_name").fetchall()
    measures = cur.execute("select * from app_private.register_measure order by ropa_id, measure, table_name").fetchall()
    rules = cur.execute("""select rr.target, rr.job, rr.keep::text as keep, j.schedule, j.requirement
                             from app_private.retention_rule rr join app_private.retention_job j using (job)""").fetchall()
    offboard = cur.execute("""select job, schedule, requirement from app_private.retention_job
                                where job = 'offboard_ended_schools'""").fetchone()
    last_run = {(r["job"], r["target"]): r["finished_at"] for r in cur.execute(
        """select job, target, max(finished_at)::text as finished_at from app_private.retention_run group by job, target""").fetchall()}
    fk = c.execute("""select count(*), count(*) filter (where confdeltype = 'c'), count(*) filter (where confdeltype = 'n'),
                             count(distinct conrelid)
                        from pg_constraint where contype = 'f' and confrelid = 'public.users'::regclass and conparentid = 0""").fetchone()
    register_findings = [f for f in findings if f.name.startswith("register_")]
    out = []
    for a in activities:
        rid = a["ropa_id"]
        mine = [t for t in regtables if t["ropa_id"] == rid]
        names = {t["table_name"] for t in mine} | {col.rsplit(".", 1)[0] for g in cats if g["ropa_id"] == rid for col in g["columns"]}
        evidence = []
        for t in mine:
            short = t["table_name"].split(".", 1)[1] if t["table_name"].startswith("public.") else t["table_name"]
            live = by_name.get(short)
            tr = [r for r in rules if r["target"] == t["table_name"]]
            if t["retention"] in ("account", "school") and offboard:
                # rows that live as long as the account or school go with the school's offboarding (S-RET-8)
                tr = tr + [{**offboard, "target": t["table_name"], "keep": "until 30 days after the contract ends"}]
            evidence.append({
                "table": t["table_name"],
                "retention": t["keep"] and str(t["keep"]) or RETENTION_WORDS[t["retention"]],
                "jobs": [{"job": r["job"], "requirement": r["requirement"], "keep": r["keep"], "schedule": r["schedule"],
                          "last_purge": last_run.get((r["job"], r["target"])) or "none recorded yet",
                          "last_success": (job_by_name.get(r["job"]) or {}).get("last_success") or "none recorded yet"}
                         for r in tr],
                "rls": live["rls"] if live else None,
                "policies": live["policies"] if live else [],
                "deletion": live["deletion"] if live else ["no reference to a user account: deleted only by its retention rule"],
                "export": live["export"] if live else "not exported (no reference to a user)",
            })
        claimed = []
        for m in (m for m in measures if m["ropa_id"] == rid):
            bad = [f for f in register_findings if f.name == "register_measure_unsupported"
                   and f.object == f"{rid} {m['measure']} {m['table_name']}"]
            claimed.append({"measure": m["measure"], "words": MEASURE_WORDS[m["measure"]], "table": m["table_name"],
                            "holds": not bad, "detail": bad[0].detail if bad else "the catalog agrees"})
        out.append({**a, "legal_bases": ", ".join(f"Art. 6(1)({b})" for b in a["legal_bases"]),
                    "categories": [g for g in cats if g["ropa_id"] == rid], "evidence": evidence, "measures": claimed,
                    # findings at WARN/ERROR, and waivers (INFO "waived: ..."), not the advisory INFO lints
                    "findings": [f for f in findings if _mentions(f, rid, names)
                                 and (f.level != "INFO" or f.detail.startswith("waived:"))]})
    figures = {"fks": fk[0], "cascade": fk[1], "set_null": fk[2], "tables": fk[3]}
    return {"activities": out, "findings": register_findings, "fk_figures": figures}
