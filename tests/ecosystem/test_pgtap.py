"""`migrate.py gen pgtap`: the pgTAP files pass under pg_prove against a deployed database,
and fail — naming the cell — when a leak is injected."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from dgskills_db.gen import pgtap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pgtap_dir(server_dsn, tmp_path_factory):
    out = tmp_path_factory.mktemp("pgtap")
    res = subprocess.run([sys.executable, str(ROOT / "migrate.py"), "gen", "pgtap", "--dsn", server_dsn,
                          "--out", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(pgtap.FILES)
    return out


def pg_prove(db, files) -> subprocess.CompletedProcess:
    exe = shutil.which("pg_prove")
    if exe is None:
        pytest.fail("pg_prove is not installed (Debian libtap-parser-sourcehandler-pgtap-perl; `make setup` installs it)")
    p = conninfo_to_dict(db.dsn)
    return subprocess.run([exe, "-h", p.get("host", "127.0.0.1"), "-p", str(p.get("port", 5432)),
                           "-U", p.get("user", "postgres"), "-d", db.name, *map(str, files)],
                          capture_output=True, text=True, timeout=600)


def test_generated_pgtap_passes_under_pg_prove(db, pgtap_dir):
    res = pg_prove(db, sorted(pgtap_dir.iterdir()))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "All tests successful" in res.stdout
    # every cell of the matrix is a test
    from dgskills_db.declarations import access_matrix

    assert (pgtap_dir / "010_access_matrix.sql").read_text().count("select is(") == len(access_matrix().cells)
    # and nothing is left behind
    with db.connect() as c:
        assert c.execute("select count(*) from pg_extension where extname = 'pgtap'").fetchone()[0] == 0
        assert c.execute("select count(*) from public.users").fetchone()[0] == 0


def test_generated_pgtap_fails_on_an_injected_leak(db, pgtap_dir):
    with db.connect() as c:
        c.execute("create policy leak on public.feedback for select to authenticated using (true)")
    res = pg_prove(db, sorted(pgtap_dir.iterdir()))
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert 'Failed test' in out and '"student-other-school/select/feedback"' in out
    assert '"teacher-other-school sees no row of school A in feedback"' in out
    assert '"verify check multiple_permissive_policies"' in out


def test_generated_pgtap_fails_on_a_missing_revoke(db, pgtap_dir):
    with db.connect() as c:
        c.execute("grant delete on public.audit_logs to authenticated")
    res = pg_prove(db, [pgtap_dir / "030_catalog.sql"])
    assert res.returncode != 0 and '"verify check audit_logs_not_append_only"' in res.stdout
