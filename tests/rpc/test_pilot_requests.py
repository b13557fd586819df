"""submit_pilot_request: validation, honeypot, 3 per minute per IP (PT429)."""

from __future__ import annotations

import psycopg
import pytest

from personas import as_service, as_user

SQL = "select public.submit_pilot_request(%s, %s, %s, %s, %s, %s, %s::inet, %s)"


def submit(conn, ip, honeypot=None, email="a.jansen@school.example"):
    with as_service(conn, commit=True) as c:
        return c.execute(SQL, ("A. Jansen", email, "Het Lyceum", "ICT-coordinator", 450, "Graag een pilot", ip, honeypot)).fetchone()[0]


def count(owner):
    return owner.execute("select count(*) from public.pilot_requests").fetchone()[0]


def test_three_per_minute_pass_the_fourth_is_refused_another_ip_passes(owner):
    for _ in range(3):
        assert submit(owner, "198.51.100.7")["accepted"]
    with pytest.raises(psycopg.Error) as ei:
        submit(owner, "198.51.100.7")
    assert ei.value.sqlstate == "PT429"
    assert count(owner) == 3
    assert submit(owner, "198.51.100.8")["accepted"]
    assert count(owner) == 4
    # a minute later the address may submit again
    owner.execute("update app_private.pilot_request_attempts set attempted_at = attempted_at - interval '61 seconds'")
    assert submit(owner, "198.51.100.7")["accepted"]


def test_filled_honeypot_is_accepted_and_stored_nowhere(owner):
    before = owner.execute("select (select count(*) from public.pilot_requests) + (select count(*) from app_private.pilot_request_attempts)").fetchone()[0]
    assert submit(owner, "203.0.113.9", honeypot="http://spam.example") == {"accepted": True}
    after = owner.execute("select (select count(*) from public.pilot_requests) + (select count(*) from app_private.pilot_request_attempts)").fetchone()[0]
    assert after == before


@pytest.mark.parametrize("field, value", [
    ("email", "not-an-email"), ("email", "a@b"), ("email", "x" * 300 + "@school.example"),
    ("contact_name", ""), ("contact_name", "   "), ("contact_name", "x" * 201),
    ("school_name", None), ("contact_role", "r" * 101), ("pupil_count", 0), ("pupil_count", 100001),
    ("message", "m" * 5001), ("ip", None),
])
def test_every_field_is_validated(owner, field, value):
    args = {"contact_name": "A", "email": "a@school.example", "school_name": "S", "contact_role": "r",
            "pupil_count": 10, "message": None, "ip": "192.0.2.1", "honeypot": None}
    args[field] = value
    with as_service(owner) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(SQL, tuple(args.values()))
    assert ei.value.sqlstate == "22023", str(ei.value)
    assert count(owner) == 0


def test_only_service_role_may_submit(owner):
    owner.execute("insert into auth.users (id) values ('00000000-0000-4000-8000-000000000001')")
    with as_user(owner, "00000000-0000-4000-8000-000000000001") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(SQL, ("A", "a@school.example", "S", "r", 10, None, "192.0.2.1", None))
