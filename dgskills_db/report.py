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
from . import verify as verify_mod

TEMPLATES = Path(__file__).resolve().parent / "templates"
API_ROLES = ("anon", "authenticated", "service_role")
CMD = {"r": "read", "a": "add", "w": "change", "d": "delete", "*": "read and write"}


def _field(comment: str, label: str) -> str:
    m = re.search(rf"{label}:\s*(.+?)(?:\.\s+[A-Z][a-z]+:|\.$|$)", comment or "", re.S)
    return m.group(1).strip() if m else ""


def gather(dsn: str, drift: bool = True) -> dict:
    with psycopg.connect(dsn, autocommit=True) as c:
        db = c.execute("select current_database(), version()").fetchone()
        tables = []
        refs = {}
        for tbl, col, act in c.execute("""select ur.table_name, ur.col::text, ur.on_delete
                                          from app_private.user_references() ur""").fetchall():
            refs.setdefault(tbl, []).append((col, act))
        rules = {}
        for job, target, keep, ts, schedule, req in c.execute("""select r.job, r.target, r.keep::text, r.ts_column,
                   j.schedule, j.requirement from app_private.retention_rule r join app_private.retention_job j using (job)""").fetchall():
            rules[target] = {"job": job, "keep": keep, "ts": ts, "schedule": schedule, "requirement": req}
        for oid, name, comment in c.execute("""select c.oid, c.relname, obj_description(c.oid, 'pg_class')
                                                from pg_class c where c.relnamespace = 'public'::regnamespace
                                                and c.relkind = 'r' order by c.relname""").fetchall():
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
            rule = rules.get(f"public.{name}")
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
                "job": f"{rule['requirement']} {rule['job']} ({rule['keep']} on {rule['ts']}, `{rule['schedule']}`)" if rule else
                       ("S-RET-8 offboard_ended_schools, 30 days after the school's contract ends" if name in ("schools", "classes")
                        else "deleting the account (cascade), or S-RET-8 offboard_ended_schools with the school"
                        if refs.get(name) or name == "users" else "—"),
                "policies": policies, "grants": grants, "rls": True,
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
                         "cron": "pg_cron not loaded"})
        if cron_db:
            same = cron_db == target_db
            try:
                cconn = c if same else psycopg.connect(cron_sync.cron_dsn(c, cron_db), autocommit=True)
                for j in jobs:
                    name = cron_sync.job_name(j["job"], target_db, same)
                    row = cconn.execute("""select j.active, (select r.status || ' at ' || r.start_time::text from cron.job_run_details r
                                            where r.jobid = j.jobid order by r.runid desc limit 1)
                                            from cron.job j where j.jobname = %s""", (name,)).fetchone()
                    j["cron"] = ("not scheduled" if row is None else
                                 ("active" if row[0] else "inactive") + f"; last run: {row[1] or 'none yet'}")
                if cconn is not c:
                    cconn.close()
            except psycopg.Error as exc:
                for j in jobs:
                    j["cron"] = f"cannot read cron.job: {exc.diag.message_primary}"
        waivers = [{"check": k[0], "object": k[1], "reason": v} for k, v in verify_mod.waivers(c).items()]
    findings = verify_mod.run(dsn, drift=drift, include_info=True)
    return {
        "database": db[0], "server": db[1].split(",")[0],
        "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tables": tables, "jobs": jobs, "cron_database": cron_db, "findings": findings,
        "checks": len(verify_mod.check_names()), "waivers": waivers,
        "counts": {lvl: sum(f.level == lvl for f in findings) for lvl in verify_mod.LEVELS},
    }


def render(dsn: str, fmt: str = "md", drift: bool = True) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template(f"report.{fmt}.j2").render(**gather(dsn, drift))
