"""Identity exactly as PostgREST sets it, and the guard that RLS is really in force.

PostgREST runs every request in a transaction that starts with
    set_config('role', <role>, true)
    set_config('request.jwt.claims', <claims json>, true)
and so do these helpers. The transaction is rolled back at the end unless
`commit=True`, so a persona's writes never leak into the next check.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Iterator

import psycopg


class NotUnderRLS(AssertionError):
    """The effective role would bypass row-level security: the test would prove nothing."""


def claims_for(role: str, sub: uuid.UUID | str | None) -> dict:
    c: dict = {"role": role, "aud": "authenticated" if role == "authenticated" else role}
    if sub is not None:
        c["sub"] = str(sub)
    return c


def guard(conn: psycopg.Connection) -> None:
    """Fail when the effective role is a superuser, BYPASSRLS (other than service_role)
    or owns a table in public."""
    row = conn.execute(
        """select current_user, r.rolsuper, r.rolbypassrls,
                  (select count(*) from pg_catalog.pg_class c
                    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
                      and pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE'))
             from pg_catalog.pg_roles r where r.rolname = current_user"""
    ).fetchone()
    user, is_super, bypass, owned = row
    if is_super:
        raise NotUnderRLS(f"effective role {user} is a superuser")
    if bypass and user != "service_role":
        raise NotUnderRLS(f"effective role {user} has BYPASSRLS")
    if owned:
        raise NotUnderRLS(f"effective role {user} owns {owned} table(s) in public")


@contextlib.contextmanager
def as_role(conn: psycopg.Connection, role: str, sub=None, commit: bool = False,
            before: str | tuple | None = None) -> Iterator[psycopg.Connection]:
    """Run the block as PostgREST would for a request with this role and subject.
    `before` is SQL run as the connection's own user first, in the same transaction."""
    with conn.transaction(force_rollback=not commit):
        if before:
            sql, params = (before, None) if isinstance(before, str) else before
            conn.execute(sql, params)
        conn.execute(
            "select pg_catalog.set_config('role', %s, true), pg_catalog.set_config('request.jwt.claims', %s, true)",
            (role, json.dumps(claims_for(role, sub))),
        )
        guard(conn)
        yield conn


def as_anon(conn, **kw):
    return as_role(conn, "anon", None, **kw)


def as_user(conn, user_id, **kw):
    return as_role(conn, "authenticated", user_id, **kw)


def as_service(conn, **kw):
    return as_role(conn, "service_role", None, **kw)
