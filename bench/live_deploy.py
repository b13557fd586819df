"""Deploy under live traffic (S-UP-1): API requests keep running while `up` applies (a) a
comment, (b) a policy change, (c) a new column, with one long read transaction open (a
report, a pg_dump). Measured: failed API requests (goal 0) and the longest API request
while the deploy ran, beside the p99 of the same traffic without a deploy (goal: the
longest stall at most the statement lock timeout).

Standalone: `python -m bench.live_deploy` (a small generated data set in a scratch database).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dgskills_db import runner  # noqa: E402

LOCK_TIMEOUT = runner.STATEMENT_LOCK_TIMEOUT
LONG_TX_S = 6.0
CASES = {
    "comment": ("schema/7400_bench_comment.sql",
                "comment on column public.feedback.created_at is 'When the feedback was given.';\n"),
    "policy": ("policies/2080_feedback.sql", None),  # the file's text changes: its declaration runs again
    "column": ("schema/7410_bench_column.sql", "alter table public.feedback add column bench_mood text;\n"),
}


class Traffic:
    """PostgREST-style requests as pupils: read three tables, write one, commit."""

    def __init__(self, dsn: str, users: list, threads: int = 4):
        self.dsn, self.users = dsn, users
        self.failed: list[str] = []
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, i: int) -> None:
        uid = str(self.users[i % len(self.users)])
        claims = json.dumps({"role": "authenticated", "aud": "authenticated", "sub": uid})
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute("set statement_timeout = '8s'")
            while not self._stop.is_set():
                t0 = time.monotonic()
                try:
                    with conn.transaction():
                        conn.execute("select set_config('role', 'authenticated', true), "
                                     "set_config('request.jwt.claims', %s, true)", (claims,))
                        conn.execute("select count(*) from public.users").fetchone()
                        conn.execute("select count(*) from public.feedback").fetchone()
                        conn.execute("select count(*) from public.student_activities "
                                     "where created_at > now() - interval '7 days'").fetchone()
                        conn.execute("insert into public.student_activities (user_id, activity_type) "
                                     "values (%s, 'module_open')", (uid,))
                except psycopg.Error as exc:
                    self.failed.append(f"{exc.diag.sqlstate}: {str(exc).strip()[:120]}")
                self.samples.append((t0, time.monotonic() - t0))
                time.sleep(0.005)

    def start(self) -> "Traffic":
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)


def _tree(case: str, tmp: Path) -> Path:
    """The project's sql/ with this case's change, on top of the earlier cases' (they are applied)."""
    root = tmp / "sql"
    if not root.exists():
        shutil.copytree(runner.SQL_ROOT, root)
    name, text = CASES[case]
    p = root / name
    p.write_text(text if text is not None else p.read_text() + f"\n-- bench: {case}\n")
    return root


def bench_live_deploy(dsn: str, say=print) -> dict:
    """Each case against the deployed, populated database `dsn` (which it changes: use a scratch one)."""
    with psycopg.connect(dsn) as c:
        users = [r[0] for r in c.execute("select id from public.users where role = 'student' order by id limit 4")]
    tmp = Path(tempfile.mkdtemp(prefix="dgskills-live-"))
    out: dict = {"lock_timeout_s": LOCK_TIMEOUT, "long_transaction_s": LONG_TX_S, "cases": {}}
    try:
        quiet = Traffic(dsn, users).start()
        time.sleep(3)
        quiet.stop()
        base = sorted(s for _, s in quiet.samples)
        out["no_deploy_p99_ms"] = round(base[int(len(base) * 0.99) - 1] * 1000, 1) if base else None
        out["no_deploy_p50_ms"] = round(statistics.median(base) * 1000, 1) if base else None
        for case in CASES:
            say(f"live deploy: {case}")
            root = _tree(case, tmp)
            traffic = Traffic(dsn, users).start()
            time.sleep(0.5)

            def long_read():
                with psycopg.connect(dsn, application_name="bench-long-report") as c:
                    c.execute("select count(*) from public.feedback, (select 1 from public.users limit 1) u")
                    time.sleep(LONG_TX_S)
                    c.rollback()

            reader = threading.Thread(target=long_read, daemon=True)
            reader.start()
            time.sleep(0.3)
            t0 = time.monotonic()
            try:
                res = runner.up(dsn, root, reconcile_cron=False, statement_lock_timeout=LOCK_TIMEOUT, lock_wait=60)
                outcome, applied = "done", [a.file for a in res.applied]
            except runner.LockWaitExceeded as exc:
                outcome, applied = f"gave up: {exc}", []
            t1 = time.monotonic()
            reader.join(timeout=30)
            time.sleep(0.3)
            traffic.stop()
            during = [s for start, s in traffic.samples if t0 - 0.1 <= start <= t1]
            out["cases"][case] = {
                "failed": len(traffic.failed), "failures": traffic.failed[:5],
                "longest_stall_ms": round(max(during) * 1000, 1) if during else None,
                "requests_during_deploy": len(during), "deploy_s": round(t1 - t0, 2), "outcome": outcome,
                "applied": applied,
            }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> None:
    from bench import generate as gen
    from bench.__main__ import Scratch, server_dsn

    scale = float(__import__("os").environ.get("BENCH_SCALE", "0.02"))
    s = Scratch(server_dsn())
    try:
        gen.generate(s.dsn, scale=scale, seed=42, quiet=True)
        res = bench_live_deploy(s.dsn, say=lambda m: print(m, file=sys.stderr))
        res.update({"scale": scale, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})
        out = ROOT / "bench" / "results" / "live_deploy.json"
        out.write_text(json.dumps(res, indent=2) + "\n")
        print(json.dumps(res, indent=2))
    finally:
        s.drop()


if __name__ == "__main__":
    main()
