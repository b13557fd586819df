"""The helpers policies call run with the caller's EXECUTE privilege, so an authenticated
user can call them directly (PostgREST does not expose app_private, but a policy is not the
only SQL a client can reach through, and the schema is one grant away). Catalog-driven:
every function in app_private that authenticated may execute, called as a pupil, returns
no user id beyond school_directory() and the pupil themself, and nothing that changes
when schoolmates' processing is restricted (S-RLS-6: a restriction is the pupil's and
the school's business, not their classmates')."""

from __future__ import annotations

import json
import uuid

import pytest

import world as world_mod
from personas import as_user


def helpers(conn):
    return [r[0] for r in conn.execute(
        """select p.oid::regprocedure::text from pg_catalog.pg_proc as p
            where p.pronamespace = 'app_private'::regnamespace and p.prokind = 'f'
              and p.prorettype <> 'trigger'::regtype
              and pg_catalog.has_function_privilege('authenticated', p.oid, 'execute')
            order by 1""").fetchall()]


def uuids_in(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(uuids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(uuids_in(v) for v in value)) if value else set()
    if isinstance(value, str):
        if value[:1] in ("[", "{"):  # JSON returned as text (the compiled export's rows)
            try:
                return uuids_in(json.loads(value))
            except ValueError:
                pass
        try:
            return {str(uuid.UUID(value))}
        except ValueError:
            return set()
    return set()


def parsed(value):
    """JSON returned as text, parsed, so that it is compared as what it holds."""
    if isinstance(value, list):
        return [parsed(v) for v in value]
    if isinstance(value, dict):
        return {k: parsed(v) for k, v in value.items()}
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return parsed(json.loads(value))
        except ValueError:
            return value
    return value


def without_own_export_audit(value):
    if isinstance(value, list):
        return [without_own_export_audit(v) for v in value
                if not (isinstance(v, dict) and v.get("action") == "gdpr_data_export")]
    if isinstance(value, dict):
        return {k: without_own_export_audit(v) for k, v in value.items()}
    return value


def call_all(owner, pupil, names):
    out = {}
    for name in names:
        assert name.endswith("()"), f"{name}: a helper with arguments needs a case in this test"
        with as_user(owner, pupil) as c:
            out[name] = c.execute(
                f"select coalesce(jsonb_agg(to_jsonb(r)), '[]'::jsonb) from {name} as r").fetchone()[0]
    return out


def normalise(result):
    """The export's own time and its own audit entry differ between calls; nothing else may."""
    result = parsed(json.loads(json.dumps(result)))
    for row in result:
        if isinstance(row, dict) and "data" in row:
            row.pop("exported_at", None)
    return sort_sets(without_own_export_audit(result))


def sort_sets(value):
    """Id arrays are sets: their order follows the heap, which an UPDATE changes."""
    if isinstance(value, list):
        items = [sort_sets(v) for v in value]
        return sorted(items) if all(isinstance(v, str) for v in items) else items
    if isinstance(value, dict):
        return {k: sort_sets(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("persona", ["subject", "student-same-school"])
def test_no_helper_tells_a_pupil_more_than_the_directory(owner, persona):
    w = world_mod.build(owner)
    pupil = w.users[persona]
    names = helpers(owner)
    assert "app_private.school_restricted_ids()" in names
    with as_user(owner, pupil) as c:
        directory = {str(r[0]) for r in c.execute("select id from public.school_directory()").fetchall()}
    user_ids = {str(r[0]) for r in owner.execute("select id from auth.users").fetchall()}
    before = call_all(owner, pupil, names)
    for name, result in before.items():
        leaked = (uuids_in(result) & user_ids) - directory - {str(pupil)}
        assert not leaked, f"{name} gives a pupil user ids outside school_directory(): {leaked}"
    # Restrict every other member of every school: nothing a pupil can call may change.
    owner.execute("""update public.users set processing_restricted = true, restricted_at = now()
                      where id <> %s and not processing_restricted""", (pupil,))
    after = call_all(owner, pupil, names)
    for name in names:
        b, a = before[name], after[name]
        assert normalise(a) == normalise(b), f"{name} tells a pupil whose processing is restricted"


CARE = """select u.id from public.users u join public.users me on me.id = %(me)s
           where u.role = 'student' and u.school_id = me.school_id
             and (me.role = 'admin' or u.class_id in (select class_id from public.class_teachers
                                                       where teacher_id = me.id))"""


@pytest.mark.parametrize("persona", ["class-teacher", "other-class-teacher", "admin-same-school"])
def test_no_helper_tells_staff_about_pupils_outside_their_care(owner, persona):
    """The same for staff (S-RLS-7 with S-RLS-6): whether a pupil outside the caller's care
    (another class; for an admin, another school) restricted processing is not their business:
    restricting every such pupil changes nothing any helper returns to them."""
    w = world_mod.build(owner)
    me = w.users[persona]
    names = helpers(owner)
    care = {r[0] for r in owner.execute(CARE, {"me": me}).fetchall()}
    before = call_all(owner, me, names)
    outside = owner.execute("""update public.users set processing_restricted = true, restricted_at = now()
                                where role = 'student' and not processing_restricted and not (id = any(%s))
                               returning id""", (list(care),)).fetchall()
    assert outside, "the world needs pupils outside the persona's care"
    after = call_all(owner, me, names)
    for name in names:
        assert normalise(after[name]) == normalise(before[name]), \
            f"{name} tells {persona} that a pupil outside their care restricted processing"
