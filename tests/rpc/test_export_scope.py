"""S-RPC-4 by class: an export never contains what its subject may not see. On random
platforms (restricted pupils, staff of any school with assessments, overrides and notes
about them, messages, duels, audit entries), for every persona, every row of their
export is either a row about them (a column declared `about` holds them) or a row their
own row-level security shows them at that moment — checked against the same table read
as them, the PostgREST way, in the same transaction."""

from __future__ import annotations

import json

import psycopg
from hypothesis import HealthCheck, given, settings

from dgskills_db import declarations
from rls.test_property_isolation import build, platforms
from rpc.test_erasure import HOW, staff_act_on_restricted_pupils

EXAMPLES = 50


def as_persona(conn, uid):
    conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                 (json.dumps({"sub": str(uid), "role": "authenticated", "aud": "authenticated"}),))


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(p=platforms(), how=HOW)
def test_every_exported_row_is_about_the_subject_or_visible_to_them(isolation_conn, p, how):
    conn = isolation_conn
    with conn.transaction(force_rollback=True):
        users, by, _ = build(conn, p)
        staff_act_on_restricted_pupils(conn, users, how)
        for v in users:
            me = str(v["id"])
            conn.execute("savepoint persona")
            as_persona(conn, v["id"])
            export = conn.execute("select public.export_my_data()").fetchone()[0]
            for table, rows in export["data"].items():
                about = declarations.subject_columns(table)
                assert about, f"{table} is exported but declares no about column"
                others = [r for r in rows if not any(r.get(c) == me for c in about)]
                if not others:
                    continue
                visible = {json.dumps(r, sort_keys=True) for (r,) in conn.execute(
                    f"select to_jsonb(t) from public.{table} as t").fetchall()}
                for r in others:
                    assert json.dumps(r, sort_keys=True) in visible, (v["role"], table, r)
            conn.execute("rollback to savepoint persona")
            conn.execute("reset role")


def test_a_teacher_export_holds_no_restricted_pupils_scores_and_no_old_school(owner):
    """The finding itself, spelled out: a teacher assessed and overrode a pupil who then
    restricted processing, and assessed a pupil of a school they left."""
    import world as world_mod

    from personas import as_user

    w = world_mod.build(owner)
    t, s = w.users["teacher-same-school"], w.users["subject"]
    other = w.users["student-other-school"]
    owner.execute("insert into public.assessments (student_id, assessor_id, mission_id, teacher_score) values (%s, %s, 'old', 9)",
                  (other, t))
    owner.execute("update public.users set processing_restricted = true, restricted_at = now() where id = %s", (s,))
    with as_user(owner, t) as c:
        data = c.execute("select public.export_my_data()").fetchone()[0]["data"]
    assert data["assessments"] == []
    assert all(r["user_id"] != str(s) for r in data["mission_progress"])
    owner.execute("insert into public.teacher_notes (student_id, author_id, body) values (%s, %s, 'old school')", (other, t))
    with as_user(owner, t) as c:
        data = c.execute("select public.export_my_data()").fetchone()[0]["data"]
    assert all(r["student_id"] != str(other) for r in data["teacher_notes"])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(p=platforms(), how=HOW)
def test_staff_export_of_a_restricted_pupil_is_refused(isolation_conn, p, how):
    """S-RLS-6 by class: on random platforms, every admin's export_user_data() of every
    restricted pupil of their school is refused with DG002 and leaves no audit entry;
    the pupil's own export_my_data() still works."""
    conn = isolation_conn
    with conn.transaction(force_rollback=True):
        users, by, _ = build(conn, p)
        staff_act_on_restricted_pupils(conn, users, how)
        audits = conn.execute("select count(*) from public.audit_logs").fetchone()[0]
        for v in users:
            if v["role"] != "admin" or v["school"] is None:
                continue
            for pupil in users:
                if pupil["role"] != "student" or pupil["school"] != v["school"] or not pupil["restricted"]:
                    continue
                conn.execute("savepoint persona")
                as_persona(conn, v["id"])
                try:
                    conn.execute("select public.export_user_data(%s)", (pupil["id"],))
                    raise AssertionError(f"admin exported restricted pupil {pupil}")
                except psycopg.Error as e:
                    assert e.sqlstate == "DG002", e
                conn.execute("rollback to savepoint persona")
                conn.execute("reset role")
                assert conn.execute("select count(*) from public.audit_logs").fetchone()[0] == audits
        for pupil in users:
            if pupil["role"] == "student" and pupil["restricted"]:
                conn.execute("savepoint persona")
                as_persona(conn, pupil["id"])
                assert conn.execute("select public.export_my_data()").fetchone()[0]["subject"]["id"] == str(pupil["id"])
                conn.execute("rollback to savepoint persona")
                conn.execute("reset role")
