"""Hostile arguments (hypothesis) for every RPC: success within the contract, or a refusal with
a documented SQLSTATE — never an internal error or an undocumented code, and a refusal
changes nothing. 200 examples per RPC (10 RPCs)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personas import as_role

EXAMPLES = 200
# The SQLSTATE table of the README. 22P02/22003 are raised by PostgreSQL itself while binding an
# argument that is not of the parameter's type (PostgREST answers 400).
DOCUMENTED = {"28000", "42501", "DG001", "DG002", "DG003", "DG011", "PT429", "22023", "22P02", "22003"}

HOSTILE = ["'; drop table public.users; --", "' or '1'='1", "$$ select 1 $$", "\\", "%s", "{}", "null",
           "<script>alert(1)</script>", "Ω≈ç√∫˜µ", "🙂" * 10, "\t\n", " "]
# What a client can send: any Unicode text PostgREST would pass on, i.e. UTF-8 encodable
# (no lone surrogates, category Cs) and without NUL (PostgreSQL text cannot hold it).
CLIENT_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
texts = st.one_of(st.none(), st.sampled_from(HOSTILE), st.text(alphabet=CLIENT_CHARS, max_size=300),
                  st.integers(1000, 300000).map(lambda n: "x" * n))
ints = st.one_of(st.none(), st.integers(-(2 ** 40), 2 ** 40), st.integers(-5, 1005))
bools = st.one_of(st.none(), st.booleans())
ips = st.one_of(st.none(), st.sampled_from(["192.0.2.1", "2001:db8::1", "10.0.0.300", "not-an-ip", "", "::"]),
                st.ip_addresses().map(str))
PERSONAS = ["subject", "student-same-school", "teacher-same-school", "admin-same-school", "admin-other-school",
            "developer", "anon", "service_role", "nobody"]


def uuids(world):
    return st.one_of(st.none(), st.sampled_from(list(world.users.values())).map(str),
                     st.uuids().map(str), st.sampled_from(["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"]))


RPCS = {
    # name: (sql, lambda world -> strategy of argument tuples)
    "export_my_data": ("select public.export_my_data()", lambda w: st.just(())),
    "delete_my_account": ("select public.delete_my_account()", lambda w: st.just(())),
    "school_directory": ("select count(*) from public.school_directory()", lambda w: st.just(())),
    "is_teacher": ("select public.is_teacher()", lambda w: st.just(())),
    "restrict_processing": ("select public.restrict_processing(%s)", lambda w: st.tuples(texts)),
    "lift_processing_restriction": ("select public.lift_processing_restriction(%s::uuid, %s)",
                                    lambda w: st.tuples(uuids(w), texts)),
    "export_user_data": ("select public.export_user_data(%s::uuid)", lambda w: st.tuples(uuids(w))),
    "delete_user_account": ("select public.delete_user_account(%s::uuid)", lambda w: st.tuples(uuids(w))),
    "override_step_completion": ("select public.override_step_completion(%s::uuid, %s, %s::int, %s, %s)",
                                 lambda w: st.tuples(uuids(w), texts, ints, bools, texts)),
    "award_xp": ("select public.award_xp(%s::uuid, %s::int, %s)", lambda w: st.tuples(uuids(w), ints, texts)),
    "publish_shared_work": ("select public.publish_shared_work(%s, %s::bigint, %s)",
                            lambda w: st.tuples(st.one_of(texts, st.sampled_from(["project", "game"])), ints, bools)),
    "unpublish_shared_work": ("select public.unpublish_shared_work(%s, %s::bigint)",
                              lambda w: st.tuples(st.one_of(texts, st.sampled_from(["project", "game"])), ints)),
    "submit_pilot_request": ("select public.submit_pilot_request(%s, %s, %s, %s, %s::int, %s, %s::inet, %s)",
                             lambda w: st.tuples(texts, st.one_of(texts, st.emails()), texts, texts, ints, texts, ips,
                                                 st.one_of(st.none(), st.just(""), texts))),
}


def fingerprint(conn):
    """Taken as the owner inside the persona's transaction, then the persona is restored."""
    role, claims = conn.execute("select current_setting('role'), current_setting('request.jwt.claims', true)").fetchone()
    conn.execute("reset role")
    fp = _fingerprint(conn)
    conn.execute("select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)", (role, claims or ""))
    return fp


def _fingerprint(conn):
    return conn.execute("""select (select count(*) from auth.users), (select count(*) from public.audit_logs),
        (select sum(hashtext(to_jsonb(u)::text)) from public.users u),
        (select count(*) from public.mission_progress) + (select count(*) from public.xp_transactions)
        + (select count(*) from public.pilot_requests) + (select count(*) from app_private.pilot_request_attempts)""").fetchone()


@pytest.mark.parametrize("rpc", list(RPCS))
def test_hostile_arguments(rpc_world, rpc):
    conn, world = rpc_world
    sql, make = RPCS[rpc]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(args=make(world), persona=st.sampled_from(PERSONAS), sub_noise=st.sampled_from([None, "garbage", "random"]))
    def run(args, persona, sub_noise):
        role = {"anon": "anon", "service_role": "service_role"}.get(persona, "authenticated")
        sub = world.users.get(persona)
        if persona == "nobody":
            sub = {None: None, "garbage": "garbage", "random": str(uuid.uuid4())}[sub_noise]
        with as_role(conn, role, sub) as c:
            before = fingerprint(c)
            c.execute("savepoint call")
            try:
                c.execute(sql, args)
            except psycopg.Error as exc:
                assert exc.sqlstate in DOCUMENTED, f"{rpc}{args!r} as {persona}: {exc.sqlstate} {exc}"
                c.execute("rollback to savepoint call")
                assert fingerprint(c) == before
            except (ValueError, psycopg.DataError) as exc:  # pragma: no cover - client-side encoding
                raise AssertionError(f"client refused {args!r}: {exc}") from exc

    run()
