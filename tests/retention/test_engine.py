"""The retention engine's shape (sql/functions/4000_retention_engine.sql): every job's command
is the DO-block driver over one named step function, and no function or procedure of ours has
a mutable search_path (splinter 0011) — the commits between batches live in the DO block, not
in a procedure (PostgreSQL refuses a SET clause on a procedure that commits). Checked over the
whole declaration and catalog, so a new job or function that breaks it fails here."""

from __future__ import annotations

import re

import psycopg
import pytest

import world as world_mod
from dgskills_db import verify
from dgskills_db.cron import job_command, run_job

DRIVER = re.compile(
    r"^do \$job\$ declare s jsonb; begin loop s := (app_private\.[a-z_]+)\(s\); commit; "
    r"exit when s is null; end loop; end \$job\$$"
)
API_ROLES = ("public", "anon", "authenticated", "service_role")


def test_every_job_runs_its_named_step_function_with_a_pinned_search_path(owner):
    jobs = owner.execute("select job, requirement, command from app_private.retention_job order by job").fetchall()
    assert len(jobs) >= 12
    for job, requirement, command in jobs:
        m = DRIVER.match(command)
        assert m, f"{job}: {command!r} is not the retention driver"
        step = f"{m.group(1)}(jsonb)"
        assert command == owner.execute("select app_private.retention_command(%s::regprocedure)", (step,)).fetchone()[0]
        kind, definer, config, comment = owner.execute(
            """select p.prokind, p.prosecdef, p.proconfig, obj_description(p.oid, 'pg_proc')
                 from pg_proc p where p.oid = to_regprocedure(%s)""", (step,)).fetchone()
        assert (kind, definer) == ("f", False), step
        assert 'search_path=""' in config, step
        assert comment and re.match(rf"{re.escape(requirement)}\b", comment), (step, comment)
        for role in API_ROLES:
            assert not owner.execute("select has_function_privilege(%s, to_regprocedure(%s), 'execute')",
                                     (role, step)).fetchone()[0], (role, step)


def test_no_function_or_procedure_of_ours_has_a_mutable_search_path(db, owner):
    mutable = owner.execute(
        """select p.oid::regprocedure::text from pg_proc p
            where p.pronamespace::regnamespace::text in ('public', 'app_private')
              and not exists (select from unnest(p.proconfig) c where c like 'search_path=%%')
              and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')""").fetchall()
    assert mutable == []
    # and verify has nothing to say about it, not even a waived INFO
    assert [f for f in verify.run(db.dsn, include_info=True) if f.name == "function_search_path_mutable"] == []


def test_a_job_in_a_transaction_block_is_refused_and_changes_nothing(db, owner):
    """The commits need top level: inside BEGIN … the command fails loudly (2D000), it never
    runs as one big transaction."""
    w = world_mod.build(owner)
    owner.execute("insert into public.feedback (user_id, module, body, created_at) "
                  "values (%s, 'm', 'b', now() - interval '2 years')", (w.users["subject"],))
    with psycopg.connect(db.dsn) as c:
        with pytest.raises(psycopg.Error) as e:
            c.execute(job_command(c, "purge_feedback"))
        assert e.value.sqlstate == "2D000"
    assert owner.execute("select count(*) from public.feedback where created_at < now() - interval '1 year'"
                         ).fetchone()[0] == 1
    run_job(db.dsn, "purge_feedback")
    assert owner.execute("select count(*) from public.feedback where created_at < now() - interval '1 year'"
                         ).fetchone()[0] == 0


def test_a_step_refuses_an_unknown_job_and_another_jobs_state(owner):
    with pytest.raises(psycopg.Error) as e:
        owner.execute("select app_private.purge_job('no_such_job', null)")
    assert e.value.sqlstate == "22023"
    with pytest.raises(psycopg.Error) as e:
        owner.execute("""select app_private.purge_duels('{"job": "purge_feedback", "failures": 0, "after": ""}')""")
    assert e.value.sqlstate == "22023"
    with pytest.raises(LookupError):
        job_command(owner, "no_such_job")


def test_the_steps_of_a_run_share_its_start_and_each_rule_is_recorded_once(db, owner):
    w = world_mod.build(owner)
    a, b = w.users["subject"], w.users["bystander-pupil"]
    owner.execute("update app_private.retention_rule set batch_size = 2 where job = 'purge_duels'")
    for table, cols in (("duel_challenges", "challenger_id, challenged_id"), ("active_duels", "player1_id, player2_id")):
        owner.execute(f"insert into public.{table} ({cols}, created_at) "
                      f"select %s, %s, now() - interval '8 days' - g * interval '1 second' from generate_series(1, 5) g", (a, b))
    run_job(db.dsn, "purge_duels")
    rows = owner.execute("""select target, rows_deleted, batches, largest_batch, outcome, run_started_at
                              from app_private.retention_run where job = 'purge_duels' order by id""").fetchall()
    assert [r[:5] for r in rows] == [("public.active_duels", 5, 3, 2, "ok"), ("public.duel_challenges", 5, 3, 2, "ok")]
    assert rows[0][5] == rows[1][5] is not None
