"""The drift gate and a changed repeatable file that changes its functions' kind, signature or
comment (a procedure that becomes a function, a new comment): what the changed file declares is
replaced by the deploy, so it is not drift — whatever the object name the comparison prints
(`"schema"."name"`, without arguments, for comments and drops). A hand change to a function of
an unchanged file still is."""

from __future__ import annotations

import pytest

from dgskills_db import drift, runner
from tests.runner.test_runner import write_tree

V1 = {
    "schema/0001_t.sql": "create table public.t1 (id int primary key);\n",
    "functions/0001_job.sql": """\
        create or replace procedure public.t_job() language plpgsql as $$ begin commit; end $$;
        comment on procedure public.t_job() is 'old';
        create or replace function public.t_kept(i int) returns int language sql set search_path = '' as $$ select i $$;
        comment on function public.t_kept(int) is 'old';
    """,
    "functions/0002_other.sql": """\
        create or replace function public.t_other() returns int language sql set search_path = '' as $$ select 1 $$;
        comment on function public.t_other() is 'other';
    """,
}
V2_JOB = """\
drop procedure if exists public.t_job();
create or replace function public.t_job(s jsonb) returns jsonb language sql set search_path = '' as $$ select s $$;
comment on function public.t_job(jsonb) is 'new';
create or replace function public.t_kept(i int) returns int language sql set search_path = '' as $$ select i $$;
comment on function public.t_kept(int) is 'new';
"""


def test_a_changed_file_may_turn_its_procedure_into_a_function_and_change_comments(empty_db, tmp_path):
    root = write_tree(tmp_path, V1)
    runner.up(empty_db.dsn, root, reconcile_cron=False)
    (root / "functions/0001_job.sql").write_text(V2_JOB)
    res = runner.up(empty_db.dsn, root, reconcile_cron=False)
    assert [a.file for a in res.applied] == ["functions/0001_job.sql"]
    assert drift.check(empty_db.dsn, root) == []


def test_a_hand_changed_function_of_an_unchanged_file_is_still_drift(empty_db, tmp_path):
    root = write_tree(tmp_path, V1)
    runner.up(empty_db.dsn, root, reconcile_cron=False)
    (root / "functions/0001_job.sql").write_text(V2_JOB)
    with empty_db.connect() as c:
        c.execute("comment on function public.t_other() is 'changed by hand'")
    with pytest.raises(runner.DriftDetected) as ei:
        runner.up(empty_db.dsn, root, reconcile_cron=False)
    assert "public.t_other" in str(ei.value) and "t_job" not in str(ei.value) and "t_kept" not in str(ei.value)
