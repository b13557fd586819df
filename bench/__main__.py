"""`make bench`: benchmarks, measured side by side in one run, medians over repeats.

Prints one table and writes bench/results/latest.json. Runs against the embedded
cluster (or DATABASE_URL's server) in scratch databases it creates and drops.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dgskills_db import embedded, runner  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def server_dsn() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    c = embedded.default_cluster()
    c.start()
    return c.url()


def with_db(dsn: str, name: str) -> str:
    p = conninfo_to_dict(dsn)
    p["dbname"] = name
    return make_conninfo(**p)


def scratch(dsn: str):
    name = f"dgskills_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'create database "{name}"')
    return name


def drop(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'drop database if exists "{name}" with (force)')


def bench_up(dsn: str) -> dict:
    full, noop = [], []
    for _ in range(REPEATS):
        name = scratch(dsn)
        try:
            url = with_db(dsn, name)
            t0 = time.perf_counter()
            runner.up(url, reconcile_cron=False)
            full.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            res = runner.up(url, reconcile_cron=False)
            noop.append(time.perf_counter() - t0)
            assert res.noop
        finally:
            drop(dsn, name)
    return {
        "up_empty_median_s": round(statistics.median(full), 3),
        "up_noop_median_s": round(statistics.median(noop), 3),
        "repeats": REPEATS,
    }


def main() -> None:
    dsn = server_dsn()
    with psycopg.connect(dsn) as c:
        server = c.execute("select version()").fetchone()[0].split(",")[0]
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {server}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "up": bench_up(dsn),
    }
    out = ROOT / "bench" / "results" / "latest.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"machine: {results['machine']}  ({results['when']})")
    print(f"{'benchmark':<40} {'median':>10}")
    print(f"{'up on an empty database':<40} {results['up']['up_empty_median_s']:>9.3f}s")
    print(f"{'no-op up':<40} {results['up']['up_noop_median_s']:>9.3f}s")
    print(f"({REPEATS} repeats each; JSON in {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
