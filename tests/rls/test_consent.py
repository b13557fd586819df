"""S-RLS-8 (ROPA V-05, Art. 6(1)(a), Art. 7): shared work is private by default, the author's
alone; publishing it to the author's class needs explicit consent (DG011 without), is recorded
(published_at, audited) and reaches the classmates and the staff in whose care the author is
(the teachers of the class; the school's admin) — nobody else; unpublishing hides it again.
Every persona of the fixture world is checked, for both kinds of shared work."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_user

KINDS = {"project": "shared_projects", "game": "shared_games"}
AUDIENCE = {"subject", "student-same-school", "class-teacher", "admin-same-school"}
OTHERS = {"bystander-pupil", "other-class-teacher", "teacher-other-school", "admin-other-school",
          "student-other-school", "developer"}


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def new_private(owner, w, table):
    col = "config" if table == "shared_games" else "code"
    with as_user(owner, w.users["subject"], commit=True) as c:
        return c.execute(f"insert into public.{table} (user_id, title, {col}) values (%s, 'work', null) returning id"
                         if col == "code" else
                         f"insert into public.{table} (user_id, title) values (%s, 'work') returning id",
                         (w.users["subject"],)).fetchone()[0]


def who_sees(owner, w, table, row):
    seen = set()
    for persona in AUDIENCE | OTHERS:
        with as_user(owner, w.users[persona]) as c:
            if c.execute(f"select count(*) from public.{table} where id = %s", (row,)).fetchone()[0]:
                seen.add(persona)
    return seen


def call(owner, persona_id, sql, *args):
    with as_user(owner, persona_id, commit=True) as c:
        return c.execute(sql, args).fetchone()[0]


@pytest.mark.parametrize("kind", KINDS)
def test_new_work_is_private_the_authors_alone(owner, w, kind):
    row = new_private(owner, w, KINDS[kind])
    assert owner.execute(f"select visibility, published_at from public.{KINDS[kind]} where id = %s", (row,)).fetchone() \
        == ("private", None)
    assert who_sees(owner, w, KINDS[kind], row) == {"subject"}


@pytest.mark.parametrize("consent", [False, None])
@pytest.mark.parametrize("kind", KINDS)
def test_publishing_without_explicit_consent_is_refused(owner, w, kind, consent):
    row = new_private(owner, w, KINDS[kind])
    with as_user(owner, w.users["subject"]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("select public.publish_shared_work(%s, %s, %s)", (kind, row, consent))
    assert ei.value.sqlstate == "DG011"
    # nor around the function: the author cannot write visibility or published_at directly
    for sql in (f"update public.{KINDS[kind]} set visibility = 'class', published_at = now() where id = %s",
                f"update public.{KINDS[kind]} set visibility = 'class' where id = %s"):
        with as_user(owner, w.users["subject"]) as c:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                c.execute(sql, (row,))
    with as_user(owner, w.users["subject"]) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            c.execute(f"insert into public.{KINDS[kind]} (user_id, title, visibility) values (%s, 't', 'class')",
                      (w.users["subject"],))
    assert who_sees(owner, w, KINDS[kind], row) == {"subject"}


@pytest.mark.parametrize("kind", KINDS)
def test_published_with_consent_the_class_sees_it_nobody_else_and_unpublishing_hides_it(owner, w, kind):
    table, s = KINDS[kind], w.users["subject"]
    row = new_private(owner, w, table)
    out = call(owner, s, "select public.publish_shared_work(%s, %s, true)", kind, row)
    assert out["changed"] and out["visibility"] == "class" and out["published_at"]
    assert who_sees(owner, w, table, row) == AUDIENCE
    consent = owner.execute("""select actor_id, subject_id, metadata from public.audit_logs
                                where action = 'shared_work_published' and metadata ->> 'id' = %s::text
                                  and metadata ->> 'table' = %s""", (row, table)).fetchall()
    assert [(a, b) for a, b, _ in consent] == [(s, s)]
    # publishing again changes nothing and records nothing new
    assert call(owner, s, "select public.publish_shared_work(%s, %s, true)", kind, row)["changed"] is False
    out = call(owner, s, "select public.unpublish_shared_work(%s, %s)", kind, row)
    assert out["changed"] and out["visibility"] == "private" and out["published_at"] is None
    assert who_sees(owner, w, table, row) == {"subject"}
    assert owner.execute("""select count(*) from public.audit_logs where action = 'shared_work_unpublished'
                             and actor_id = %s and metadata ->> 'id' = %s::text""", (s, row)).fetchone()[0] == 1


@pytest.mark.parametrize("persona", ["student-same-school", "class-teacher", "admin-same-school", "student-other-school"])
@pytest.mark.parametrize("kind", KINDS)
def test_only_the_author_publishes_or_unpublishes(owner, w, kind, persona):
    row = new_private(owner, w, KINDS[kind])
    for sql in ("select public.publish_shared_work(%s, %s, true)", "select public.unpublish_shared_work(%s, %s)"):
        with as_user(owner, w.users[persona]) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql, (kind, row))
        assert ei.value.sqlstate == "DG001", (persona, sql)


def test_bad_kind_or_id_and_no_sign_in_are_refused(owner, w):
    for args, state in ((("poem", 1), "22023"), ((None, 1), "22023"), (("game", None), "22023")):
        with as_user(owner, w.users["subject"]) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute("select public.publish_shared_work(%s, %s, true)", args)
        assert ei.value.sqlstate == state, args
    with as_user(owner, None) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("select public.publish_shared_work('game', 1, true)")
    assert ei.value.sqlstate == "28000"


@pytest.mark.parametrize("kind", KINDS)
def test_a_restricted_authors_published_work_is_hidden_from_staff_not_from_classmates(owner, w, kind):
    table, s = KINDS[kind], w.users["subject"]
    row = new_private(owner, w, table)
    call(owner, s, "select public.publish_shared_work(%s, %s, true)", kind, row)
    call(owner, s, "select public.restrict_processing('objection')")
    assert who_sees(owner, w, table, row) == {"subject", "student-same-school"}


@pytest.mark.parametrize("kind", KINDS)
def test_moving_to_another_class_unpublishes_consent_covered_the_old_class_only(owner, w, kind):
    table, s = KINDS[kind], w.users["subject"]
    row = new_private(owner, w, table)
    call(owner, s, "select public.publish_shared_work(%s, %s, true)", kind, row)
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        c.execute("update public.users set class_id = %s where id = %s", (w.class_a2, s))
    assert owner.execute(f"select visibility, published_at from public.{table} where id = %s", (row,)).fetchone() \
        == ("private", None)
    assert who_sees(owner, w, table, row) == {"subject"}
    assert owner.execute("""select count(*) from public.audit_logs where action = 'shared_work_unpublished'
                             and subject_id = %s and metadata ->> 'id' = %s::text""", (s, row)).fetchone()[0] == 1
    # published again, the new class sees it
    call(owner, s, "select public.publish_shared_work(%s, %s, true)", kind, row)
    assert who_sees(owner, w, table, row) == {"subject", "bystander-pupil", "other-class-teacher", "admin-same-school"}


def test_deleting_the_class_unpublishes_its_pupils_work(owner, w):
    s = w.users["subject"]
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        c.execute("delete from public.classes where id = %s", (w.class_a1,))
    for table in KINDS.values():
        assert owner.execute(f"select count(*) from public.{table} where user_id = %s and visibility = 'class'",
                             (s,)).fetchone()[0] == 0
        assert owner.execute(f"select count(*) from public.{table} where user_id = %s", (s,)).fetchone()[0] >= 1
