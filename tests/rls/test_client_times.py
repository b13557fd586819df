"""Client-written times are bounded, by class. From the column privileges: every timestamp
column anon or authenticated may INSERT or UPDATE is clamped by a BEFORE INSERT OR UPDATE
row trigger (app_private.tg_clamp_client_time naming the column, or duel_presence's
clamp_last_seen_at) and, written as the persona who may write it, a far-future value
lands at now() and a far-past one not before the row's created_at."""

from __future__ import annotations

import pytest

import world as world_mod
from personas import as_user

# Who writes each client-writable time, on which row (a table: the row world.build made).
WRITERS = {
    ("messages", "read_at"): ("subject", "id"),
    ("duel_challenges", "responded_at"): ("bystander-pupil", "id"),
    ("duel_presence", "last_seen_at"): ("subject", "user_id"),
}


def client_writable_times(conn):
    return sorted(conn.execute(
        """select c.relname, a.attname
             from pg_catalog.pg_attribute as a
             join pg_catalog.pg_class as c on c.oid = a.attrelid
            where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
              and a.attnum > 0 and not a.attisdropped
              and a.atttypid in ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
              and exists (select 1 from unnest(array['anon', 'authenticated']) as r(role),
                                        unnest(array['INSERT', 'UPDATE']) as p(priv)
                           where pg_catalog.has_column_privilege(r.role, c.oid, a.attnum, p.priv))""").fetchall())


def clamped_columns(conn):
    out = set()
    for table, func, args in conn.execute(
            """select c.relname, t.tgfoid::regproc::text,
                      pg_catalog.encode(t.tgargs, 'escape')
                 from pg_catalog.pg_trigger as t join pg_catalog.pg_class as c on c.oid = t.tgrelid
                where not t.tgisinternal and t.tgenabled <> 'D'
                  and t.tgtype & 1 = 1 and t.tgtype & 2 = 2 and t.tgtype & 4 = 4 and t.tgtype & 16 = 16"""):
        if func == "app_private.tg_clamp_client_time":
            out |= {(table, a) for a in args.split("\\000") if a}
        elif func == "app_private.tg_clamp_last_seen_at":
            out.add((table, "last_seen_at"))
    return out


def test_every_client_writable_time_has_a_clamp_and_a_case(owner):
    cols = client_writable_times(owner)
    assert cols, "no client-writable timestamp found: the catalog query is wrong"
    missing = [c for c in cols if c not in clamped_columns(owner)]
    assert not missing, f"client-writable times without a clamp trigger: {missing}"
    assert set(cols) <= set(WRITERS), f"add a writer case for {set(cols) - set(WRITERS)}"


@pytest.mark.parametrize("table,col", sorted(WRITERS))
@pytest.mark.parametrize("value", ["9999-12-31", "1900-01-01", "infinity", "-infinity"])
def test_a_client_time_stays_between_created_at_and_now(owner, table, col, value):
    w = world_mod.build(owner)
    persona, key = WRITERS[(table, col)]
    where = w.rows[table] if key == "id" else w.users[persona]
    with as_user(owner, w.users[persona]) as c:
        c.execute(f"update public.{table} set {col} = %s where {key} = %s", (value, where))
        not_future, not_before_created = c.execute(
            f"""select {col} <= now(), (to_jsonb(t) ->> 'created_at')::timestamptz <= {col}
                  from public.{table} as t where {key} = %s""", (where,)).fetchone()
    assert not_future is True, (table, col, value)
    assert not_before_created in (True, None), (table, col, value)  # None: the table has no created_at
