"""`make bench`: every benchmark, each measured side by side with its reference in the same
run (alternating, medians over repeats), printed as one table and written to
bench/results/latest.json.

  1. RLS overhead: a teacher's dashboard and a pupil's own-data query through RLS as the
     persona vs the same query as the owner with the equivalent explicit WHERE.
  2. delete_my_account() for a pupil with 5,000+ rows over every table (rolled back).
  3. export_my_data() for such a pupil.
  4. Retention purge of 1,000,000 rows expired by the last scheduled cutoff (in partitions cut
     at the purge job's cutoffs) vs one plain DELETE of the same rows; the longest batch
     transaction of the purge, the largest batch deleted row by row, the longest wait of a
     reader meanwhile, and the dead tuples left behind.
  5. `up` on an empty database and a no-op `up`, vs Sqitch deploying the same SQL files.
  6. Throughput under concurrent load (bench/throughput.py): N pgbench clients running a mixed
     PostgREST-style workload through RLS vs the same as the owner with explicit filters, with
     prepared statements (as PostgREST) and with the simple protocol (every statement planned).
  7. Deploy under live traffic (bench/live_deploy.py): failed API requests and the longest API
     stall while `up` applies a comment, a policy change and a new column with a long read open.

It prints progress on stderr while it works, and at the end the table; it writes
bench/results/latest.json (at another BENCH_SCALE: scale-<scale>.json; every figure with its
goal) and rewrites the README's bench section (one table per scale).

Environment: BENCH_SCALE (data set size, default 1.0 = 200 schools, 50,000 pupils,
1,000,000 activities), BENCH_PURGE_ROWS (default 1,000,000), BENCH_REPEATS (default 7),
BENCH_CLIENTS (default 16), BENCH_TP_SECONDS (default 10), BENCH_TP_ROUNDS (default 3),
BENCH_README=0 to leave README.md alone (e.g. for a run at another scale).
Runs against the embedded cluster, or DATABASE_URL's server, in scratch databases.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402
from bench.queries import DASHBOARD_EXPLICIT, DASHBOARD_RLS, OWN_EXPLICIT, OWN_RLS  # noqa: E402
from dgskills_db import embedded, runner, sqlfiles  # noqa: E402
from dgskills_db.dsn import with_dbname  # noqa: E402
from dgskills_db.benchfigures import figures, render  # noqa: E402
from dgskills_db.cron import job_command  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
PURGE_ROWS = int(os.environ.get("BENCH_PURGE_ROWS", "1000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))
# Each goal: (bound, "max" when the figure must stay at or below it, "min" at or above).
GOALS = {"rls_dashboard": (1.2, "max"), "rls_own": (1.2, "max"), "delete_ms": (20, "max"), "export_ms": (50, "max"),
         "purge_ratio": (0.1, "max"), "purge_longest_batch_s": (0.05, "max"), "purge_reader_wait_ms": (50, "max"),
         "purge_dead_tuples": (0, "max"),
         "tp_ratio": (0.9, "min"), "tp_p99_ratio": (1.5, "max"),
         # a stall may last the statement lock timeout plus the request's own work (100 ms allowed)
         "live_failed": (0, "max"), "live_stall_ms": (runner.STATEMENT_LOCK_TIMEOUT * 1000 + 100, "max")}
T0 = time.perf_counter()


def say(msg: str) -> None:
    """Progress on stderr, so a long run is never silent."""
    el = int(time.perf_counter() - T0)
    print(f"[{el // 60:02d}:{el % 60:02d}] {msg}", file=sys.stderr, flush=True)


def server_dsn() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    c = embedded.default_cluster()
    c.start()
    return c.url()


class Scratch:
    def __init__(self, dsn: str, deploy: bool = True):
        self.server = dsn
        self.name = f"dgskills_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'create database "{self.name}"')
        self.dsn = with_dbname(dsn, self.name)
        if deploy:
            runner.up(self.dsn, reconcile_cron=False)
            job_cut_partitions(self.dsn)

    def drop(self):
        with psycopg.connect(self.server, autocommit=True) as c:
            c.execute(f'drop database if exists "{self.name}" with (force)')


def job_cut_partitions(dsn: str) -> int:
    """The partition layout a deployed database reaches once the calendar months that
    migration 6533 created have expired: every partition cut at its purge job's cutoffs
    (sql/functions/4050_partitions.sql). Drops the empty partitions of the declared tables
    and lets the job maintain_partitions create them again; returns how many exist now."""
    with psycopg.connect(dsn, autocommit=True) as c:
        parts = c.execute("""select i.inhrelid::regclass::text from app_private.partition_rule pr
                               join pg_inherits i on i.inhparent = pr.parent::regclass
                               join pg_class k on k.oid = i.inhrelid
                              where pg_get_expr(k.relpartbound, k.oid) <> 'DEFAULT'""").fetchall()
        for (part,) in parts:
            if c.execute(f"select not exists (select from {part})").fetchone()[0]:
                c.execute(f"drop table {part}")
        c.execute(job_command(c, "maintain_partitions"))
        return c.execute("""select count(*) from app_private.partition_rule pr
                              join pg_inherits i on i.inhparent = pr.parent::regclass""").fetchone()[0]


def med_ms(xs):
    return round(statistics.median(xs) * 1000, 3)


def as_persona(conn, uid):
    conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                 (json.dumps({"sub": str(uid), "role": "authenticated", "aud": "authenticated"}),))


def timed(conn, sql, params=None):
    t0 = time.perf_counter()
    rows = conn.execute(sql, params).fetchall()
    return time.perf_counter() - t0, rows


# 1 -----------------------------------------------------------------------------------------
def bench_rls(dsn: str) -> dict:
    out = {}
    with psycopg.connect(dsn) as c:
        school, teacher = c.execute("""select u.school_id, u.id from public.users u join public.schools s on s.id = u.school_id
                                        where u.role = 'teacher' and s.name = 'School 2' order by u.id limit 1""").fetchone()
        pupil = c.execute("""select id from public.users where role = 'student' and school_id = %s
                              and not processing_restricted order by id limit 1""", (school,)).fetchone()[0]
        c.commit()
        cases = {
            "rls_dashboard": (DASHBOARD_RLS, teacher, DASHBOARD_EXPLICIT, {"teacher": teacher}),
            "rls_own": (OWN_RLS, pupil, OWN_EXPLICIT, {"pupil": pupil}),
        }
        for name, (q_rls, who, q_ref, params) in cases.items():
            a, b = [], []
            for i in range(REPEATS * 10):
                for order in ((0, 1) if i % 2 == 0 else (1, 0)):
                    with c.transaction(force_rollback=True):
                        if order == 0:
                            as_persona(c, who)
                            t, r1 = timed(c, q_rls)
                            a.append(t)
                        else:
                            t, r2 = timed(c, q_ref, params)
                            b.append(t)
            assert sorted(r1) == sorted(r2), f"{name}: RLS and explicit results differ"
            ratio = statistics.median(a) / statistics.median(b)
            say(f"rls: {name} {ratio:.2f}x")
            out[name] = {"rls_ms": med_ms(a), "explicit_ms": med_ms(b), "ratio": round(ratio, 2), "rows": len(r1)}
            if ratio > GOALS[name][0]:
                with c.transaction(force_rollback=True):
                    as_persona(c, who)
                    plan_rls = [r[0] for r in c.execute("explain analyze " + q_rls).fetchall()]
                with c.transaction(force_rollback=True):
                    plan_ref = [r[0] for r in c.execute("explain analyze " + q_ref, params).fetchall()]
                out[name]["plans"] = {"rls": plan_rls, "explicit": plan_ref}
    return out


# 2, 3 --------------------------------------------------------------------------------------
def pupil_rows(conn, uid) -> int:
    total = 0
    for tbl, col in conn.execute("""select ur.tbl::text, ur.col from app_private.user_references() ur""").fetchall():
        total += conn.execute(f"select count(*) from {tbl} where {col} = %s", (uid,)).fetchone()[0]
    return total


def bench_rights(dsn: str, heavy: list) -> dict:
    dels, exps, sizes = [], [], []
    with psycopg.connect(dsn) as c:
        # Measure what the database delivers, as PostgREST receives it: the jsonb as text.
        # (psycopg would otherwise spend ~40 ms turning 1 MB of JSON into Python objects.)
        from psycopg.types.json import set_json_loads

        set_json_loads(lambda data: data, c)
        sizes = [pupil_rows(c, u) for u in heavy]
        c.commit()
        for i in range(REPEATS * 3):
            uid = heavy[i % len(heavy)]
            for which in (("delete", "export") if i % 2 == 0 else ("export", "delete")):
                with c.transaction(force_rollback=True):
                    as_persona(c, uid)
                    if which == "delete":
                        t, rows = timed(c, "select public.delete_my_account()")
                        assert json.loads(rows[0][0])["deleted"]
                        dels.append(t)
                    else:
                        t, rows = timed(c, "select public.export_my_data()")
                        assert len(rows[0][0]) > 500_000
                        exps.append(t)
    return {"delete_ms": med_ms(dels), "export_ms": med_ms(exps), "pupil_rows": min(sizes)}


# 4 -----------------------------------------------------------------------------------------
def _probe_reads(dsn: str, stop, out: list) -> None:
    """A reader of the kept data, as the API reads it, every few ms while a purge runs: the
    longest it waited is the longest lock the purge held against readers."""
    with psycopg.connect(dsn, autocommit=True) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            c.execute("select count(*) from public.student_activities where created_at > now() - interval '1 day'")
            out.append(time.perf_counter() - t0)
            time.sleep(0.005)


def bench_purge(server: str) -> dict:
    """1,000,000 rows that expired by the cutoff of the job's last scheduled run, spread over
    the eight weeks before it (and 100,000 kept rows over the last eleven months), are purged
    by the retention job — which drops the partitions they wholly fill, as a run on schedule
    does — or by one plain DELETE of the same rows. Beside the times: the longest wait of a
    reader of the kept data while it ran (a probe every 5 ms), and the dead tuples left in the
    table afterwards (pgstattuple, exact)."""
    import threading

    s = Scratch(server)
    try:
        gen.generate(s.dsn, scale=0.01, seed=5, quiet=True)
        with psycopg.connect(s.dsn, autocommit=True) as c:
            c.execute("create extension if not exists pgstattuple")
            c.execute("delete from public.student_activities")
            pupils = [r[0] for r in c.execute("select id from public.users where role = 'student' order by id").fetchall()]
            # partitions reaching back over the eight weeks the expired rows are loaded into
            c.execute("""update app_private.partition_rule set back = interval '1 year 10 weeks'
                          where parent = 'public.student_activities'""")
            # the cutoff of the job's last scheduled run: the last partition bound before now's
            expired_to = c.execute(
                """select max(b) from unnest(app_private.partition_bounds('public.student_activities',
                          now() - interval '1 year 3 weeks', now())) b
                    where b <= app_private.retention_cutoff(now(), interval '1 year')""").fetchone()[0]
            expired_from = expired_to - dt.timedelta(weeks=8)

            def load():
                c.execute(job_command(c, "maintain_partitions"))
                c.execute("set session_replication_role = replica")
                c.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                             select (%(p)s::uuid[])[1 + g %% cardinality(%(p)s::uuid[])], 'old',
                                    %(f)s::timestamptz + (%(t)s::timestamptz - %(f)s::timestamptz) * (g::float8 / (%(n)s + 1))
                               from generate_series(1, %(n)s) g""",
                          {"p": pupils, "n": PURGE_ROWS, "f": expired_from, "t": expired_to})
                c.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                             select (%(p)s::uuid[])[1 + g %% cardinality(%(p)s::uuid[])], 'new',
                                    now() - (g %% 330) * interval '1 day'
                               from generate_series(1, 100000) g""", {"p": pupils})
                c.execute("set session_replication_role = origin")
                c.execute("vacuum analyze public.student_activities")

            def dead_tuples() -> int:
                return c.execute("""select coalesce(sum((pgstattuple(i.inhrelid)).dead_tuple_count), 0)
                                      from pg_inherits i where i.inhparent = 'public.student_activities'::regclass""").fetchone()[0]

            purge, plain, longest, by_row, stall = [], [], [], [], {"purge": [], "plain": []}
            dead = {"purge": [], "plain": []}
            for i in range(max(2, REPEATS // 3)):
                for which in (("purge", "plain") if i % 2 == 0 else ("plain", "purge")):
                    say(f"purge: round {i + 1}, loading {PURGE_ROWS:,} expired rows, then {which}")
                    load()
                    waits: list = []
                    stop = threading.Event()
                    probe = threading.Thread(target=_probe_reads, args=(s.dsn, stop, waits))
                    probe.start()
                    time.sleep(0.2)
                    t0 = time.perf_counter()
                    if which == "purge":
                        c.execute(job_command(c, "purge_student_activities"))
                        purge.append(time.perf_counter() - t0)
                        row = c.execute("""select rows_deleted, longest_batch_ms, partitions_dropped, largest_batch
                                             from app_private.retention_run
                                            where job = 'purge_student_activities' order by id desc limit 1""").fetchone()
                        assert row[0] == PURGE_ROWS and row[2] >= 8, row
                        longest.append(float(row[1]) / 1000)
                        by_row.append(row[3])
                    else:
                        n = c.execute("delete from public.student_activities where created_at < now() - interval '1 year'").rowcount
                        plain.append(time.perf_counter() - t0)
                        assert n == PURGE_ROWS
                    stop.set()
                    probe.join()
                    stall[which].append(max(waits))
                    assert c.execute("select count(*) from public.student_activities").fetchone()[0] == 100000
                    dead[which].append(dead_tuples())
                    c.execute("truncate public.student_activities")
        return {"rows": PURGE_ROWS, "purge_s": round(statistics.median(purge), 3),
                "plain_delete_s": round(statistics.median(plain), 3),
                "ratio": round(statistics.median(purge) / statistics.median(plain), 2),
                "longest_batch_s": round(max(longest), 3), "batch_size": 10000,
                "largest_batch_rows": int(max(by_row)),
                "longest_reader_wait_ms": round(max(stall["purge"]) * 1000, 1),
                "plain_longest_reader_wait_ms": round(max(stall["plain"]) * 1000, 1),
                "dead_tuples_after_purge": int(max(dead["purge"])), "dead_tuples_after_plain_delete": int(max(dead["plain"]))}
    finally:
        s.drop()


# 5 -----------------------------------------------------------------------------------------
def sqitch_project(tmp: Path) -> Path:
    """A Sqitch project deploying exactly what `up` applies, in the same order."""
    versioned, repeatable = sqlfiles.discover(runner.SQL_ROOT)
    files = [("auth_shim", runner.SHIM_FILE.read_text())] + [(f.path.stem + "_" + f.path.parent.name, f.text)
                                                             for f in (*versioned, *repeatable)]
    (tmp / "deploy").mkdir()
    (tmp / "revert").mkdir()
    (tmp / "verify").mkdir()
    (tmp / "sqitch.conf").write_text('[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n')
    plan = ["%syntax-version=1.0.0", "%project=dgskills", ""]
    for name, text in files:
        (tmp / "deploy" / f"{name}.sql").write_text("begin;\n" + text + "\ncommit;\n")
        (tmp / "revert" / f"{name}.sql").write_text("select 1;\n")
        (tmp / "verify" / f"{name}.sql").write_text("select 1;\n")
        plan.append(f"{name} 2026-01-01T00:00:00Z bench <bench@example.org> # {name}")
    (tmp / "sqitch.plan").write_text("\n".join(plan) + "\n")
    return tmp


def sqitch_target(dsn: str) -> str:
    p = conninfo_to_dict(dsn)
    return f"db:pg://{p.get('user', 'postgres')}@{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{p['dbname']}"


def bench_up(server: str) -> dict:
    have_sqitch = shutil.which("sqitch") is not None
    tmp = Path(tempfile.mkdtemp(prefix="dgskills-sqitch-"))
    try:
        if have_sqitch:
            sqitch_project(tmp)
        ours_full, ours_noop, sq_full, sq_noop = [], [], [], []
        for i in range(REPEATS):
            for tool in (("ours", "sqitch") if i % 2 == 0 else ("sqitch", "ours")):
                if tool == "sqitch" and not have_sqitch:
                    continue
                s = Scratch(server, deploy=False)
                say(f"up: round {i + 1}/{REPEATS}, {tool}")
                try:
                    if tool == "ours":
                        t0 = time.perf_counter()
                        runner.up(s.dsn, reconcile_cron=False)
                        ours_full.append(time.perf_counter() - t0)
                        t0 = time.perf_counter()
                        assert runner.up(s.dsn, reconcile_cron=False).noop
                        ours_noop.append(time.perf_counter() - t0)
                    else:
                        env = {**os.environ, "SQITCH_USER_CONFIG": "/dev/null", "PGPASSWORD": conninfo_to_dict(s.dsn).get("password", "")}
                        for bucket in (sq_full, sq_noop):
                            t0 = time.perf_counter()
                            r = subprocess.run(["sqitch", "--quiet", "deploy", sqitch_target(s.dsn)], cwd=tmp,
                                               capture_output=True, text=True, env=env)
                            bucket.append(time.perf_counter() - t0)
                            if r.returncode != 0:
                                raise RuntimeError(f"sqitch deploy failed: {r.stdout}{r.stderr}")
                finally:
                    s.drop()
        out = {"up_empty_s": round(statistics.median(ours_full), 3), "up_noop_s": round(statistics.median(ours_noop), 3)}
        if have_sqitch:
            out.update({"sqitch_empty_s": round(statistics.median(sq_full), 3),
                        "sqitch_noop_s": round(statistics.median(sq_noop), 3),
                        "ratio_empty": round(statistics.median(ours_full) / statistics.median(sq_full), 2),
                        "ratio_noop": round(statistics.median(ours_noop) / statistics.median(sq_noop), 2)})
        else:
            out["sqitch"] = "not installed (Debian package sqitch); no comparison"
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    from bench.throughput import bench_throughput

    server = server_dsn()
    with psycopg.connect(server) as c:
        version = c.execute("select version()").fetchone()[0].split(",")[0]
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB; {version}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scale": SCALE, "repeats": REPEATS, "goals": {k: {"bound": b, "kind": d} for k, (b, d) in GOALS.items()},
    }
    data = Scratch(server)
    try:
        say(f"generating the data set at scale {SCALE} (about {int(1_030_000 * SCALE):,} activities)")
        info = gen.generate(data.dsn, scale=SCALE, seed=42, quiet=True)
        say(f"generated in {info['seconds']:.1f} s")
        results["data"] = {"generate_s": round(info["seconds"], 1), "student_activities": info["counts"]["student_activities"],
                           "users": info["counts"]["users"], "schools": info["counts"]["schools"]}
        say("rls: single queries through RLS vs explicit filters")
        results["rls"] = bench_rls(data.dsn)
        say("rights: delete_my_account() and export_my_data() of the heaviest pupils")
        results["rights"] = bench_rights(data.dsn, info["heavy"])
        import bench.throughput as tp

        # prepared statements, as PostgREST sends them by default; then the simple protocol,
        # in which every statement is planned (a transaction pooler without prepared statements)
        for key, protocol in (("throughput", "prepared"), ("throughput_simple", "simple")):
            tp.PROTOCOL = protocol
            say(f"throughput: {protocol} protocol")
            results[key] = bench_throughput(data.dsn, say=say)
        from bench.live_deploy import bench_live_deploy

        results["live_deploy"] = bench_live_deploy(data.dsn, say=say)  # last: it changes the schema
    finally:
        data.drop()
    say(f"purge: {PURGE_ROWS:,} expired rows vs one DELETE")
    results["purge"] = bench_purge(server)
    say("up: an empty and a no-op deploy vs sqitch")
    results["up"] = bench_up(server)
    results["figures"] = figures(results)
    # the figures at the default scale are latest.json; another scale has its own file, and
    # the README shows each beside the other
    out = ROOT / "bench" / "results" / ("latest.json" if SCALE == 1.0 else f"scale-{SCALE:g}.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    print(f"(JSON: {out.relative_to(ROOT)})")
    if os.environ.get("BENCH_README", "1") != "0":
        from dgskills_db import readme

        readme.write_section("bench", readme.bench())
        print("(README.md: bench section rewritten)")


if __name__ == "__main__":
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__)
        sys.exit(0)
    if sys.argv[1:]:
        sys.exit(f"python -m bench takes no arguments (got {' '.join(sys.argv[1:])}); see --help")
    main()
