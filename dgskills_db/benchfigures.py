"""How a benchmark result file (bench/results/latest.json, written by `make bench`) is
presented: every figure with its goal and verdict. The README's bench section and the bench
run itself both render it from here, so the product never loads the bench's code."""

from __future__ import annotations


def verdict(value, goal) -> str:
    bound, kind = goal
    if kind == "max":
        return "meets" if value <= bound else f"MISSES by {value / bound:.2f}x"
    return "meets" if value >= bound else f"MISSES by {bound / value:.2f}x"


def figures(r: dict) -> list[dict]:
    """Every figure of a run with its goal (if any) and verdict, in table order."""
    g = {k: (v["bound"], v["kind"]) if isinstance(v, dict) else (v, "max") for k, v in r["goals"].items()}
    rls, rights, purge, up = r["rls"], r["rights"], r["purge"], r["up"]
    out = []

    def add(name, measured, value, ratio="", goal=None):
        row = {"benchmark": name, "measured": measured, "ratio": ratio, "value": value}
        if goal in g:
            bound, kind = g[goal]
            unit = " ms" if goal.endswith("_ms") else " s" if goal.endswith("_s") else "x"
            row.update({"goal": f"{'<=' if kind == 'max' else '>='} {bound}{unit}", "verdict": verdict(value, g[goal])})
        out.append(row)

    add("RLS: teacher dashboard (7 days, per pupil)", f"{rls['rls_dashboard']['rls_ms']} ms vs {rls['rls_dashboard']['explicit_ms']} ms",
        rls["rls_dashboard"]["ratio"], f"{rls['rls_dashboard']['ratio']}x", "rls_dashboard")
    add("RLS: pupil's own activity (30 days)", f"{rls['rls_own']['rls_ms']} ms vs {rls['rls_own']['explicit_ms']} ms",
        rls["rls_own"]["ratio"], f"{rls['rls_own']['ratio']}x", "rls_own")
    for key in ("throughput", "throughput_simple"):
        if key not in r:
            continue
        tp = r[key]
        a, b = tp["rls"], tp["explicit"]
        how = {"prepared": "prepared statements, as PostgREST", "simple": "simple protocol, every statement planned"}.get(
            tp.get("protocol", "simple"), tp.get("protocol", "simple"))
        add(f"throughput, {tp['clients']} clients, mixed workload ({how}): tps through RLS vs explicit",
            f"{a['tps']:,.0f} vs {b['tps']:,.0f} tps", tp["tps_ratio"], f"{tp['tps_ratio']}x", "tp_ratio")
        add(f"throughput ({tp.get('protocol', 'simple')}): p99 latency through RLS vs explicit (p50 in brackets)",
            f"{a['p99_ms']} ms ({a['p50_ms']}) vs {b['p99_ms']} ms ({b['p50_ms']})", tp["p99_ratio"],
            f"{tp['p99_ratio']}x", "tp_p99_ratio")
        add(f"throughput ({tp.get('protocol', 'simple')}): failed transactions (RLS / explicit)",
            f"{a['failed']} / {b['failed']}", a["failed"] + b["failed"])
    if "live_deploy" in r:
        ld = r["live_deploy"]
        for case, c in ld["cases"].items():
            add(f"deploy under live traffic ({case}): failed API requests", f"{c['failed']} ({c['outcome'][:40]})",
                c["failed"], "", "live_failed")
            add(f"deploy under live traffic ({case}): longest API stall (no-deploy p99 {ld['no_deploy_p99_ms']} ms)",
                f"{c['longest_stall_ms']} ms", c["longest_stall_ms"], "", "live_stall_ms")
    add(f"delete_my_account(), {rights['pupil_rows']}+ rows", f"{rights['delete_ms']} ms", rights["delete_ms"], "", "delete_ms")
    add(f"export_my_data(), {rights['pupil_rows']}+ rows", f"{rights['export_ms']} ms", rights["export_ms"], "", "export_ms")
    add(f"purge {purge['rows']:,} expired rows vs one DELETE", f"{purge['purge_s']} s vs {purge['plain_delete_s']} s",
        purge["ratio"], f"{purge['ratio']}x", "purge_ratio")
    add("purge: longest batch transaction", f"{purge['longest_batch_s']} s", purge["longest_batch_s"], "",
        "purge_longest_batch_s")
    if "longest_reader_wait_ms" in purge:
        add("purge: longest wait of a reader of the kept data (one DELETE in brackets)",
            f"{purge['longest_reader_wait_ms']} ms ({purge['plain_longest_reader_wait_ms']} ms)",
            purge["longest_reader_wait_ms"], "", "purge_reader_wait_ms")
        add("purge: dead tuples left in the table (one DELETE in brackets)",
            f"{purge['dead_tuples_after_purge']:,} ({purge['dead_tuples_after_plain_delete']:,})",
            purge["dead_tuples_after_purge"], "", "purge_dead_tuples")
    if "sqitch_empty_s" in up:
        add("up on an empty database vs sqitch deploy", f"{up['up_empty_s']} s vs {up['sqitch_empty_s']} s",
            up["ratio_empty"], f"{up['ratio_empty']}x")
        add("no-op up vs no-op sqitch deploy", f"{up['up_noop_s']} s vs {up['sqitch_noop_s']} s", up["ratio_noop"],
            f"{up['ratio_noop']}x")
    else:
        add("up on an empty database", f"{up['up_empty_s']} s", up["up_empty_s"])
        add("no-op up", f"{up['up_noop_s']} s", up["up_noop_s"])
    return out


def render(r: dict) -> str:
    d = r["data"]
    lines = [f"machine: {r['machine']}", f"run: {r['when']}; data: {d['schools']} schools, {d['users']:,} users, "
             f"{d['student_activities']:,} activities (scale {r['scale']}, generated in {d['generate_s']} s); medians",
             "", "| benchmark | measured | ratio | goal |", "|---|---|---|---|"]
    for f in figures(r):
        goal = f"{f['goal']}: {f['verdict']}" if "goal" in f else ""
        lines.append(f"| {f['benchmark']} | {f['measured']} | {f['ratio']} | {goal} |")
    return "\n".join(lines)
