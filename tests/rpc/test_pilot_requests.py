"""submit_pilot_request: validation, honeypot, 3 per minute per client (PT429): an IPv4 host or an IPv6 /64."""

from __future__ import annotations

import ipaddress

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# The rate limit by class: one client is one IPv4 host whatever netmask it is sent with and
# whether it arrives plain, IPv4-mapped (::ffff:a.b.c.d) or through NAT64 (64:ff9b::a.b.c.d),
# or one IPv6 /64 whatever address and netmask in it (hypothesis).
EMBEDDING_64 = {0, 0x0064_FF9B_0000_0000}  # the /64s holding ::ffff:0:0/96 and 64:ff9b::/96


def ipv4_spelling(draw, host):
    form = draw(st.sampled_from(["plain", "mapped", "nat64"]))
    if form == "plain":
        return f"{host}/{draw(st.integers(0, 32))}"
    prefix = "::ffff:" if form == "mapped" else "64:ff9b::"
    return f"{prefix}{host}/{draw(st.integers(0, 128))}"


@st.composite
def one_client(draw):
    """Four spellings of one client, and one address of another client."""
    if draw(st.booleans()):
        host = draw(st.ip_addresses(v=4))
        spellings = [ipv4_spelling(draw, host) for _ in range(4)]
        other = ipaddress.IPv4Address((int(host) + draw(st.integers(1, 2 ** 20))) % 2 ** 32)
        return spellings, ipv4_spelling(draw, other)
    prefix = draw(st.ip_addresses(v=6).map(lambda a: int(a) >> 64).filter(lambda p: p not in EMBEDDING_64)) << 64
    spellings = [f"{ipaddress.IPv6Address(prefix | draw(st.integers(0, 2 ** 64 - 1)))}/{draw(st.integers(0, 128))}"
                 for _ in range(4)]
    other = ipaddress.IPv6Address((prefix + (draw(st.integers(1, 2 ** 20)) << 64)) % 2 ** 128)
    return spellings, f"{other}/{draw(st.integers(0, 128))}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(client=one_client())
def test_one_host_or_one_ipv6_64_shares_one_budget_whatever_netmask_or_embedding(owner, client):
    spellings, other = client
    owner.execute("delete from app_private.pilot_request_attempts")
    for ip in spellings[:3]:
        assert submit(owner, ip)["accepted"]
    with pytest.raises(psycopg.Error) as ei:
        submit(owner, spellings[3])
    assert ei.value.sqlstate == "PT429"
    assert submit(owner, other)["accepted"]


def test_ipv4_mapped_clients_do_not_share_the_ipv6_loopback_budget(owner):
    """The review's case: every IPv4-mapped client fell into ::/64, with ::1."""
    for _ in range(3):
        assert submit(owner, "::1")["accepted"]
    assert submit(owner, "::ffff:198.51.100.7")["accepted"]
    assert submit(owner, "64:ff9b::203.0.113.9")["accepted"]
    key = owner.execute("select app_private.rate_limit_key('::ffff:198.51.100.7/96')::text").fetchone()[0]
    assert key == "198.51.100.7/32"
