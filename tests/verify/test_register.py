"""The processing register (sql/register/) against the catalog: every register_* check bad,
then fixed; and, for the class of each check, properties over random disagreements: the
findings are exactly the places that were made to disagree, each naming both sides."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from dgskills_db import runner, verify

FEEDBACK = ("Pupil feedback on a module. Purpose: improving the lessons. ROPA V-06. Legal basis: Art. 6(1)(e) "
            "public task. Retention: 1 year after created_at (S-RET-4).")
LIBRARY = ("Material a user saved in a personal library. ROPA V-13. Legal basis: Art. 6(1)(e) public task. "
           "Retention: account lifetime (cascade).")

# (check, object the finding names, defect, repair, other checks the same defect rightly trips)
CASES = [
    ("register_column_uncovered", "public.feedback.mood",
     "alter table public.feedback add column mood text; "
     "comment on column public.feedback.mood is 'Mood. ROPA V-06. Retention: 1 year.'",
     "insert into app_private.register_column values ('public.feedback', 'mood', 'V-06', 'feedback_meta')", set()),
    # a table outside public with no ROPA comment, but about accounts, is personal data all the same
    ("register_table_activity_mismatch", "app_private.login_log",
     "create table app_private.login_log (user_id uuid primary key references public.users on delete cascade); "
     "grant select on app_private.login_log to dgskills_auditor; "
     "insert into app_private.register_column values ('app_private.login_log', 'user_id', 'V-01', 'user_id')",
     "drop table app_private.login_log; delete from app_private.register_column where table_name = 'app_private.login_log'",
     # and its key to users is declared neither about nor actor (dgskills_db/declarations/user_columns.toml)
     {"user_column_undeclared"}),
    ("register_mapping_dangling", "public.library_items.tags",
     "insert into app_private.register_column values ('public.library_items', 'tags', 'V-13', 'item')",
     "delete from app_private.register_column where column_name = 'tags'", set()),
    ("register_mapping_dangling", "public.homework",
     "insert into app_private.register_table values ('public.homework', 'V-03', 'account', null)",
     "delete from app_private.register_table where table_name = 'public.homework'", set()),
    ("register_table_activity_mismatch", "public.library_items",
     f"comment on table public.library_items is '{LIBRARY.replace('V-13', 'V-09')}'",
     f"comment on table public.library_items is '{LIBRARY}'", set()),
    ("register_legal_basis_mismatch", "public.feedback",
     f"comment on table public.feedback is '{FEEDBACK.replace('6(1)(e) public task', '6(1)(f) legitimate interest')}'",
     f"comment on table public.feedback is '{FEEDBACK}'", set()),
    ("register_retention_mismatch", "purge_feedback -> public.feedback",
     "update app_private.retention_rule set keep = '2 years' where target = 'public.feedback'",
     "update app_private.retention_rule set keep = '1 year' where target = 'public.feedback'", set()),
    ("register_retention_mismatch", "public.feedback.body",
     "comment on column public.feedback.body is 'Feedback text. ROPA V-06. Retention: 2 years.'",
     "comment on column public.feedback.body is 'Feedback text. ROPA V-06. Retention: 1 year.'", set()),
    ("register_retention_mismatch", "public.feedback",
     f"comment on table public.feedback is '{FEEDBACK.replace('1 year', '18 months')}'",
     f"comment on table public.feedback is '{FEEDBACK}'", set()),
    ("register_footprint_mismatch", "V-02",
     "comment on column public.feedback.body is 'Feedback text, also from the AI chat (V-02). ROPA V-06. Retention: 1 year.'",
     "comment on column public.feedback.body is 'Feedback text. ROPA V-06. Retention: 1 year.'", set()),
    ("register_footprint_mismatch", "V-13/tags",
     "insert into app_private.register_category values ('V-13', 'tags', 'Labels', 'Tags', 'added', 'database', null)",
     "delete from app_private.register_category where category = 'tags'", set()),
    ("register_measure_unsupported", "V-13 cascade public.library_items",
     "alter table public.library_items alter column user_id drop not null, drop constraint library_items_user_id_fkey, "
     "add constraint library_items_user_id_fkey foreign key (user_id) references public.users (id) on delete set null",
     "alter table public.library_items drop constraint library_items_user_id_fkey, add constraint "
     "library_items_user_id_fkey foreign key (user_id) references public.users (id) on delete cascade, "
     "alter column user_id set not null",
     # library_items.user_id is declared `about` the user: set null contradicts that declaration too
     {"user_column_undeclared"}),
    ("register_measure_unsupported", "V-13 school_scope public.library_items",
     "insert into app_private.register_measure values ('V-13', 'school_scope', 'public.library_items')",
     "delete from app_private.register_measure where measure = 'school_scope' and table_name = 'public.library_items'",
     set()),
    # class scope (S-RLS-7) claimed for a table no policy bounds by class_teachers
    ("register_measure_unsupported", "V-13 class_scope public.library_items",
     "insert into app_private.register_measure values ('V-13', 'class_scope', 'public.library_items')",
     "delete from app_private.register_measure where measure = 'class_scope' and table_name = 'public.library_items'",
     set()),
    ("register_measure_unsupported", "V-12 append_only public.audit_logs",
     "grant delete on public.audit_logs to service_role",
     "revoke delete on public.audit_logs from service_role", {"audit_logs_not_append_only"}),
    # V-15's rights are functions a signed-in user calls
    ("register_measure_unsupported", "V-15 rpc public.restrict_processing(text)",
     "revoke execute on function public.restrict_processing(text) from authenticated",
     "grant execute on function public.restrict_processing(text) to authenticated", set()),
    ("register_mapping_dangling", "public.forget_me()",
     "insert into app_private.register_measure values ('V-15', 'rpc', 'public.forget_me()')",
     "delete from app_private.register_measure where table_name = 'public.forget_me()'", set()),
    ("register_measure_unsupported", "V-13 rls public.library_items",
     "alter table public.library_items disable row level security",
     "alter table public.library_items enable row level security",
     {"rls_disabled_in_public", "policy_exists_rls_disabled"}),
]


@pytest.fixture
def deployed(db):
    runner.up(db.dsn)
    return db


def run_check(conn, name: str) -> list[verify.Finding]:
    """One check's query, as verify runs it (read-only, empty search_path), in a rolled-back transaction."""
    path = next(p for p in verify.check_files() if p.stem.split("_", 1)[1] == name)
    with conn.transaction(force_rollback=True):
        conn.execute("set local search_path = ''")
        return [verify.Finding(*r) for r in conn.execute(path.read_text()).fetchall()]


def test_every_register_check_has_a_bad_then_fixed_case():
    register_checks = {p.stem.split("_", 1)[1] for p in verify.check_files() if "register_" in p.stem}
    assert len(register_checks) == 7 and register_checks <= {c[0] for c in CASES}


def test_fresh_deploy_register_is_clean_and_complete(deployed, owner):
    assert [f for f in verify.run(deployed.dsn) if f.name.startswith("register_")] == []
    ids = [r[0] for r in owner.execute("select ropa_id from app_private.register_activity order by 1").fetchall()]
    assert ids == [f"V-{i:02d}" for i in range(1, 16)]
    none = {r[0] for r in owner.execute(
        "select ropa_id from app_private.register_activity where footprint = 'none'").fetchall()}
    assert none == {"V-02", "V-11", "V-14"}
    # every field of the ROPA has Dutch text and an English gloss
    empty = owner.execute("""select ropa_id, key from app_private.register_activity a,
                              jsonb_each_text(to_jsonb(a)) as j(key, value)
                              where key ~ '_(nl|en)$' and key !~ '^officer_note' and coalesce(value, '') = ''""").fetchall()
    assert empty == []


@pytest.mark.parametrize("name, obj, defect, repair, also", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_bad_then_fixed(deployed, name, obj, defect, repair, also):
    with deployed.connect() as c:
        c.execute(defect)
    found = verify.run(deployed.dsn)
    assert {f.name for f in found} == {name} | also, found
    mine = [f for f in found if f.name == name]
    assert [f.object for f in mine] == [obj], mine
    with deployed.connect() as c:
        c.execute(repair)
    assert verify.run(deployed.dsn) == []


def test_a_database_without_the_register_says_so_instead_of_failing(deployed):
    with deployed.connect() as c:
        c.execute("drop table app_private.register_measure")
    found = verify.run(deployed.dsn)
    # each check that reads it says so, by name; the others still run
    assert {(f.name, f.level, f.object) for f in found} == {
        ("register_measure_unsupported", "ERROR", "app_private.register_measure"),
        ("register_mapping_dangling", "ERROR", "app_private.register_measure"),
    }


# --- the class of each check: random disagreements, findings exactly where they were made ---------

PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def reg_conn(module_db):
    runner.up(module_db.dsn)
    with module_db.connect() as c:
        yield c


def mapped_columns(conn):
    return sorted({(t, c) for t, c in conn.execute(
        "select table_name, column_name from app_private.register_column").fetchall()})


@PROPS
@given(data=st.data())
def test_uncovered_columns_are_exactly_those_that_lost_every_category(reg_conn, data):
    cols = mapped_columns(reg_conn)
    drop = data.draw(st.sets(st.sampled_from(cols), max_size=12))
    with reg_conn.transaction(force_rollback=True):
        for t, c in drop:
            reg_conn.execute("delete from app_private.register_column where table_name = %s and column_name = %s", (t, c))
        found = run_check(reg_conn, "register_column_uncovered")
        dangling = run_check(reg_conn, "register_mapping_dangling")
    assert sorted(f.object for f in found) == sorted(f"{t}.{c}" for t, c in drop)
    for f in found:
        assert "no personal-data category" in f.detail and f.object in f.detail
    assert dangling == []


BASES = st.sets(st.sampled_from("abcdef"), min_size=1, max_size=3)


@PROPS
@given(data=st.data())
def test_legal_basis_findings_are_exactly_the_tables_whose_comment_differs(reg_conn, data):
    rows = reg_conn.execute("""select t.table_name, a.legal_bases, a.ropa_id, obj_description(t.table_name::regclass)
                                 from app_private.register_table t join app_private.register_activity a using (ropa_id)
                                order by 1""").fetchall()
    changed = data.draw(st.lists(st.tuples(st.sampled_from(rows), BASES), max_size=6, unique_by=lambda x: x[0][0]))
    expected = {}
    with reg_conn.transaction(force_rollback=True):
        for (table, register, ropa, comment), bases in changed:
            said = ", ".join(f"Art. 6(1)({b}) something" for b in sorted(bases))
            new = re.sub(r"Legal basis:.*?(?=Retention:)", f"Legal basis: {said}. ", comment)
            reg_conn.execute(sql.SQL("comment on table {} is {}").format(sql.SQL(table), sql.Literal(new)))
            if sorted(bases) != sorted(register):
                expected[table] = (sorted(bases), sorted(register), ropa)
        found = run_check(reg_conn, "register_legal_basis_mismatch")
    assert sorted(f.object for f in found) == sorted(expected)
    for f in found:
        comment_side, register_side, ropa = expected[f.object]
        # both sides are named
        assert all(f"6(1)({b})" in f.detail.split(";")[0] for b in comment_side)
        assert ropa in f.detail and all(f"6(1)({b})" in f.detail.split(";")[1] for b in register_side)


KEEPS = st.sampled_from(["1 day", "7 days", "30 days", "1 year", "2 years", "3 years", "18 months"])


@PROPS
@given(data=st.data())
def test_retention_findings_are_exactly_the_rules_changed_in_one_place(reg_conn, data):
    # the rules that state a table's period (not a column nulled earlier, nor the lifecycle rules
    # of offboarding and leavers, whose keep is bounded by their deadline)
    rules = reg_conn.execute("""select rr.job, rr.target, rr.keep::text from app_private.retention_rule rr
                                  join app_private.register_table t on t.table_name = rr.target
                                 where rr.action = 'delete' and rr.deadline is null order by 1, 2""").fetchall()
    changed = data.draw(st.lists(st.tuples(st.sampled_from(rules), KEEPS), max_size=5, unique_by=lambda x: x[0][:2]))
    with reg_conn.transaction(force_rollback=True):
        expected = set()
        for (job, target, keep), new in changed:
            reg_conn.execute("update app_private.retention_rule set keep = %s::interval where job = %s and target = %s",
                             (new, job, target))
            if reg_conn.execute("select %s::interval <> %s::interval", (new, keep)).fetchone()[0]:
                expected.add(f"{job} -> {target}")
        found = run_check(reg_conn, "register_retention_mismatch")
    assert sorted(f.object for f in found) == sorted(expected)
    for f in found:
        assert "retention declaration" in f.detail and "register V-" in f.detail


@PROPS
@given(data=st.data())
def test_measure_findings_are_exactly_the_claims_the_catalog_stops_showing(reg_conn, data):
    claims = reg_conn.execute("select ropa_id, measure, table_name from app_private.register_measure").fetchall()
    rls_tables = sorted({t for _, m, t in claims if m == "rls"})
    ruled = sorted({t for _, m, t in claims if m == "retention_job"})
    off = data.draw(st.sets(st.sampled_from(rls_tables), max_size=5))
    unruled = data.draw(st.sets(st.sampled_from(ruled), max_size=3))
    with reg_conn.transaction(force_rollback=True):
        for t in off:
            reg_conn.execute(sql.SQL("alter table {} disable row level security").format(sql.SQL(t)))
        for t in unruled:
            reg_conn.execute("delete from app_private.retention_rule where target = %s", (t,))
        found = run_check(reg_conn, "register_measure_unsupported")
    expected = {f"{r} {m} {t}" for r, m, t in claims if (m == "rls" and t in off) or (m == "retention_job" and t in unruled)}
    assert {f.object for f in found} == expected and len(found) == len(expected)
    for f in found:
        rid, measure, table = f.object.split()
        assert f"register {rid} claims {measure} for {table}" in f.detail and "the catalog shows" in f.detail
