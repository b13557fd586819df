"""duel_presence.last_seen_at is client-written but bounded (S-RET-1): whatever time a
pupil sends, on insert or update, the stored time is never after the server's now() nor before now() - 1 day, so
the 1-day purge always catches it and nobody shows online for ever (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import world as world_mod
from personas import as_user
from dgskills_db.cron import job_command

UTC = dt.timezone.utc
times = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(UTC)),
    st.sampled_from([dt.datetime(9999, 12, 31, tzinfo=UTC), dt.datetime(2100, 1, 1, tzinfo=UTC)]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sent=times, on_insert=st.booleans())
def test_last_seen_at_stays_within_the_last_day_whatever_the_client_sends(matrix_world, sent, on_insert):
    conn, w = matrix_world
    s = w.users["subject"]
    with as_user(conn, s) as c:
        if on_insert:
            c.execute("delete from public.duel_presence where user_id = %s", (s,))
            c.execute("insert into public.duel_presence (user_id, last_seen_at) values (%s, %s)", (s, sent))
        else:
            c.execute("update public.duel_presence set last_seen_at = %s where user_id = %s", (sent, s))
        stored, now = c.execute("select last_seen_at, now() from public.duel_presence where user_id = %s", (s,)).fetchone()
        assert now - dt.timedelta(days=1) <= stored <= now
        assert stored == max(min(sent, now), now - dt.timedelta(days=1))


@pytest.mark.parametrize("sent", ["infinity", "-infinity"])
def test_infinite_presence_times_are_bounded(matrix_world, sent):
    conn, w = matrix_world
    s = w.users["subject"]
    with as_user(conn, s) as c:
        c.execute("update public.duel_presence set last_seen_at = %s::timestamptz where user_id = %s", (sent, s))
        ok = c.execute("""select last_seen_at between now() - interval '1 day' and now()
                            from public.duel_presence where user_id = %s""", (s,)).fetchone()[0]
    assert ok is True


def test_a_far_future_presence_is_purged_after_a_day(owner):
    w = world_mod.build(owner)
    s = w.users["subject"]
    with as_user(owner, s, commit=True) as c:
        c.execute("update public.duel_presence set last_seen_at = '9999-12-31' where user_id = %s", (s,))
    owner.execute("update public.duel_presence set last_seen_at = last_seen_at - interval '25 hours'")
    owner.execute(job_command(owner, "purge_duel_presence"))
    assert owner.execute("select count(*) from public.duel_presence where user_id = %s", (s,)).fetchone()[0] == 0
