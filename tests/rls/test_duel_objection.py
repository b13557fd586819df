"""Objection (Art. 21) to the duel feature (ROPA V-08 rests partly on Art. 6(1)(f)): a pupil
opts out by adding their row in public.duel_objections and back in by deleting it. While
opted out their presence is gone and refused, nobody challenges them or plays a duel with
them (DG003), and the objection is their own data: read by them alone, exported to them,
gone with the account."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_service, as_user

OBJECT = "insert into public.duel_objections (user_id) values (%s)"
WITHDRAW = "delete from public.duel_objections where user_id = %s"


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def as_pupil(owner, uid, sql, params=(), commit=True):
    with as_user(owner, uid, commit=commit) as c:
        return c.execute(sql, params)


def count(owner, sql, *params):
    return owner.execute(sql, params).fetchone()[0]


def test_objecting_ends_presence_pending_challenges_and_running_duels(owner, w):
    s, b = w.users["subject"], w.users["bystander-pupil"]
    owner.execute("insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)", (b, s))
    owner.execute("insert into public.duel_challenges (challenger_id, challenged_id, status, responded_at)"
                  " values (%s, %s, 'declined', now())", (b, s))
    assert count(owner, "select count(*) from public.duel_presence where user_id = %s", s) == 1
    as_pupil(owner, s, OBJECT, (s,))
    assert count(owner, "select count(*) from public.duel_presence where user_id = %s", s) == 0
    assert count(owner, "select count(*) from public.duel_challenges where status = 'pending'"
                        " and %s in (challenger_id, challenged_id)", s) == 0
    assert count(owner, "select count(*) from public.active_duels where finished_at is null"
                        " and %s in (player1_id, player2_id)", s) == 0
    # an answered challenge is a record of the past: kept until its 7-day retention
    assert count(owner, "select count(*) from public.duel_challenges where status = 'declined'"
                        " and challenged_id = %s", s) == 1


def test_while_opted_out_nobody_challenges_them_and_they_have_no_presence(owner, w):
    s, mate = w.users["subject"], w.users["student-same-school"]
    as_pupil(owner, s, OBJECT, (s,))
    refused = [
        (mate, "insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)", (mate, s)),
        (s, "insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)", (s, mate)),
        (s, "insert into public.duel_presence (user_id) values (%s)", (s,)),
    ]
    for who, sql, params in refused:
        with as_user(owner, who) as c, pytest.raises(psycopg.Error) as ei:
            c.execute(sql, params)
        assert ei.value.sqlstate == "DG003", sql
    with as_service(owner) as c:
        for sql, params in (("insert into public.active_duels (player1_id, player2_id) values (%s, %s)", (mate, s)),
                            ("insert into public.duel_presence (user_id) values (%s)", (s,)),
                            ("insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)",
                             (mate, s))):
            with pytest.raises(psycopg.Error) as ei, c.transaction():
                c.execute(sql, params)
            assert ei.value.sqlstate == "DG003", sql
    # the schoolmate still sees no presence of the pupil
    with as_user(owner, mate) as c:
        assert c.execute("select count(*) from public.duel_presence where user_id = %s", (s,)).fetchone()[0] == 0


def test_an_answered_challenge_cannot_be_changed_while_a_participant_objects(owner, w):
    s, mate = w.users["subject"], w.users["student-same-school"]
    cid = owner.execute("insert into public.duel_challenges (challenger_id, challenged_id, status, responded_at)"
                        " values (%s, %s, 'declined', now()) returning id", (s, mate)).fetchone()[0]
    as_pupil(owner, s, OBJECT, (s,))
    with as_user(owner, mate) as c, pytest.raises(psycopg.Error) as ei:
        c.execute("update public.duel_challenges set status = 'accepted' where id = %s", (cid,))
    assert ei.value.sqlstate == "DG003"


def test_withdrawing_the_objection_opts_back_in(owner, w):
    s, mate = w.users["subject"], w.users["student-same-school"]
    as_pupil(owner, s, OBJECT, (s,))
    as_pupil(owner, s, WITHDRAW, (s,))
    as_pupil(owner, s, "insert into public.duel_presence (user_id) values (%s)", (s,))
    as_pupil(owner, mate, "insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)", (mate, s))
    assert count(owner, "select count(*) from public.duel_challenges where challenger_id = %s and challenged_id = %s",
                 mate, s) == 1


@pytest.mark.parametrize("persona", ["student-same-school", "teacher-same-school", "admin-same-school",
                                     "student-other-school", "developer"])
def test_nobody_else_objects_for_the_pupil_reads_or_withdraws_their_objection(owner, w, persona):
    s, other = w.users["subject"], w.users[persona]
    with as_user(owner, other) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute(OBJECT, (s,))
    as_pupil(owner, s, OBJECT, (s,))
    with as_user(owner, other) as c:
        assert c.execute("select count(*) from public.duel_objections where user_id = %s", (s,)).fetchone()[0] == 0
        assert c.execute(WITHDRAW + " returning user_id", (s,)).fetchall() == []
    assert count(owner, "select count(*) from public.duel_objections where user_id = %s", s) == 1


def test_the_objection_is_exported_to_the_pupil_and_goes_with_the_account(owner, w):
    s = w.users["subject"]
    as_pupil(owner, s, OBJECT, (s,))
    with as_user(owner, s, commit=True) as c:
        export = c.execute("select public.export_my_data()").fetchone()[0]
    assert [r["user_id"] for r in export["data"]["duel_objections"]] == [str(s)]
    with as_user(owner, s, commit=True) as c:
        assert c.execute("select public.delete_my_account()").fetchone()[0]["deleted"] is True
    assert count(owner, "select count(*) from public.duel_objections where user_id = %s", s) == 0


def test_every_duel_table_refuses_rows_naming_an_objector_in_every_user_column(owner):
    """The class: every table of the duel activity (V-08, from the register) has the refusal
    trigger, with exactly its columns that reference users as arguments."""
    tables = [r[0] for r in owner.execute(
        "select table_name from app_private.register_table where ropa_id = 'V-08' and table_name like 'public.%'")]
    assert tables
    for t in tables:
        cols = sorted(r[0] for r in owner.execute(
            """select a.attname::text from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid
                                                                          and a.attnum = any (k.conkey)
                where k.conrelid = %s::regclass and k.contype = 'f' and k.confrelid = 'public.users'::regclass""",
            (t,)))
        args = owner.execute(
            """select t.tgargs, t.tgtype from pg_trigger t where t.tgrelid = %s::regclass
                and t.tgfoid = 'app_private.tg_refuse_if_objected()'::regprocedure and not t.tgisinternal""",
            (t,)).fetchall()
        assert len(args) == 1, t
        got = sorted(a.decode() for a in bytes(args[0][0]).split(b"\x00") if a)
        assert got == cols, (t, got, cols)
        tgtype = args[0][1]
        assert tgtype & 2 and tgtype & 4 and tgtype & 16, (t, "before insert or update")


@pytest.mark.parametrize("persona", ["student-other-school", "teacher-same-school", "admin-same-school",
                                     "admin-other-school", "developer"])
def test_the_refusal_tells_no_one_who_could_not_name_the_pupil_anyway(owner, w, persona):
    """Whoever may not name the pupil in a duel row gets RLS's own 42501 (SQLSTATE and message),
    whether or not the pupil objected: DG003 would be an oracle for who objected."""
    s, other = w.users["subject"], w.users[persona]
    attempts = (("insert into public.duel_presence (user_id) values (%s)", (s,)),
                ("insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)", (other, s)),
                ("insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s)", (s, other)))

    def answers():
        got = []
        for sql, params in attempts:
            with as_user(owner, other) as c, pytest.raises(psycopg.Error) as ei:
                c.execute(sql, params)
            got.append((ei.value.sqlstate, ei.value.diag.message_primary))
        return got

    owner.execute("delete from public.duel_presence where user_id = %s", (s,))
    before = answers()
    as_pupil(owner, s, OBJECT, (s,))
    # the same SQLSTATE and message, RLS's own
    assert answers() == before
    assert [a[0] for a in before] == ["42501"] * len(attempts)


def test_a_teacher_cannot_object(owner, w):
    t = w.users["teacher-same-school"]
    with as_user(owner, t) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute(OBJECT, (t,))


# -- an objection and a duel row written at the same time ------------------------------------
# Two transactions, each committed only after the other has started. Whatever the order, no
# row naming the objector may outlive the objection. The waiting side is detected from
# pg_stat_activity (it waits on the pupil's objection lock), never from a timing.

IN_FLIGHT = {
    "duel_presence": "insert into public.duel_presence (user_id) values (%(s)s) on conflict (user_id) do update set last_seen_at = now()",
    "duel_challenges": "insert into public.duel_challenges (challenger_id, challenged_id) values (%(b)s, %(s)s)",
    "active_duels": "insert into public.active_duels (player1_id, player2_id) values (%(b)s, %(s)s)",
}
LEFT = {
    "duel_presence": "select count(*) from public.duel_presence where user_id = %(s)s",
    "duel_challenges": "select count(*) from public.duel_challenges where status = 'pending' and %(s)s in (challenger_id, challenged_id)",
    "active_duels": "select count(*) from public.active_duels where finished_at is null and %(s)s in (player1_id, player2_id)",
}


def _begin_as(conn, role, sub=None):
    import json
    conn.execute("begin")
    claims = {"role": role} | ({"sub": str(sub)} if sub else {})
    conn.execute("select pg_catalog.set_config('role', %s, true), pg_catalog.set_config('request.jwt.claims', %s, true)",
                 (role, json.dumps(claims)))


def _run_until_blocked_or_done(db, owner, conn, sql, params):
    import threading
    outcome = {}

    def go():
        try:
            conn.execute(sql, params)
            conn.execute("commit")
            outcome["result"] = "committed"
        except psycopg.Error as e:
            conn.execute("rollback")
            outcome["result"] = e.sqlstate

    pid = conn.info.backend_pid
    t = threading.Thread(target=go)
    t.start()
    while t.is_alive():
        waiting = owner.execute("select wait_event_type = 'Lock' from pg_catalog.pg_stat_activity where pid = %s",
                                (pid,)).fetchone()
        if waiting and waiting[0]:
            break
        t.join(0.05)
    return t, outcome


@pytest.mark.parametrize("table", sorted(IN_FLIGHT))
@pytest.mark.parametrize("first", ["duel row", "objection"])
def test_an_objection_and_a_concurrent_duel_row_leave_no_row_naming_the_objector(db, owner, table, first):
    w = world_mod.build(owner)
    owner.execute("delete from public.duel_presence")
    p = {"s": w.users["subject"], "b": w.users["student-same-school"]}
    writer, objector = db.connect(), db.connect()
    if first == "duel row":
        _begin_as(writer, "service_role")
        writer.execute(IN_FLIGHT[table], p)
        _begin_as(objector, "authenticated", p["s"])
        t, out = _run_until_blocked_or_done(db, owner, objector, OBJECT, (p["s"],))
        writer.execute("commit")
    else:
        _begin_as(objector, "authenticated", p["s"])
        objector.execute(OBJECT, (p["s"],))
        _begin_as(writer, "service_role")
        t, out = _run_until_blocked_or_done(db, owner, writer, IN_FLIGHT[table], p)
        objector.execute("commit")
    t.join()
    assert count(owner, "select count(*) from public.duel_objections where user_id = %s", p["s"]) == 1
    assert owner.execute(LEFT[table], p).fetchone()[0] == 0, out
