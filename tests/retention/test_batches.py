"""Issue finding 9 (S-RET): no purge transaction removes more than its batch size, whatever
the timestamps — many rows sharing one created_at (one bulk insert) included. A
statement-level trigger (test-only, in a scratch schema) records how many rows each
transaction deleted; hypothesis draws the timestamp distributions."""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import world as world_mod
from dgskills_db.cron import job_command

PROBE = """
create schema probe;
create table probe.deleted (xid bigint not null, n bigint not null);
create function probe.log_delete() returns trigger language plpgsql as $$
begin
    insert into probe.deleted select txid_current(), count(*) from old_rows;
    return null;
end $$;
create trigger probe_deleted after delete on public.student_activities
referencing old table as old_rows for each statement execute function probe.log_delete();
"""

# groups of rows sharing one timestamp: (seconds before the expiry cutoff, how many rows)
groups = st.lists(st.tuples(st.integers(1, 400), st.integers(1, 60)), min_size=1, max_size=8)


@pytest.fixture
def probed(db, owner):
    w = world_mod.build(owner)
    owner.execute(PROBE)
    return w.users["student-same-school"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.integers(1, 25), expired=groups, kept=st.integers(0, 30))
def test_no_purge_transaction_removes_more_than_its_batch_size(db, owner, probed, batch, expired, kept):
    owner.execute("delete from public.student_activities")
    owner.execute("truncate probe.deleted")
    owner.execute("update app_private.retention_rule set batch_size = %s where target = 'public.student_activities'",
                  (batch,))
    for seconds, n in expired:
        # one statement per group: every row of a group has the very same created_at
        owner.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                         select %s, 'old', now() - interval '1 year' - make_interval(secs => %s)
                           from generate_series(1, %s)""", (probed, seconds, n))
    owner.execute("""insert into public.student_activities (user_id, activity_type, created_at)
                     select %s, 'kept', now() - interval '1 year' + interval '1 hour' from generate_series(1, %s)""",
                  (probed, kept))
    total = sum(n for _, n in expired)
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "purge_student_activities"))
    per_tx = owner.execute("select max(s) from (select sum(n) s from probe.deleted group by xid) t").fetchone()[0]
    assert per_tx <= batch
    assert owner.execute("select count(*) from public.student_activities where activity_type = 'old'").fetchone()[0] == 0
    assert owner.execute("select count(*) from public.student_activities where activity_type = 'kept'").fetchone()[0] == kept
    rows, largest, outcome = owner.execute(
        """select rows_deleted, largest_batch, outcome from app_private.retention_run
            where job = 'purge_student_activities' order by id desc limit 1""").fetchone()
    assert (rows, outcome) == (total, "ok") and largest <= batch
