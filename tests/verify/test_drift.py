"""Drift: hand changes to a deployed database are reported against a fresh build of sql/."""

from __future__ import annotations

import psycopg
import pytest

from conftest import cron_dsn_for
from dgskills_db import drift, runner, verify
from dgskills_db.cron import job_command


@pytest.fixture(autouse=True)
def deployed(db):
    runner.up(db.dsn)
    return db


def test_a_clean_deploy_has_no_drift(db):
    assert drift.check(db.dsn) == []


@pytest.mark.parametrize("change, obj, words", [
    ("alter table public.feedback add column mood text", "public.feedback", "drop column \"mood\""),
    ("alter policy select_own on public.ai_survey_responses using (true)",
     "public.ai_survey_responses: policy select_own", "create policy"),
    ("create or replace function public.is_teacher() returns boolean language sql stable security definer "
     "set search_path = '' as $$ select true $$", "public.is_teacher()", "CREATE OR REPLACE FUNCTION"),
    ("grant delete on public.audit_logs to service_role", "public.audit_logs", "revoke delete"),
    ("drop index public.feedback_created_at_idx", "public.feedback_created_at_idx", "create index"),
    ("drop trigger refuse_if_restricted on public.feedback", "public.feedback: trigger refuse_if_restricted", "trigger"),
])
def test_hand_change_is_reported(db, change, obj, words):
    with db.connect() as c:
        c.execute(change)
    found = drift.check(db.dsn)
    assert found and all(f.name == "schema_drift" for f in found)
    assert any(f.object == obj for f in found), [f.object for f in found]
    assert any(words.lower() in f.detail.lower() for f in found), [f.detail for f in found]


def test_cron_schedule_changed_by_hand_is_reported_by_verify(db):
    cdsn = cron_dsn_for(db.dsn)
    with psycopg.connect(cdsn, autocommit=True) as cc:
        cc.execute("update cron.job set schedule = '0 12 * * *' where jobname = %s", (f"dgskills.purge_duels@{db.name}",))
    found = verify.run(db.dsn, drift=True)
    assert [(f.name, f.object) for f in found] == [("cron_job_drift", f"dgskills.purge_duels@{db.name}")]


def test_a_declared_waiver_turns_the_finding_into_info_and_nothing_else(db):
    with db.connect() as c:
        c.execute("create table public.scratch (id int primary key)")
        c.execute("revoke all on public.scratch from anon, authenticated, service_role")
        c.execute("comment on table public.scratch is 'x. ROPA V-01. Legal basis: Art. 6(1)(b), Art. 6(1)(e). "
                  "Retention: account lifetime.'")
        # declared in the processing register too, so that only the waived finding remains
        c.execute("""insert into app_private.register_table values ('public.scratch', 'V-01', 'account', null);
                     insert into app_private.register_column values ('public.scratch', 'id', 'V-01', 'user_id')""")
    assert [f.level for f in verify.run(db.dsn)] == ["ERROR"]
    with db.connect() as c:
        c.execute("""insert into app_private.verify_waiver values ('rls_disabled_in_public', 'public.scratch',
                     'a scratch table for a one-off data repair, dropped after use')""")
    assert verify.run(db.dsn) == []
    found = [f for f in verify.run(db.dsn, include_info=True) if f.object == "public.scratch"]
    assert [(f.name, f.level) for f in found] == [("rls_disabled_in_public", "INFO")]
    assert found[0].detail.startswith("waived: a scratch table")


def test_partitions_made_by_the_job_or_dropped_by_retention_are_no_drift(db):
    """The months that exist depend on when the job and retention ran, not on sql/: a live database
    with other months than a fresh build has no drift; a hand change to the parent still is."""
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute("update app_private.partition_rule set ahead = interval '8 months' where parent = 'public.audit_logs'")
        c.execute(job_command(c, "maintain_partitions"))
        c.execute("update app_private.partition_rule set ahead = interval '3 months' where parent = 'public.audit_logs'")
        oldest = c.execute("""select min(inhrelid::regclass::text) from pg_inherits
                               where inhparent = 'public.student_activities'::regclass
                                 and inhrelid::regclass::text not like '%%default'""").fetchone()[0]
        c.execute(f"drop table {oldest}")
    assert drift.check(db.dsn) == []
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute("create index audit_logs_action_idx on public.audit_logs (action)")
    assert any(f.object == "public.audit_logs_action_idx" for f in drift.check(db.dsn))
