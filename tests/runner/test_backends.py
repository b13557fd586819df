"""The test backends say when they cannot run, instead of passing silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_one_test(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/runner/test_runner.py::test_shim_roles_have_supabase_attributes"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **env},
    )


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(docker_answers(), reason="a Docker daemon answers here: the docker backend can run")
def test_docker_backend_without_a_daemon_fails_loudly():
    res = run_one_test({"DGSKILLS_TEST_BACKEND": "docker"})
    assert res.returncode != 0
    assert "no Docker daemon answers" in res.stdout + res.stderr


def test_external_backend_without_a_dsn_fails_loudly():
    env = {"DGSKILLS_TEST_BACKEND": "external"}
    res = run_one_test({**env, "DGSKILLS_TEST_DSN": ""})
    assert res.returncode != 0 and "DGSKILLS_TEST_DSN" in res.stdout + res.stderr


def test_external_backend_runs_against_the_given_server(server_dsn):
    res = run_one_test({"DGSKILLS_TEST_BACKEND": "external", "DGSKILLS_TEST_DSN": server_dsn})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 passed" in res.stdout
