"""Erasure totality (S-DATA-1, S-RLS-6 v2, S-RPC-5), by class: on random platforms in
random states — restricted pupils, staff with assessments, overrides and notes about
them (also across schools, as after a teacher moved), messages both ways, duels, audit
entries — deleting *any* account, the PostgREST way, succeeds and leaves no reference;
its receipt's counts equal a census of every table before and after; offboarding a
school in any state succeeds. And a receipt cannot be tied to the user it was about."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personas import as_user
from rls.test_property_isolation import build, platforms
from dgskills_db.cron import job_command

EXAMPLES = 60
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def user_refs(conn):
    return conn.execute("select ur.tbl::text, ur.col::text, ur.on_delete from app_private.user_references() ur").fetchall()


def census(conn):
    """Rows per table, every table of public and auth."""
    tables = [r[0] for r in conn.execute(
        """select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname in ('public', 'auth') and c.relkind in ('r', 'p') order by 1""").fetchall()]
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def staff_act_on_restricted_pupils(conn, users, how):
    """Staff (of any school: as after a teacher moved) assess, override and write about
    restricted pupils, which a restriction's trigger must not turn into a blocked erasure."""
    staff = [u for u in users if u["role"] in ("teacher", "admin")]
    for i, pupil in enumerate(u for u in users if u["role"] == "student" and u["restricted"]):
        for j, s in enumerate(staff):
            if not how[(i + j) % len(how)]:
                continue
            conn.execute("update public.users set processing_restricted = false, restricted_at = null where id = %s",
                         (pupil["id"],))
            conn.execute("insert into public.assessments (student_id, assessor_id, mission_id) values (%s, %s, 'm')",
                         (pupil["id"], s["id"]))
            conn.execute("""insert into public.mission_progress (user_id, mission_id, step, status, completed_at,
                                                                completed_by, overridden_by, override_reason)
                            values (%s, gen_random_uuid()::text, 1, 'completed', now(), 'teacher', %s, 'r')""",
                         (pupil["id"], s["id"]))
            conn.execute("insert into public.teacher_notes (student_id, author_id, body) values (%s, %s, 'n')",
                         (pupil["id"], s["id"]))
            conn.execute("update public.users set processing_restricted = true, restricted_at = now() where id = %s",
                         (pupil["id"],))


HOW = st.lists(st.booleans(), min_size=1, max_size=4)


def table_key(name: str) -> str:
    return name.removeprefix("public.")


@SETTINGS
@given(p=platforms(), pick=st.integers(0, 100), by_admin=st.booleans(), how=HOW)
def test_deleting_any_account_in_any_state_succeeds_leaves_no_reference_and_counts_exactly(isolation_conn, p, pick,
                                                                                           by_admin, how):
    conn = isolation_conn
    refs = user_refs(conn)
    with conn.transaction(force_rollback=True):
        users, by, _ = build(conn, p)
        staff_act_on_restricted_pupils(conn, users, how)
        victim = users[pick % len(users)]
        vid = victim["id"]
        admins = [u for u in users if u["role"] == "admin" and u["school"] == victim["school"] and u["id"] != vid]
        if by_admin and victim["role"] == "student" and admins and victim["school"] is not None:
            caller, sql, params = admins[0]["id"], "select public.delete_user_account(%s)", (vid,)
        else:
            caller, sql, params = vid, "select public.delete_my_account()", ()
        before = census(conn)
        disconnected_before = {}
        for tbl, col, act in refs:
            if act != "c":
                cascade_cols = [c for t, c, a in refs if t == tbl and a == "c"]
                not_cascaded = " and ".join(f"{c} is distinct from %(u)s" for c in cascade_cols) or "true"
                n = conn.execute(f"select count(*) from {tbl} where {col} = %(u)s and {not_cascaded}", {"u": vid}).fetchone()[0]
                disconnected_before[table_key(tbl)] = disconnected_before.get(table_key(tbl), 0) + n
        conn.execute("savepoint call")
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": str(caller), "role": "authenticated", "aud": "authenticated"}),))
        res = conn.execute(sql, params).fetchone()[0]
        conn.execute("reset role")
        assert res["deleted"] is True
        for tbl, col, _ in refs:
            left = conn.execute(f"select count(*) from {tbl} where {col} = %s", (vid,)).fetchone()[0]
            assert left == 0, (tbl, col, victim)
        for tbl in ("public.users", "auth.users"):
            assert conn.execute(f"select count(*) from {tbl} where id = %s", (vid,)).fetchone()[0] == 0
        after = census(conn)
        counts = res["counts"]
        for tbl in before:
            removed = before[tbl] - after[tbl] + (1 if tbl == "public.audit_logs" else 0)  # + the receipt itself
            key = "auth.users" if tbl == "auth.users" else table_key(tbl)
            assert counts.get(key, {}).get("deleted", 0) == removed, (key, counts.get(key), removed)
            assert counts.get(key, {}).get("disconnected", 0) == disconnected_before.get(key, 0), key
        conn.execute("rollback to savepoint call")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(p=platforms(), how=HOW)
def test_offboarding_a_school_in_any_state_succeeds_and_leaves_none_of_its_accounts(isolation_conn, p, how):
    """Every school of the platform is offboarded in turn, each by its own run of the
    job's command (it commits per batch, so the platform is committed, then wiped)."""
    conn = isolation_conn
    refs = user_refs(conn)
    try:
        users, by, schools = build(conn, p)
        staff_act_on_restricted_pupils(conn, users, how)
        for school in schools:
            conn.execute("update public.schools set contract_ends_on = current_date - 31 where id = %s", (school,))
            conn.execute(job_command(conn, "offboard_ended_schools"))
            assert conn.execute("select count(*) from public.schools where id = %s", (school,)).fetchone()[0] == 0
            for uid in [u["id"] for u in users if u["school"] == school]:
                assert conn.execute("select count(*) from auth.users where id = %s", (uid,)).fetchone()[0] == 0
                for tbl, col, _ in refs:
                    assert conn.execute(f"select count(*) from {tbl} where {col} = %s", (uid,)).fetchone()[0] == 0, tbl
        left = [u["id"] for u in users if u["school"] is None]
        assert conn.execute("select count(*) from public.users").fetchone()[0] == len(left)
    finally:
        conn.execute("""truncate auth.users, public.schools, public.audit_logs, public.pilot_requests,
                                 app_private.retention_run cascade""")


def _digests(u: uuid.UUID) -> set[str]:
    forms = [str(u).encode(), u.hex.encode(), u.bytes, str(u).upper().encode()]
    out = set()
    for f in forms:
        for algo in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512"):
            d = hashlib.new(algo, f).digest()
            out |= {d.hex(), base64.b64encode(d).decode()}
        out |= {f.decode("latin-1"), base64.b64encode(f).decode()}
    return out


def _strings(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from _strings(v)
    elif x is not None:
        yield str(x)


def test_a_receipt_cannot_be_tied_to_its_user_by_anyone_who_knows_every_user_id(owner):
    """Two pupils of one school with the same data are erased: their receipts differ only in
    the random receipt number, the entry id and time — nothing else tells them apart — and
    no value of a receipt is any common digest of any user id."""
    import world as world_mod

    w = world_mod.build(owner)
    twins = [world_mod.add_user(owner, "student", w.school_a, w.class_a1) for _ in range(2)]
    for t in twins:
        owner.execute("insert into public.student_activities (user_id, activity_type) values (%s, 'x'), (%s, 'y')", (t, t))
        owner.execute("insert into public.assessments (student_id, assessor_id, mission_id) values (%s, %s, 'm')",
                      (t, w.users["teacher-same-school"]))
    all_ids = [r[0] for r in owner.execute("select id from auth.users").fetchall()]
    receipts = []
    for t in twins:
        with as_user(owner, t, commit=True) as c:
            res = c.execute("select public.delete_my_account()").fetchone()[0]
        receipts.append(owner.execute("select to_jsonb(a) from public.audit_logs a where id = %s",
                                      (res["receipt_id"],)).fetchone()[0])
    digests = set().union(*(_digests(u) for u in all_ids))
    for r in receipts:
        assert r["subject_id"] is None and r["subject_hash"] is None
        assert not (set(_strings(r)) & digests), r
    strip = [{k: v for k, v in r.items() if k not in ("id", "created_at")} for r in receipts]
    for r in strip:
        r["metadata"] = {k: v for k, v in r["metadata"].items() if k != "receipt"}
    assert strip[0] == strip[1]
    assert receipts[0]["metadata"]["receipt"] != receipts[1]["metadata"]["receipt"]
