"""Art. 16 rectification: a school admin corrects a pupil's names, class, year group and
education level (audited as rectification); a user corrects their own names; nobody else
corrects anything, and the e-mail address stays with the identity provider."""

from __future__ import annotations

import psycopg
import pytest

import world as world_mod
from personas import as_user

FIELDS = "display_name = 'Corrected', first_name = 'Anne', last_name = 'de Vries', year_group = 3, education_level = 'vwo'"


@pytest.fixture
def w(owner):
    return world_mod.build(owner)


def profile(owner, uid):
    return owner.execute("select display_name, first_name, last_name, year_group, education_level, class_id, email"
                         " from public.users where id = %s", (uid,)).fetchone()


def test_admin_corrects_a_pupils_profile_and_it_is_audited(owner, w):
    a, s = w.users["admin-same-school"], w.users["subject"]
    with as_user(owner, a, commit=True) as c:
        n = c.execute(f"update public.users set {FIELDS}, class_id = %s where id = %s", (w.class_a2, s)).rowcount
    assert n == 1
    assert profile(owner, s)[:6] == ("Corrected", "Anne", "de Vries", 3, "vwo", w.class_a2)
    actor, meta = owner.execute("select actor_id, metadata from public.audit_logs where action = 'rectification'"
                                " and subject_id = %s", (s,)).fetchone()
    assert actor == a and meta["fields"] == sorted(["display_name", "first_name", "last_name", "year_group", "education_level"])
    assert meta["new"]["first_name"] == "Anne" and meta["old"]["first_name"] == "Fn"


def test_a_user_corrects_their_own_names_but_not_their_year_group(owner, w):
    s = w.users["subject"]
    with as_user(owner, s, commit=True) as c:
        assert c.execute("update public.users set first_name = 'Anna' where id = %s", (s,)).rowcount == 1
    assert owner.execute("select count(*) from public.audit_logs where action = 'rectification'").fetchone()[0] == 0
    before = profile(owner, s)
    with as_user(owner, s) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("update public.users set year_group = 6 where id = %s", (s,))
    assert profile(owner, s) == before


@pytest.mark.parametrize("persona, outcome", [
    ("teacher-same-school", "filtered"), ("student-same-school", "filtered"),
    ("admin-other-school", "filtered"), ("developer", "filtered"),
])
def test_others_cannot_correct_a_pupil(owner, w, persona, outcome):
    s = w.users["subject"]
    before = profile(owner, s)
    with as_user(owner, w.users[persona]) as c:
        assert c.execute(f"update public.users set {FIELDS} where id = %s", (s,)).rowcount == 0
    assert profile(owner, s) == before


@pytest.mark.parametrize("persona", ["subject", "admin-same-school"])
def test_nobody_changes_an_email_address(owner, w, persona):
    s = w.users["subject"]
    with as_user(owner, w.users[persona]) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("update public.users set email = 'x@y.example' where id = %s", (s,))
