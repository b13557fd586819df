"""report, retention part: per job the last success and the oldest row still waiting
(S-RET-12); the HTML annex shows cron schedules as code, never Markdown backticks."""

from __future__ import annotations

import re

import psycopg

import world as world_mod
from dgskills_db import report, runner
from dgskills_db.cron import job_command


def test_report_shows_last_success_and_oldest_waiting_row_per_job(db, owner):
    runner.up(db.dsn)
    w = world_mod.build(owner)
    owner.execute("insert into public.feedback (user_id, module, body, created_at) "
                  "values (%s, 'm', 'b', '2020-01-02 03:04:05+00')", (w.users["subject"],))
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "purge_duels"))
    text = report.render(db.dsn, "md", drift=False)
    head = text.split("## Retention jobs", 1)[1]
    assert "| last success | oldest row waiting |" in head
    feedback = next(ln for ln in head.splitlines() if ln.startswith("| `purge_feedback`"))
    assert "public.feedback: 2020-01-02 03:04:05+00:00" in feedback and "none yet" in feedback
    duels = next(ln for ln in head.splitlines() if ln.startswith("| `purge_duels`"))
    assert re.search(r"\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| none \|$", duels), duels


def test_html_renders_schedules_as_code_not_backticks(db):
    runner.up(db.dsn)
    html = report.render(db.dsn, "html", drift=False)
    assert "`" not in html
    assert "<code>0 3 * * 0</code>" in html
