"""The auth shim's two default-privileges regimes (dgskills_db/shim.py): `legacy` grants the
API roles ALL on every new object in public, `secure` grants nothing. `make test` runs the
whole suite once under each (DGSKILLS_DEFAULT_PRIVILEGES), so no grant the project needs is
implicit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from dgskills_db import runner, shim

ROOT = Path(__file__).resolve().parents[2]
API_ROLES = ("anon", "authenticated", "service_role")


def default_grants(conn) -> set[tuple[str, str]]:
    """(object type, grantee) of the default privileges in schema public."""
    return {(r[0], r[1]) for r in conn.execute(
        """select d.defaclobjtype::text, a.grantee::regrole::text
             from pg_default_acl d, aclexplode(d.defaclacl) a
            where d.defaclnamespace = 'public'::regnamespace and a.privilege_type in ('SELECT', 'EXECUTE', 'INSERT')
              and a.grantee <> 0""").fetchall()} & {(t, r) for t in ("r", "f", "S") for r in API_ROLES}


@pytest.mark.parametrize("regime", shim.REGIMES)
def test_the_shim_installs_the_chosen_regime(empty_db, regime):
    runner.up(empty_db.dsn, reconcile_cron=False, default_privileges=regime)
    with empty_db.connect() as c:
        assert c.execute("select obj_description('auth'::regnamespace)").fetchone()[0].endswith(f": {regime}.")
        grants = default_grants(c)
        c.execute("create table public.scratch (id int primary key)")
        anon_reads = c.execute("select has_table_privilege('anon', 'public.scratch', 'select')").fetchone()[0]
        service_writes = c.execute("select has_table_privilege('service_role', 'public.scratch', 'insert')").fetchone()[0]
    if regime == "legacy":
        assert grants == {(t, r) for t in ("r", "f", "S") for r in API_ROLES}
        assert anon_reads and service_writes
    else:
        assert grants == set()
        assert not anon_reads and not service_writes


def test_this_run_deployed_the_regime_it_was_asked_for(db):
    """The template every test clones was built under $DGSKILLS_DEFAULT_PRIVILEGES (or legacy)."""
    with db.connect() as c:
        comment = c.execute("select obj_description('auth'::regnamespace)").fetchone()[0]
        assert comment.endswith(f": {shim.regime()}.")
        assert bool(default_grants(c)) == (shim.regime() == "legacy")


def test_an_unknown_regime_is_refused_before_anything_runs(empty_db, monkeypatch):
    out = subprocess.run([sys.executable, str(ROOT / "migrate.py"), "up", "--dsn", empty_db.dsn,
                          "--default-privileges", "open"], capture_output=True, text=True)
    assert out.returncode == 2 and "legacy, secure" in out.stderr
    monkeypatch.setenv(shim.ENV, "wide-open")
    with pytest.raises(ValueError, match="DGSKILLS_DEFAULT_PRIVILEGES"):
        runner.up(empty_db.dsn)
    with empty_db.connect() as c:
        assert c.execute("select to_regnamespace('auth') is null and to_regnamespace('app_private') is null").fetchone()[0]


def test_the_regime_is_in_the_sql_too(empty_db):
    """The shim itself refuses an unknown regime with SQLSTATE 22023."""
    text = runner.SHIM_FILE.read_text()
    with psycopg.connect(empty_db.dsn) as c:
        c.execute("set dgskills.api_default_privileges = 'everything'")
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            c.execute(text)
