"""A developer belongs to no school (S-RLS-5): the constraint users_developer_has_no_school
holds for every writer (service_role included), so no helper can count a developer a
member; the migration that adds it stops, naming the accounts, instead of cleaning them."""

from __future__ import annotations

import shutil
import uuid

import psycopg
import pytest

import world as world_mod
from dgskills_db import apply, errors
from personas import as_service, as_user

MIGRATION = "5100_developer_has_no_school.sql"


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


@pytest.mark.parametrize("how", ["set school", "make a member developer", "insert"])
def test_no_writer_gives_a_developer_a_school(owner, w, how):
    uid = uuid.uuid4()
    owner.execute("insert into auth.users (id, email) values (%s, 'dev@example.org')", (uid,))
    with as_service(owner) as c:
        with pytest.raises(psycopg.Error) as ei:
            if how == "set school":
                c.execute("update public.users set school_id = %s where id = %s", (w.school_a, w.users["developer"]))
            elif how == "make a member developer":
                c.execute("update public.users set role = 'developer' where id = %s", (w.users["teacher-same-school"],))
            else:
                c.execute("insert into public.users (id, school_id, role, display_name, email) "
                          "values (%s, %s, 'developer', 'dev', 'dev@example.org')", (uid, w.school_a))
    assert ei.value.sqlstate == "23514"


def test_a_developer_sees_no_school_data(owner, w):
    """Through every path the review named: the directory, shared work, classes."""
    with as_user(owner, w.users["developer"]) as c:
        assert c.execute("select count(*) from public.school_directory()").fetchone()[0] == 0
        assert c.execute("select count(*) from public.classes").fetchone()[0] == 0
        assert c.execute("select count(*) from public.shared_projects where user_id <> %s",
                         (w.users["developer"],)).fetchone()[0] == 0
        assert c.execute("select cardinality(app_private.my_pupil_ids()) + cardinality(app_private.classmate_ids())"
                         ).fetchone()[0] == 0


def test_the_migration_stops_and_names_a_developer_with_a_school(empty_db, tmp_path):
    root = tmp_path / "sql"
    shutil.copytree(apply.SQL_ROOT, root)
    (root / "schema" / MIGRATION).rename(tmp_path / MIGRATION)
    apply.up(empty_db.dsn, root, reconcile_cron=False)
    with psycopg.connect(empty_db.dsn, autocommit=True) as conn:
        school = conn.execute("insert into public.schools (name) values ('S') returning id").fetchone()[0]
        dev = world_mod.add_user(conn, "developer", school)
    shutil.move(tmp_path / MIGRATION, root / "schema" / MIGRATION)
    with pytest.raises(errors.ApplyError) as ei:
        apply.up(empty_db.dsn, root, reconcile_cron=False, out_of_order=True)
    assert ei.value.sqlstate == "23514" and str(dev) in ei.value.message
    with psycopg.connect(empty_db.dsn) as conn:
        assert conn.execute("select school_id from public.users where id = %s", (dev,)).fetchone()[0] == school
        conn.execute("update public.users set school_id = null where id = %s", (dev,))
        conn.commit()
    apply.up(empty_db.dsn, root, reconcile_cron=False, out_of_order=True)
