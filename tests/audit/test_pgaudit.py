"""Operator access is logged: a service_role read of a pupil table leaves a pgaudit AUDIT
line in the embedded cluster's server log (read here), and verify warns when the audit is
off (bad, then fixed)."""

from __future__ import annotations

import os
import time
import uuid

import psycopg
import pytest

from dgskills_db import embedded, runner, verify
from personas import as_service

pytestmark = pytest.mark.skipif(os.environ.get("DGSKILLS_TEST_BACKEND", "embedded") != "embedded",
                                reason="reads the embedded cluster's server log")


def log_lines_with(marker: str, timeout: float = 10.0) -> list[str]:
    log = embedded.default_cluster().log_file
    deadline = time.monotonic() + timeout
    while True:
        # the server writes the log itself; give it a moment to flush
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if marker in ln]
        if lines or time.monotonic() > deadline:
            return lines


def test_service_role_read_of_a_pupil_table_is_in_the_server_log(db):
    marker = f"audit-probe-{uuid.uuid4().hex[:8]}"
    conn = db.connect()
    with as_service(conn) as c:
        c.execute(f"select count(*) from public.student_activities where activity_type = '{marker}'")
    lines = log_lines_with(marker)
    assert lines, "no AUDIT line for the read"
    assert all("AUDIT: OBJECT" in ln and "READ,SELECT,TABLE,public.student_activities" in ln for ln in lines)
    assert db.name in lines[0]


def test_a_read_of_a_table_not_about_users_is_not_logged(db):
    marker = f"audit-probe-{uuid.uuid4().hex[:8]}"
    with as_service(db.connect()) as c:
        c.execute(f"select count(*) from public.schools where name = '{marker}'")
    assert log_lines_with(marker, timeout=1.0) == []


def test_verify_warns_when_the_audit_role_is_not_set(db):
    runner.up(db.dsn)  # schedules the clone's retention jobs, as a deploy does
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(f'alter database "{db.name}" set pgaudit.role = \'\'')
    found = [(f.name, f.level, f.object) for f in verify.run(db.dsn)]
    assert found == [("operator_access_not_audited", "WARN", "pgaudit.role")]
    with psycopg.connect(db.dsn, autocommit=True) as c:
        c.execute(f'alter database "{db.name}" reset pgaudit.role')
    assert verify.run(db.dsn) == []


def test_every_table_about_users_is_audited(owner):
    missing = owner.execute("""select t::text from app_private.audited_tables() t
                                where not has_table_privilege('dgskills_auditor', t, 'select')""").fetchall()
    assert missing == []
    assert owner.execute("select 'public.mission_progress_events'::regclass in (select * from app_private.audited_tables())").fetchone()[0]


def test_without_pgaudit_verify_warns_and_a_restart_with_it_audits(monkeypatch):
    """A server without pgaudit: verify names it; once the library is there, the next start of the
    embedded cluster rewrites its managed settings and restarts it with pgaudit preloaded."""
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="dgskills-noaudit-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    monkeypatch.setenv("PG_PKGLIBDIR", str(base / "no-such-lib"))
    cl = embedded.Cluster(state_dir=base / "state", preferred_port=embedded._port_for(base),
                          os_user=embedded._run_as(), with_cron=False)
    try:
        cl.start()
        runner.up(cl.url())
        found = {(f.name, f.object) for f in verify.run(cl.url())}
        assert ("operator_access_not_audited", "pgaudit") in found
        monkeypatch.delenv("PG_PKGLIBDIR")
        assert cl.start() is True  # running, but its settings changed: restarted
        with psycopg.connect(cl.url()) as c:
            assert "pgaudit" in c.execute("show shared_preload_libraries").fetchone()[0]
            assert c.execute("show pgaudit.role").fetchone()[0] == "dgskills_auditor"
        assert not any(f.name == "operator_access_not_audited" for f in verify.run(cl.url()))
        assert cl.start() is False  # nothing changed: left running
    finally:
        cl.destroy()
        base.rmdir()
