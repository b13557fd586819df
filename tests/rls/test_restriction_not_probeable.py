"""Whether a user restricted processing (Art. 18) is not told to those who cannot reach them
(S-RLS-6, S-RLS-7, the README's one-code rule for what a caller may not see).

The restriction's refusal (DG002) comes from a BEFORE trigger, which runs before the
row-level security WITH CHECK. If the trigger answered DG002 to everyone, any signed-in user
could learn, by trying to write a row about any known account, whether that account is
restricted. The class check, over every table the restriction trigger guards (read from the
catalog) and every persona of the fixture world: a write that is refused about an unrestricted
pupil is refused in exactly the same way (SQLSTATE and message) about the same pupil once restricted, for every
persona that cannot already read the pupil's restriction flag on their profile row (the
class's teachers and the school's admins may: restriction scope "kept" for users)."""

from __future__ import annotations

import psycopg

import world as world_mod
from personas import as_user


def guarded_tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        """select distinct c.relname from pg_catalog.pg_trigger as t
             join pg_catalog.pg_class as c on c.oid = t.tgrelid
            where c.relnamespace = 'public'::regnamespace and t.tgname = 'refuse_if_restricted'
              and not c.relispartition
            order by 1""").fetchall()]


def outcome(conn, persona_id, sql, before, p) -> str:
    with as_user(conn, persona_id, before=(before, p) if before else None) as c:
        try:
            with c.transaction():
                c.execute(sql, p)
            return "allowed"
        except psycopg.Error as e:
            return f"{e.sqlstate} {e.diag.message_primary}"


def reads_the_flag(conn, persona_id, pupil) -> bool:
    with as_user(conn, persona_id) as c:
        try:
            with c.transaction():
                return c.execute("select count(*) from public.users where id = %s and processing_restricted",
                                 (pupil,)).fetchone()[0] == 1
        except psycopg.errors.InsufficientPrivilege:
            return False


def test_a_refused_write_does_not_tell_whether_the_pupil_is_restricted(owner):
    w = world_mod.build(owner)
    owner.commit()
    tables = guarded_tables(owner)
    assert tables, "no table carries the restriction trigger: the check would prove nothing"
    results = {}
    for restricted in (False, True):
        owner.execute("update public.users set processing_restricted = %s, restricted_at = case when %s then now() end"
                      " where id = %s", (restricted, restricted, w.users["subject"]))
        owner.commit()
        for t in tables:
            sql, before = world_mod.probe(t, "insert")
            for persona, uid in w.users.items():
                if persona == "subject":
                    continue
                results[(t, persona, restricted)] = outcome(owner, uid, sql, before, world_mod.params(w, t, persona))
    knows = {p for p, uid in w.users.items() if reads_the_flag(owner, uid, w.users["subject"])}
    assert "class-teacher" in knows and "other-class-teacher" not in knows
    told = {(t, p): (results[(t, p, False)], results[(t, p, True)])
            for (t, p, r) in results if not r and p not in knows
            and results[(t, p, False)] != "allowed" and results[(t, p, False)] != results[(t, p, True)]}
    assert told == {}
    # and the check can see a restriction at all: the class teacher is refused with DG002
    assert any(results[(t, "class-teacher", True)].startswith("DG002") for t in tables)
