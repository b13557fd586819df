"""GDPR rights RPCs: export completeness, deletion, restriction (SPEC §7, S-RLS-6)."""

from __future__ import annotations

import json

import psycopg
import pytest

import world as world_mod
from personas import as_anon, as_service, as_user

TRACKING_INSERTS = {
    "student_activities": "insert into public.student_activities (user_id, activity_type) values (%s, 'x')",
    "feedback": "insert into public.feedback (user_id, module, body) values (%s, 'm', 'b')",
}


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def user_fk_columns(owner):
    return owner.execute("""select c.conrelid::regclass::text, a.attname from pg_constraint c
                             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
                            where c.contype = 'f' and c.confrelid = 'public.users'::regclass
                              and c.conrelid <> 'public.users'::regclass
                              and c.conparentid = 0  -- a partition's copy of its parent's key""").fetchall()


def rpc(conn, uid, sql, params=()):
    with as_user(conn, uid, commit=True) as c:
        return c.execute(sql, params).fetchone()[0]


def test_export_contains_every_row_about_the_pupil_and_nothing_of_others(owner, w):
    s = w.users["subject"]
    owner.execute("insert into public.messages (sender_id, recipient_id, body) values (%s, %s, 'sent by pupil')",
                  (s, w.users["teacher-same-school"]))
    # the reason for a restriction exists only while the pupil restricts processing
    rpc(owner, s, "select public.restrict_processing('for the export')")
    fks = user_fk_columns(owner)
    expected = {}
    for tbl, col in fks:
        name = tbl.removeprefix("public.")
        ids = {json.dumps(r[0], sort_keys=True) for r in owner.execute(
            f"select to_jsonb(t) from {tbl} t where {col} = %s", (s,)).fetchall()}
        expected.setdefault(name, set()).update(ids)
    # the pupil has rows in every table that references users, except the class links (a pupil
    # teaches no class: only staff are linked, 23514) and an objection to duels (which would end
    # their duel rows; tests/rls/test_duel_objection.py exports it)
    assert all(expected[t] for t in expected if t not in ("class_teachers", "duel_objections")), \
        [t for t in expected if not expected[t]]
    export = rpc(owner, s, "select public.export_my_data()")
    assert export["schema_version"] == "2.0" and export["subject"]["id"] == str(s)
    assert export["subject"]["email"] and "encrypted_password" not in json.dumps(export)
    got = {t: {json.dumps(r, sort_keys=True) for r in rows} for t, rows in export["data"].items()}
    assert set(got) == set(expected)
    for t in expected:
        # the audit entry of this very export is added before the export is built
        assert expected[t] <= got[t], t
        extra = got[t] - expected[t]
        assert all(json.loads(e).get("action") == "gdpr_data_export" for e in extra), (t, extra)
    # nothing about anyone else: every exported row names the pupil in one of its user columns
    cols = {}
    for tbl, col in fks:
        cols.setdefault(tbl.removeprefix("public."), []).append(col)
    for t, rows in export["data"].items():
        for r in rows:
            assert any(r.get(c) == str(s) for c in cols[t]), (t, r)
    both_sides = {(m["sender_id"], m["recipient_id"]) for m in export["data"]["messages"]}
    assert (str(s), str(w.users["teacher-same-school"])) in both_sides
    assert (str(w.users["teacher-same-school"]), str(s)) in both_sides
    assert export["data"]["teacher_notes"][0]["body"] == "works hard"
    audit = owner.execute("select actor_id, subject_id from public.audit_logs where action = 'gdpr_data_export' order by id desc").fetchone()
    assert audit == (s, s)


def test_a_table_added_later_is_exported_without_touching_the_function(owner, w):
    s = w.users["subject"]
    owner.execute("""create table public.homework (id bigint generated always as identity primary key,
                     pupil_id uuid not null references public.users on delete cascade, body text)""")
    owner.execute("insert into public.homework (pupil_id, body) values (%s, 'essay'), (%s, 'not mine')",
                  (s, w.users["student-same-school"]))
    export = rpc(owner, s, "select public.export_my_data()")
    assert [r["body"] for r in export["data"]["homework"]] == ["essay"]


def test_delete_my_account_leaves_no_reference_and_a_receipt_without_personal_data(owner, w):
    s = w.users["subject"]
    email, name = owner.execute("select email, display_name from public.users where id = %s", (s,)).fetchone()
    others_before = owner.execute("select count(*) from public.users").fetchone()[0] - 1
    res = rpc(owner, s, "select public.delete_my_account()")
    assert res["deleted"] is True and res["counts"]["student_activities"]["deleted"] == 1
    assert res["counts"]["users"]["deleted"] == 1
    for tbl, col in user_fk_columns(owner) + [("public.users", "id"), ("auth.users", "id")]:
        assert owner.execute(f"select count(*) from {tbl} where {col} = %s", (s,)).fetchone()[0] == 0, tbl
    assert owner.execute("select count(*) from public.users").fetchone()[0] == others_before
    receipt = owner.execute("select to_jsonb(a) from public.audit_logs a where id = %s", (res["receipt_id"],)).fetchone()[0]
    assert receipt["action"] == "gdpr_account_deletion_initiated" and receipt["subject_id"] is None
    assert receipt["subject_hash"] is None and receipt["metadata"]["receipt"] == res["receipt"]
    text = json.dumps(receipt)
    assert str(s) not in text and email not in text and name not in text


def test_restriction_refuses_tracking_hides_it_from_staff_and_the_pupil_keeps_rights(owner, w):
    s, t, a = w.users["subject"], w.users["teacher-same-school"], w.users["admin-same-school"]
    res = rpc(owner, s, "select public.restrict_processing('I object')")
    assert res["changed"] is True
    assert owner.execute("""select u.processing_restricted, r.reason from public.users u
                             left join public.processing_restrictions r on r.user_id = u.id where u.id = %s""",
                         (s,)).fetchone() == (True, "I object")
    for tbl, sql in TRACKING_INSERTS.items():
        with as_user(owner, s) as c:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql, (s,))
            assert ei.value.sqlstate == "DG002", tbl
    with as_service(owner) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("select public.award_xp(%s, 10, 'quiz')", (s,))
        assert ei.value.sqlstate == "DG002"
    with as_user(owner, t) as c:
        with pytest.raises(psycopg.Error) as ei:
            with c.transaction():
                c.execute("select public.override_step_completion(%s, 'm1', 2, true, 'done in class')", (s,))
        assert ei.value.sqlstate == "DG002"
        for tbl in ("student_activities", "feedback", "mission_progress", "xp_transactions"):
            assert c.execute(f"select count(*) from public.{tbl} where user_id = %s", (s,)).fetchone()[0] == 0
    export = rpc(owner, s, "select public.export_my_data()")
    assert export["subject"]["processing_restricted"] is True and export["data"]["student_activities"]
    assert owner.execute("select count(*) from public.audit_logs where action = 'gdpr_processing_restriction_requested' and subject_id = %s", (s,)).fetchone()[0] == 1
    # lift restores
    res = rpc(owner, a, "select public.lift_processing_restriction(%s, 'parent withdrew objection')", (s,))
    assert res["changed"] is True
    with as_user(owner, t) as c:
        assert c.execute("select count(*) from public.student_activities where user_id = %s", (s,)).fetchone()[0] == 1
    with as_user(owner, s) as c:
        c.execute(TRACKING_INSERTS["feedback"], (s,))
    assert owner.execute("select actor_id from public.audit_logs where action = 'gdpr_processing_restriction_lifted'").fetchone()[0] == a
    # and the restricted pupil can still delete the account
    rpc(owner, s, "select public.restrict_processing('again')")
    assert rpc(owner, s, "select public.delete_my_account()")["deleted"] is True


def test_restrict_processing_is_idempotent(owner, w):
    s = w.users["subject"]
    rpc(owner, s, "select public.restrict_processing('x')")
    assert rpc(owner, s, "select public.restrict_processing('y')")["changed"] is False
    assert owner.execute("select reason from public.processing_restrictions where user_id = %s", (s,)).fetchone()[0] == "x"


def test_admin_exports_and_deletes_for_a_pupil_of_their_school(owner, w):
    s, a = w.users["subject"], w.users["admin-same-school"]
    export = rpc(owner, a, "select public.export_user_data(%s)", (s,))
    assert export["subject"]["id"] == str(s)
    assert owner.execute("select actor_id, subject_id from public.audit_logs where action = 'gdpr_data_export' order by id desc").fetchone() == (a, s)
    res = rpc(owner, a, "select public.delete_user_account(%s)", (s,))
    assert res["deleted"]
    assert owner.execute("select actor_id from public.audit_logs where id = %s", (res["receipt_id"],)).fetchone()[0] == a
    assert owner.execute("select count(*) from auth.users where id = %s", (s,)).fetchone()[0] == 0


def test_school_directory_lists_own_school_only(owner, w):
    s = w.users["subject"]
    with as_user(owner, s) as c:
        rows = c.execute("select id, display_name, role from public.school_directory()").fetchall()
        cols = [d.name for d in c.execute("select * from public.school_directory()").description]
    ids = {r[0] for r in rows}
    school_a = {r[0] for r in owner.execute("select id from public.users where school_id = %s", (w.school_a,)).fetchall()}
    assert ids == school_a
    assert cols == ["id", "display_name", "role", "class_id", "class_name"]
    with as_anon(owner) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("select * from public.school_directory()")
