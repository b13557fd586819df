"""`plan` names exactly the files `up` will run, repeatable files included (S-UP-1, "plan lists
exactly the files up will apply"): after random edits of the repeatable files, random hand
changes of the live objects and a random pending versioned file, the list `plan` announces is
the list `up` then applies, and `up` never has to run a file the forecast left out."""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgskills_db import runner
from tests.conftest import drop_db, new_db
from tests.runner.test_runner import write_tree


def _policies(t: str) -> str:
    return f"""\
        alter table public.{t} enable row level security;
        drop policy if exists select_all on public.{t};
        create policy select_all on public.{t} for select to authenticated using (id > 0);
        comment on policy select_all on public.{t} is 'Anyone signed in reads {t}.';
        revoke all on public.{t} from authenticated;
        grant select on public.{t} to authenticated;
        comment on table public.{t} is 'The {t} table.';
    """


TREE = {
    "schema/0001_t.sql": "".join(f"create table public.{t} (id int primary key, note text);\n"
                                 for t in ("t1", "t2", "t3")),
    "policies/0001_t1.sql": _policies("t1"),
    "policies/0002_t2.sql": _policies("t2"),
    "policies/0003_t3.sql": _policies("t3"),
    "functions/0100_f.sql": """\
        create or replace function public.f() returns bigint language sql stable
            as $$ select count(*) from public.t3 $$;
        revoke all on function public.f() from public;
        grant execute on function public.f() to authenticated;
    """,
}
REPEATABLE = [n for n in TREE if not n.startswith("schema/")]

# How a repeatable file's text may change: only in a comment, or in what it declares.
EDITS = {
    "comment": lambda text: text + "\n-- reviewed\n",
    "declaration": lambda text: text.replace("(id > 0)", "(id > 1)").replace("count(*)", "count(id)"),
}
# Hand changes of live objects (drift), some of which the drift gate sees and some not (comments).
DRIFTS = [
    "drop policy select_all on public.t2",
    "alter policy select_all on public.t1 using (id > 5)",
    "revoke select on public.t3 from authenticated",
    "comment on table public.t2 is 'changed by hand'",
    "create or replace function public.f() returns bigint language sql stable as $$ select 2::bigint $$",
]
# The pending versioned file: what it changes decides which repeatable files it invalidates.
VERSIONED = [
    None,
    "select 1;",
    "comment on column public.t1.note is 'A note.';",
    "drop table public.t1;\ncreate table public.t1 (id int primary key, note text);",
    "alter table public.t2 add column extra text;",
    "alter table public.t3 disable row level security;",
    "drop policy if exists select_all on public.t2;",
    # survives the policies file (it revokes only from authenticated): a change the fresh build keeps
    "grant select on public.t3 to anon;",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.dictionaries(st.sampled_from(REPEATABLE), st.sampled_from(sorted(EDITS)), max_size=3),
       drifts=st.sets(st.sampled_from(DRIFTS), max_size=3),
       versioned=st.sampled_from(VERSIONED))
def test_plan_lists_exactly_the_files_up_applies(server_dsn, tmp_path_factory, edits, drifts, versioned):
    jan, db = new_db(server_dsn, None)
    try:
        root = write_tree(tmp_path_factory.mktemp("sql"), TREE)
        runner.up(db.dsn, root, reconcile_cron=False)
        for name, how in edits.items():
            p = root / name
            p.write_text(EDITS[how](p.read_text()))
        with db.connect() as c:
            for d in sorted(drifts):
                c.execute(d)
        if versioned:
            (root / "schema/0002_change.sql").write_text(textwrap.dedent(versioned) + "\n")
        with runner.connect(db.dsn) as c:
            p = runner.plan(c, root, with_locks=True)
        res = runner.up(db.dsn, root, reconcile_cron=False, allow_drift=True)
        ran = [a.file for a in res.applied if a.action == "apply"]
        assert p.apply == ran, (p.rerun, res.notes)
        assert not [n for n in res.notes if "forecast" in n], res.notes
        # and the plan's lock report covers exactly those files
        assert {s.file for s in p.statements} <= set(ran)
    finally:
        drop_db(jan, db)


def test_plan_names_the_repeatable_files_a_versioned_file_invalidates_and_why(empty_db, tmp_path):
    root = write_tree(tmp_path, TREE)
    runner.up(empty_db.dsn, root, reconcile_cron=False)
    (root / "schema/0002_change.sql").write_text(
        "drop table public.t1;\ncreate table public.t1 (id int primary key, note text);\n")
    with runner.connect(empty_db.dsn) as c:
        p = runner.plan(c, root, with_locks=True)
    assert p.apply == ["schema/0002_change.sql", "policies/0001_t1.sql"]
    assert "policy:public.t1:select_all" in p.rerun["policies/0001_t1.sql"]
    assert {s.file for s in p.statements} == set(p.apply)


def test_a_forecast_proved_wrong_by_the_live_data_is_still_restored_and_said(empty_db, tmp_path):
    # what this versioned file does depends on rows the scratch build does not have
    root = write_tree(tmp_path, TREE)
    runner.up(empty_db.dsn, root, reconcile_cron=False)
    with empty_db.connect() as c:
        c.execute("insert into public.t2 values (1, 'x')")
    (root / "schema/0002_change.sql").write_text(
        "do $$ begin if exists (select from public.t2) then "
        "execute 'revoke select on public.t2 from authenticated'; end if; end $$;\n")
    with runner.connect(empty_db.dsn) as c:
        p = runner.plan(c, root, with_locks=True)
    assert p.apply == ["schema/0002_change.sql"]
    res = runner.up(empty_db.dsn, root, reconcile_cron=False)
    assert [a.file for a in res.applied] == ["schema/0002_change.sql", "policies/0002_t2.sql"]
    assert any("policies/0002_t2.sql" in n and "forecast" in n for n in res.notes), res.notes
    with empty_db.connect() as c:
        assert c.execute("select has_table_privilege('authenticated', 'public.t2', 'select')").fetchone()[0]
