"""S-RLS-7, class scope: a teacher reaches the pupils of the classes they teach
(public.class_teachers), a school admin the whole school. Checked over every table that holds
rows about a user (the declarations), as PostgREST sets identity, with the personas of the
fixture world: class-teacher (teaches 2A, the subject's class), other-class-teacher (teaches
2B only) and admin-same-school."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from dgskills_db import declarations
from personas import as_service, as_user

SCOPE = {r.table: r for r in declarations.restriction_scope()}
TABLES_ABOUT = sorted({d.table for d in declarations.user_columns()} | {"users"})


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def about_predicate(table):
    cols = declarations.subject_columns(table) or (["id"] if table == "users" else [])
    return " or ".join(f"t.{c} = %(s)s" for c in cols)


def visible_about(conn, persona_id, table, s):
    with as_user(conn, persona_id) as c:
        return c.execute(f"select count(*) from public.{table} as t where {about_predicate(table)}", {"s": s}).fetchone()[0]


def test_a_teacher_of_another_class_sees_nothing_about_the_pupil_in_any_table(owner, w):
    s = w.users["subject"]
    seen = {t: visible_about(owner, w.users["other-class-teacher"], t, s) for t in TABLES_ABOUT}
    assert {t: n for t, n in seen.items() if n} == {}


def test_the_class_teacher_and_the_admin_see_what_staff_may_see_about_the_pupil(owner, w):
    s = w.users["subject"]
    # every table whose rows about the pupil staff reach (restriction scope "hidden"), and the profile
    reached = [t for t, r in SCOPE.items() if r.staff == "hidden" and t != "audit_logs"] + ["users"]
    for persona in ("class-teacher", "admin-same-school"):
        missing = [t for t in reached if not visible_about(owner, w.users[persona], t, s)]
        assert missing == [], persona
    # the audit trail of the school is the admin's (SPEC §6), not a teacher's
    assert visible_about(owner, w.users["admin-same-school"], "audit_logs", s)
    assert not visible_about(owner, w.users["class-teacher"], "audit_logs", s)


def test_every_teacher_sees_the_staff_profiles_of_their_school_but_only_their_own_pupils(owner, w):
    u = w.users
    with as_user(owner, u["other-class-teacher"]) as c:
        ids = {r[0] for r in c.execute("select id from public.users").fetchall()}
    assert {u["teacher-same-school"], u["admin-same-school"], u["other-class-teacher"], u["bystander-pupil"]} <= ids
    assert not ids & {u["subject"], u["student-same-school"], u["teacher-other-school"], u["student-other-school"]}
    with as_user(owner, u["admin-same-school"]) as c:
        ids = {r[0] for r in c.execute("select id from public.users").fetchall()}
    assert {u["subject"], u["student-same-school"], u["bystander-pupil"]} <= ids


def test_a_pupil_without_a_class_is_reached_by_the_admin_only(owner, w):
    owner.execute("update public.users set class_id = null where id = %s", (w.users["subject"],))
    s = w.users["subject"]
    assert visible_about(owner, w.users["class-teacher"], "mission_progress", s) == 0
    assert visible_about(owner, w.users["admin-same-school"], "mission_progress", s) == 1


@pytest.mark.parametrize("table, sql", [
    ("teacher_notes", "insert into public.teacher_notes (student_id, author_id, body) values (%(s)s, %(me)s, 'n')"),
    ("assessments", "insert into public.assessments (student_id, assessor_id, mission_id) values (%(s)s, %(me)s, 'm9')"),
])
def test_only_the_class_teacher_and_the_admin_write_about_the_pupil(owner, w, table, sql):
    s = w.users["subject"]
    for persona in ("class-teacher", "admin-same-school"):
        with as_user(owner, w.users[persona]) as c:
            c.execute(sql, {"s": s, "me": w.users[persona]})
    with as_user(owner, w.users["other-class-teacher"]) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            c.execute(sql, {"s": s, "me": w.users["other-class-teacher"]})


def test_a_teacher_of_another_class_cannot_score_or_change_the_pupils_rows(owner, w):
    with as_user(owner, w.users["other-class-teacher"]) as c:
        assert c.execute("update public.assessments set teacher_score = 1 where id = %s returning id",
                         (w.rows["assessments"],)).fetchall() == []
    with as_user(owner, w.users["class-teacher"]) as c:
        assert c.execute("update public.assessments set teacher_score = 1 where id = %s returning id",
                         (w.rows["assessments"],)).fetchall() != []


def test_override_step_completion_is_for_the_class_teacher_and_the_admin(owner, w):
    call = "select public.override_step_completion(%s, 'm1', 2, true, 'seen in class')"
    for persona in ("class-teacher", "admin-same-school"):
        with as_user(owner, w.users[persona]) as c:
            assert c.execute(call, (w.users["subject"],)).fetchone()[0]["status"] == "completed"
    with as_user(owner, w.users["other-class-teacher"]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(call, (w.users["subject"],))
    assert ei.value.sqlstate == "DG001"
    # the class they do teach
    with as_user(owner, w.users["other-class-teacher"]) as c:
        c.execute(call, (w.users["bystander-pupil"],))


def test_a_new_link_gives_sight_and_removing_it_takes_it_away(owner, w):
    s, t = w.users["subject"], w.users["other-class-teacher"]
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        c.execute("insert into public.class_teachers (class_id, teacher_id) values (%s, %s)", (w.class_a1, t))
    assert visible_about(owner, t, "student_activities", s) == 1
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        assert c.execute("delete from public.class_teachers where class_id = %s and teacher_id = %s returning 1",
                         (w.class_a1, t)).fetchall() == [(1,)]
    assert visible_about(owner, t, "student_activities", s) == 0


def test_links_are_audited_as_configuration_changes(owner, w):
    t = w.users["other-class-teacher"]
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        c.execute("insert into public.class_teachers (class_id, teacher_id) values (%s, %s)", (w.class_a1, t))
        c.execute("delete from public.class_teachers where class_id = %s and teacher_id = %s", (w.class_a1, t))
    rows = owner.execute("""select actor_id, school_id, metadata from public.audit_logs
                             where action = 'config_change' and metadata ->> 'table' = 'class_teachers'
                               and actor_id = %s order by id""", (w.users["admin-same-school"],)).fetchall()
    assert len(rows) == 2 and all(r[1] == w.school_a for r in rows)


@pytest.mark.parametrize("persona", ["class-teacher", "subject", "developer", "admin-other-school", "teacher-other-school"])
def test_only_the_schools_admin_maintains_its_links(owner, w, persona):
    t = w.users["other-class-teacher"]
    with as_user(owner, w.users[persona]) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            c.execute("insert into public.class_teachers (class_id, teacher_id) values (%s, %s)", (w.class_a1, t))
    with as_user(owner, w.users[persona]) as c:
        assert c.execute("delete from public.class_teachers returning 1").fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            c.execute("update public.class_teachers set created_at = now()")


def test_a_link_stays_within_the_school_and_joins_staff_only(owner, w):
    admin = w.users["admin-same-school"]
    cases = [
        (w.class_b1, w.users["other-class-teacher"], "42501"),   # a class of another school: not the admin's
        (w.class_a1, w.users["teacher-other-school"], "23503"),  # a teacher of another school
        (w.class_a1, w.users["bystander-pupil"], "23514"),       # a pupil teaches no class
    ]
    for cls, teacher, state in cases:
        with as_user(owner, admin) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute("insert into public.class_teachers (class_id, teacher_id) values (%s, %s)", (cls, teacher))
        assert ei.value.sqlstate == state, (cls, teacher, ei.value)
    with as_service(owner) as c:  # service_role bypasses RLS, not the keys
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            c.execute("insert into public.class_teachers (class_id, teacher_id) values (%s, %s)",
                      (w.class_b1, w.users["other-class-teacher"]))


def test_a_teacher_reads_their_own_links_and_the_admin_the_schools(owner, w):
    def links(persona):
        with as_user(owner, w.users[persona]) as c:
            return {(r[0], r[1]) for r in c.execute("select class_id, teacher_id from public.class_teachers").fetchall()}
    ct, oct_ = w.users["class-teacher"], w.users["other-class-teacher"]
    assert links("class-teacher") == {(w.class_a1, ct)}
    assert links("other-class-teacher") == {(w.class_a2, oct_)}
    assert links("admin-same-school") == {(w.class_a1, ct), (w.class_a2, oct_)}
    for persona in ("subject", "developer", "admin-other-school"):
        assert links(persona) == set()


def test_links_go_with_the_class_and_with_the_teachers_account(owner, w):
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        c.execute("delete from public.classes where id = %s", (w.class_a2,))
    assert owner.execute("select count(*) from public.class_teachers where class_id = %s", (w.class_a2,)).fetchone()[0] == 0
    with as_user(owner, w.users["class-teacher"], commit=True) as c:
        c.execute("select public.delete_my_account()")
    assert owner.execute("select count(*) from public.class_teachers").fetchone()[0] == 0


def test_a_teacher_who_teaches_is_not_moved_to_another_school_silently(owner, w):
    with as_service(owner) as c:
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            c.execute("update public.users set school_id = %s where id = %s", (w.school_b, w.users["class-teacher"]))
