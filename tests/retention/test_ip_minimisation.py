"""S-RET-11: pilot_requests.ip is kept one day (the rate limit needs it), then nulled by the
declared rule null_pilot_request_ips; the rest of the request stays; the rate limit works."""

from __future__ import annotations

import psycopg
import pytest

from personas import as_service
from dgskills_db.cron import job_command

SQL = "select public.submit_pilot_request(%s, %s, %s, %s, %s, %s, %s::inet, %s)"


def submit(conn, ip):
    with as_service(conn, commit=True) as c:
        return c.execute(SQL, ("A. Jansen", "a@school.example", "Het Lyceum", "ICT", 450, "pilot", ip, None)).fetchone()[0]


def null_ips(db):
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(job_command(c, "null_pilot_request_ips"))


def test_ip_nulled_after_a_day_kept_before(db, owner):
    old = submit(owner, "198.51.100.20")["id"]
    young = submit(owner, "198.51.100.21")["id"]
    owner.execute("update public.pilot_requests set created_at = now() - interval '1 day' - interval '1 minute' where id = %s", (old,))
    owner.execute("update public.pilot_requests set created_at = now() - interval '1 day' + interval '1 minute' where id = %s", (young,))
    null_ips(db)
    rows = dict(owner.execute("select id, ip::text from public.pilot_requests where id in (%s, %s)", (old, young)).fetchall())
    assert rows == {old: None, young: "198.51.100.21/32"} or rows == {old: None, young: "198.51.100.21"}
    assert owner.execute("select email, school_name from public.pilot_requests where id = %s", (old,)).fetchone() == (
        "a@school.example", "Het Lyceum")
    assert owner.execute("""select rows_deleted, outcome from app_private.retention_run
                             where job = 'null_pilot_request_ips' order by id desc limit 1""").fetchone() == (1, "ok")


def test_rate_limit_still_works_after_the_ips_are_nulled(db, owner):
    for _ in range(3):
        submit(owner, "198.51.100.30")
    owner.execute("update public.pilot_requests set created_at = now() - interval '2 days'")
    null_ips(db)
    assert owner.execute("select count(*) from public.pilot_requests where ip is not null").fetchone()[0] == 0
    with pytest.raises(psycopg.Error) as e:
        submit(owner, "198.51.100.30")
    assert e.value.sqlstate == "PT429"


def test_the_register_says_so(owner):
    comment = owner.execute("select col_description('public.pilot_requests'::regclass, "
                            "(select attnum from pg_attribute where attrelid = 'public.pilot_requests'::regclass and attname = 'ip'))").fetchone()[0]
    assert "1 day, then nulled" in comment
    assert owner.execute("""select keep, action, nullify_column from app_private.retention_rule
                             where job = 'null_pilot_request_ips'""").fetchone()[1:] == ("nullify", "ip")
