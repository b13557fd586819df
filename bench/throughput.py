"""Throughput under concurrent load: what a platform feels at 09:00 on a school day.

N clients (BENCH_CLIENTS, default 16), one connection each like a PostgREST pool, run a mixed
workload for BENCH_TP_SECONDS (default 10) per round with pgbench (PostgreSQL's own load client,
written in C, so the client is not what is measured):

  pupil's own activity (30)   progress page (25)   message inbox (20)
  insert of an activity (15)  teacher's dashboard (10)            (weights)

Each transaction is PostgREST-style on the RLS side: `begin`, one statement of `set_config`
of role and claims, the query, `commit`. The reference runs the same transactions as the table
owner with the equivalent explicit WHERE and a `set_config` of the claims only (a backend that
keeps the request context), so both sides make the same round trips and the difference is
row-level security. Rounds alternate RLS / explicit (3 each by default, BENCH_TP_ROUNDS);
transactions per second are medians over rounds, latencies (p50, p99) over every transaction.
Before measuring, every query pair is run for a sample of personas and must return the same rows.
Statements are prepared (pgbench -M prepared), as PostgREST prepares them by default
(db-prepared-statements): a connection plans each query once, which matters for the
partitioned tables, whose every partition a plan considers when the time condition is now()-
relative (BENCH_TP_PROTOCOL=simple plans every statement, as behind a transaction pooler).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bench.queries import DASHBOARD_EXPLICIT, DASHBOARD_RLS, OWN_EXPLICIT, OWN_RLS

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
SECONDS = int(os.environ.get("BENCH_TP_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_TP_ROUNDS", "3"))
PROTOCOL = os.environ.get("BENCH_TP_PROTOCOL", "prepared")

PROGRESS_RLS = "select mission_id, step, status from public.mission_progress order by mission_id, step"
PROGRESS_EXPLICIT = ("select mission_id, step, status from public.mission_progress where user_id = %(pupil)s "
                     "order by mission_id, step")
INBOX_RLS = "select id, sender_id, body, read_at from public.messages order by created_at desc, id limit 50"
INBOX_EXPLICIT = ("select id, sender_id, body, read_at from public.messages "
                  "where sender_id = %(pupil)s or recipient_id = %(pupil)s order by created_at desc, id limit 50")
INSERT = ("insert into public.student_activities (user_id, activity_type, details) "
          "values (%(pupil)s, 'bench', '{}')")

# name, weight, persona, RLS query, explicit query
WORKLOAD = [
    ("own_activity", 30, "pupil", OWN_RLS, OWN_EXPLICIT),
    ("progress", 25, "pupil", PROGRESS_RLS, PROGRESS_EXPLICIT),
    ("inbox", 20, "pupil", INBOX_RLS, INBOX_EXPLICIT),
    ("insert_activity", 15, "pupil", INSERT, INSERT),
    ("dashboard", 10, "teacher", DASHBOARD_RLS, DASHBOARD_EXPLICIT),
]


def _pgbench_sql(q: str) -> str:
    """A psycopg query with %(name)s parameters as a pgbench statement with :name variables
    (quoted text in the simple protocol, where pgbench pastes the value; a bound parameter in
    the extended ones)."""
    var = r"':\1'" if PROTOCOL == "simple" else r":\1"
    return re.sub(r"%\((\w+)\)s", var, " ".join(q.split())).replace("%%", "%")


def _setup(dsn: str) -> tuple[int, int]:
    """Owner-only lookup tables: pupils (with their school) and teachers, numbered from 1."""
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("create schema if not exists bench")
        c.execute("revoke all on schema bench from public")
        c.execute("""create table if not exists bench.pupil as
                     select row_number() over (order by u.id)::int as n, u.id as pupil, u.school_id as school
                       from public.users u
                      where u.role = 'student' and not u.processing_restricted""")
        c.execute("""create table if not exists bench.teacher as
                     select row_number() over (order by u.id)::int as n, u.id as teacher, u.school_id as school
                       from public.users u where u.role = 'teacher'""")
        c.execute("create unique index if not exists pupil_n on bench.pupil (n)")
        c.execute("create unique index if not exists teacher_n on bench.teacher (n)")
        c.execute("analyze bench.pupil; analyze bench.teacher")
        np = c.execute("select count(*) from bench.pupil").fetchone()[0]
        nt = c.execute("select count(*) from bench.teacher").fetchone()[0]
    return np, nt


def _claims(var: str) -> str:
    """The claims JSON as an SQL expression with the persona's id in it."""
    if PROTOCOL == "simple":
        return "'" + '{"sub":":' + var + '","role":"authenticated","aud":"authenticated"}' + "'"
    return f"json_build_object('sub', :{var}::text, 'role', 'authenticated', 'aud', 'authenticated')::text"


def _scripts(tmp: Path, np: int, nt: int, rls: bool) -> list[str]:
    args = []
    for name, weight, persona, q_rls, q_ref in WORKLOAD:
        if persona == "pupil":
            lookup = f"\\set n random(1, {np})\nselect pupil, school from bench.pupil where n = :n \\gset\n"
            var = "pupil"
        else:
            lookup = f"\\set n random(1, {nt})\nselect teacher, school from bench.teacher where n = :n \\gset\n"
            var = "teacher"
        if rls:
            ident = (f"select set_config('role', 'authenticated', true), "
                     f"set_config('request.jwt.claims', {_claims(var)}, true);\n")
            body = _pgbench_sql(q_rls)
        else:
            ident = f"select set_config('request.jwt.claims', {_claims(var)}, true);\n"
            body = _pgbench_sql(q_ref)
        path = tmp / f"{'rls' if rls else 'explicit'}_{name}.sql"
        path.write_text(lookup + "begin;\n" + ident + body + ";\ncommit;\n")
        args += ["-f", f"{path}@{weight}"]
    return args


def _check_equal(dsn: str, samples: int = 3) -> None:
    """Every RLS query returns what its explicit twin returns, for a few personas of each kind."""
    from bench.__main__ import as_persona

    with psycopg.connect(dsn) as c:
        pupils = c.execute("select pupil, school from bench.pupil order by n limit %s", (samples,)).fetchall()
        teachers = c.execute("select teacher, school from bench.teacher order by n limit %s", (samples,)).fetchall()
        c.commit()
        for name, _w, persona, q_rls, q_ref in WORKLOAD:
            if name == "insert_activity":
                continue
            for who, school in (pupils if persona == "pupil" else teachers):
                params = {"pupil": who, "teacher": who, "school": school}
                with c.transaction(force_rollback=True):
                    as_persona(c, who)
                    a = c.execute(q_rls).fetchall()
                with c.transaction(force_rollback=True):
                    b = c.execute(q_ref, params).fetchall()
                if sorted(map(repr, a)) != sorted(map(repr, b)):
                    raise AssertionError(f"throughput: {name} through RLS and explicit differ for {who}")


def _pgbench(dsn: str, scripts: list[str], log_prefix: Path) -> dict:
    p = conninfo_to_dict(dsn)
    conn = " ".join(f"{k}={v}" for k, v in p.items() if v)
    exe = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    cmd = [exe, "-n", "-M", PROTOCOL, "-c", str(CLIENTS), "-j", str(min(CLIENTS, os.cpu_count() or 2)), "-T", str(SECONDS),
           "-l", "--log-prefix", str(log_prefix), *scripts, conn]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=log_prefix.parent)
    if r.returncode != 0:
        raise RuntimeError(f"pgbench failed ({r.returncode}): {r.stderr[-2000:]}")
    lat, failed = [], 0
    for f in log_prefix.parent.glob(log_prefix.name + ".*"):
        for line in f.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                if parts[2] in ("failed", "skipped"):
                    failed += 1
                else:
                    lat.append(int(parts[2]) / 1000.0)
        f.unlink()
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", r.stdout)
    tps = float(m.group(1)) if m else len(lat) / SECONDS
    return {"tps": tps, "latencies_ms": lat, "failed": failed}


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def bench_throughput(dsn: str, say=print) -> dict:
    np, nt = _setup(dsn)
    _check_equal(dsn)
    tmp = Path(tempfile.mkdtemp(prefix="dgskills-tp-"))
    try:
        scripts = {True: _scripts(tmp, np, nt, True), False: _scripts(tmp, np, nt, False)}
        runs = {True: [], False: []}
        for i in range(ROUNDS):
            for rls in ((True, False) if i % 2 == 0 else (False, True)):
                side = "RLS" if rls else "explicit"
                say(f"throughput: round {i + 1}/{ROUNDS}, {side}, {CLIENTS} clients for {SECONDS} s")
                res = _pgbench(dsn, scripts[rls], tmp / f"log_{'rls' if rls else 'ref'}_{i}")
                runs[rls].append(res)
                say(f"throughput: round {i + 1}/{ROUNDS}, {side}: {res['tps']:.0f} tps, "
                    f"p99 {_pct(res['latencies_ms'], 0.99):.2f} ms, failed {res['failed']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def summary(rs):
        lat = [x for r in rs for x in r["latencies_ms"]]
        return {"tps": round(statistics.median(r["tps"] for r in rs), 1), "p50_ms": round(_pct(lat, 0.5), 3),
                "p99_ms": round(_pct(lat, 0.99), 3), "transactions": len(lat), "failed": sum(r["failed"] for r in rs)}

    a, b = summary(runs[True]), summary(runs[False])
    return {"clients": CLIENTS, "protocol": PROTOCOL, "seconds_per_round": SECONDS, "rounds": ROUNDS,
            "workload": {n: w for n, w, *_ in WORKLOAD}, "rls": a, "explicit": b,
            "tps_ratio": round(a["tps"] / b["tps"], 2), "p99_ratio": round(a["p99_ms"] / b["p99_ms"], 2)}


if __name__ == "__main__":
    import sys

    print(json.dumps(bench_throughput(sys.argv[1]), indent=2))
