"""SPEC §7 (v2): the school admin exports and erases for a *pupil* (or their parent) only.
A colleague's export — their messages, notes, assessments — or erasure is not the
admin's to take: refused with 42501 for every non-pupil member, nothing changes."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_user


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def census(owner):
    return owner.execute("""select (select count(*) from auth.users), (select count(*) from public.messages),
                                   (select count(*) from public.audit_logs)""").fetchone()


@pytest.mark.parametrize("rpc", ["export_user_data", "delete_user_account"])
@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_admin_cannot_export_or_erase_a_colleague(owner, w, rpc, role):
    colleague = world_mod.add_user(owner, role, w.school_a)
    owner.execute("insert into public.messages (sender_id, recipient_id, body) values (%s, %s, 'private')",
                  (colleague, w.users["teacher-same-school"]))
    before = census(owner)
    with as_user(owner, w.users["admin-same-school"]) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(f"select public.{rpc}(%s)", (colleague,))
    assert ei.value.sqlstate == "42501"
    assert census(owner) == before


@pytest.mark.parametrize("rpc", ["export_user_data", "delete_user_account"])
def test_admin_exports_and_erases_a_pupil(owner, w, rpc):
    with as_user(owner, w.users["admin-same-school"], commit=True) as c:
        res = c.execute(f"select public.{rpc}(%s)", (w.users["subject"],)).fetchone()[0]
    assert res.get("deleted") is True or res["subject"]["id"] == str(w.users["subject"])
