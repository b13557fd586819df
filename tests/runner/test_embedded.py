"""The embedded cluster: starts on demand, twice is harmless, survives a stale pid file,
and moves to a free port when its preferred one is taken."""

from __future__ import annotations

import os
import signal
import socket
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from dgskills_db import embedded


@pytest.fixture
def cluster():
    base = Path(tempfile.mkdtemp(prefix="dgskills-embedded-", dir="/var/tmp"))
    os.chmod(base, 0o755)
    c = embedded.Cluster(state_dir=base / "state", preferred_port=embedded._port_for(base), os_user=embedded._run_as())
    yield c
    c.destroy()
    base.rmdir()


def test_start_twice_is_harmless_and_pg_cron_is_loaded(cluster):
    assert cluster.start() is True
    assert cluster.start() is False
    with psycopg.connect(cluster.url()) as c:
        assert c.execute("select current_setting('cron.database_name'), current_user").fetchone() == ("dgskills", "postgres")
        assert c.execute("select count(*) from cron.job").fetchone()[0] == 0
    assert cluster.stop() is True and cluster.stop() is False


def test_stale_pid_file_after_a_kill_is_handled(cluster):
    cluster.start()
    pid = cluster.pid()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    # children of the killed postmaster exit on their own
    time.sleep(1)
    assert (cluster.data_dir / "postmaster.pid").exists()
    assert cluster.start() is True
    with psycopg.connect(cluster.url()) as c:
        assert c.execute("select 1").fetchone() == (1,)


def test_a_taken_port_moves_the_new_cluster_to_a_free_one(cluster):
    with socket.socket() as s:
        s.bind(("127.0.0.1", cluster.preferred_port))
        s.listen()
        cluster.start()
    assert cluster.port != cluster.preferred_port
    with psycopg.connect(cluster.url()) as c:
        assert c.execute("select inet_server_port()").fetchone()[0] == cluster.port
