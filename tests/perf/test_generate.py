"""The benchmark data generator at its small size, and the plan of the teacher dashboard."""

from __future__ import annotations

import json

import pytest

from bench import generate as gen
from bench.queries import DASHBOARD_RLS
from personas import as_user


@pytest.fixture
def small(db):
    info = gen.generate(db.dsn, scale=0.05, seed=7, quiet=True)
    return db, info


def test_rows_in_every_table_and_every_fk_valid(small):
    db, info = small
    with db.connect() as c:
        empty = c.execute("""select s.relname from pg_stat_user_tables s join pg_class k on k.oid = s.relid
                              where s.schemaname = 'public' and s.n_live_tup = 0 and k.relkind <> 'p'""").fetchall()
        assert empty == []
        # partitioned tables: their rows are counted in their partitions
        for (parent,) in c.execute("select oid::regclass::text from pg_class where relkind = 'p' "
                                   "and relnamespace = 'public'::regnamespace").fetchall():
            assert c.execute(f"select exists (select from {parent})").fetchone()[0], parent
        fks = c.execute("""select conrelid::regclass::text, confrelid::regclass::text,
                                  (select array_agg(attname order by k.i) from unnest(conkey) with ordinality k(a, i)
                                     join pg_attribute on attrelid = conrelid and attnum = k.a),
                                  (select array_agg(attname order by k.i) from unnest(confkey) with ordinality k(a, i)
                                     join pg_attribute on attrelid = confrelid and attnum = k.a)
                             from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace""").fetchall()
        assert len(fks) > 25
        for child, parent, cols, pcols in fks:
            on = " and ".join(f"p.{pc} = c.{cc}" for cc, pc in zip(cols, pcols))
            notnull = " and ".join(f"c.{cc} is not null" for cc in cols)
            bad = c.execute(f"select count(*) from {child} c where {notnull} and not exists (select from {parent} p where {on})").fetchone()[0]
            assert bad == 0, (child, cols)
        assert c.execute("select count(*) from public.users where role <> 'developer' and school_id is null").fetchone()[0] == 0
        assert c.execute("select count(*) from public.users u where u.id not in (select id from auth.users)").fetchone()[0] == 0
        for uid in info["heavy"]:
            n = c.execute("""select sum(n) from (
                select count(*) n from public.student_activities where user_id = %(u)s union all
                select count(*) from public.mission_progress where user_id = %(u)s union all
                select count(*) from public.xp_transactions where user_id = %(u)s union all
                select count(*) from public.messages where sender_id = %(u)s or recipient_id = %(u)s union all
                select count(*) from public.assessments where student_id = %(u)s) x""", {"u": uid}).fetchone()[0]
            assert n >= 4000


def test_same_seed_same_data(server_dsn, template_db):
    from conftest import drop_db, new_db

    sums = []
    for _ in range(2):
        jan, tdb = new_db(server_dsn, template_db)
        try:
            gen.generate(tdb.dsn, scale=0.01, seed=3, quiet=True)
            with tdb.connect() as c:
                sums.append(c.execute("""select md5(string_agg(id::text || role || coalesce(processing_restricted::text, ''), ',' order by id))
                                          from public.users""").fetchone()[0])
        finally:
            drop_db(jan, tdb)
    assert sums[0] == sums[1]


def test_teacher_dashboard_uses_the_policy_indexes(small):
    db, _ = small
    with db.connect() as c:
        teacher = c.execute("""select u.id from public.users u join public.schools s on s.id = u.school_id
                                where u.role = 'teacher' and s.name = 'School 3' order by u.id limit 1""").fetchone()[0]
        with as_user(c, teacher) as cc:
            plan = cc.execute("explain (format json) " + DASHBOARD_RLS).fetchone()[0]
    text = json.dumps(plan)
    scans, indexes = [], []

    def walk(node):
        # the table or (partitioned by month) a partition that holds rows (the planner scans an
        # empty partition of a month ahead sequentially, at no cost)
        if (node.get("Relation Name") or "").startswith("student_activities") and node.get("Plan Rows", 0) > 1:
            scans.append(node["Node Type"])
        if node.get("Index Name"):
            indexes.append(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    assert scans, text
    assert "Seq Scan" not in scans, text
    assert any(i.startswith("student_activities") and i.endswith("user_id_created_at_idx") for i in indexes), text
