"""The embedded default database: a local PostgreSQL 15 cluster with pg_cron.

Used when neither ``--dsn`` nor ``DATABASE_URL`` is given. The cluster lives in a
git-ignored folder of the project (``.pgdata/``), or, when the unprivileged OS user
that runs postgres cannot reach the project folder (a clone under ``/root``), in a
per-project folder under ``/var/tmp``. PostgreSQL refuses to run as root, so when the
toolkit runs as root the server runs as the ``postgres`` OS user (created by Debian's
postgresql-common) and owns its data directory; Python itself stays root.

The server listens on a unix socket in the state folder and on 127.0.0.1 (pg_cron
connects to ``localhost`` to run jobs), with ``trust`` authentication for local and
loopback connections only: it is a developer and CI database, never a production one.

Server settings the toolkit manages live in ``<data>/dgskills.conf``, included at the end
of ``postgresql.conf`` and rewritten on every start: pg_cron, and pgaudit with object
audit through the role ``dgskills_auditor`` (operator access to pupil data is logged to
``server.log``). A running cluster whose managed settings changed is restarted once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PG_MAJOR = os.environ.get("PG_MAJOR", "15")
DEFAULT_DB = "dgskills"
SUPERUSER = "postgres"
MANAGED_CONF = "dgskills.conf"
AUDIT_ROLE = "dgskills_auditor"


class EmbeddedError(RuntimeError):
    """The embedded cluster could not be set up, started or stopped."""


def _pkglibdir() -> Path:
    return Path(os.environ.get("PG_PKGLIBDIR", f"/usr/lib/postgresql/{PG_MAJOR}/lib"))


def pgaudit_available() -> bool:
    """Debian's postgresql-15-pgaudit (installed by scripts/bootstrap.sh) provides pgaudit.so."""
    return (_pkglibdir() / "pgaudit.so").exists()


def _bindir() -> Path:
    explicit = os.environ.get("PG_BINDIR")
    if explicit:
        return Path(explicit)
    return Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")


def _port_for(path: Path) -> int:
    """A stable port per project folder, so two clones never fight over one port."""
    override = os.environ.get("DGSKILLS_PGPORT")
    if override:
        return int(override)
    digest = hashlib.sha256(str(path).encode()).digest()
    return 55000 + int.from_bytes(digest[:2], "big") % 2000


def _port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _run_as() -> str | None:
    """The OS user the server runs as: None means 'whoever we are' (not root)."""
    if os.geteuid() != 0:
        return None
    user = os.environ.get("DGSKILLS_PG_OS_USER", "postgres")
    try:
        pwd.getpwnam(user)
    except KeyError as exc:  # pragma: no cover - Debian's postgresql-common creates it
        raise EmbeddedError(
            f"running as root, the server needs an unprivileged OS user; '{user}' does not exist "
            "(install postgresql-common, or set DGSKILLS_PG_OS_USER)"
        ) from exc
    return user


def _user_can_write(user: str | None, path: Path) -> bool:
    if user is None:
        return os.access(path, os.W_OK | os.X_OK)
    res = subprocess.run(["test", "-w", str(path), "-a", "-x", str(path)], user=user, check=False)
    return res.returncode == 0


@dataclasses.dataclass(frozen=True)
class Cluster:
    state_dir: Path
    preferred_port: int
    os_user: str | None
    dbname: str = DEFAULT_DB
    with_cron: bool = True  # False only for tests of a server without pg_cron
    superuser: str = SUPERUSER  # the bootstrap superuser (Supabase's is supabase_admin)

    @property
    def port(self) -> int:
        """The port chosen when the cluster was created (kept in <state>/port), else the preferred one."""
        try:
            return int((self.state_dir / "port").read_text())
        except (OSError, ValueError):
            return self.preferred_port

    def _choose_port(self) -> int:
        if os.environ.get("DGSKILLS_PGPORT"):
            return self.preferred_port
        for candidate in [self.preferred_port, *range(self.preferred_port + 1, self.preferred_port + 200)]:
            if _port_free(candidate):
                return candidate
        raise EmbeddedError(f"no free TCP port near {self.preferred_port} on 127.0.0.1 (set DGSKILLS_PGPORT)")

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "server.log"

    def url(self, dbname: str | None = None) -> str:
        # TCP on loopback: pg_cron's job table records the port the scheduling
        # connection used (inet_server_port()), which is null over a unix socket.
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{dbname or self.dbname}"

    # -- process helpers -------------------------------------------------------------
    def _cmd(self, args: list[str], check: bool = True, capture: bool = True) -> subprocess.CompletedProcess:
        res = subprocess.run(
            args,
            user=self.os_user,
            cwd="/",
            text=True,
            capture_output=capture,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )
        if check and res.returncode != 0:
            raise EmbeddedError(f"{' '.join(args)} failed ({res.returncode}):\n{res.stdout}{res.stderr}")
        return res

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._cmd([str(_bindir() / "pg_ctl"), "-D", str(self.data_dir), *args], check=check)

    # -- lifecycle ------------------------------------------------------------------
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def _prepare_dirs(self) -> None:
        for d in (self.state_dir, self.socket_dir):
            d.mkdir(parents=True, exist_ok=True)
        if self.os_user is not None:
            pw = pwd.getpwnam(self.os_user)
            for d in (self.state_dir, self.socket_dir):
                os.chown(d, pw.pw_uid, pw.pw_gid)
        os.chmod(self.state_dir, 0o700)
        os.chmod(self.socket_dir, 0o755)

    def init(self) -> None:
        if self.initialized():
            return
        if not (_bindir() / "initdb").exists():
            raise EmbeddedError(f"PostgreSQL {PG_MAJOR} binaries not found in {_bindir()} (run scripts/bootstrap.sh)")
        self._prepare_dirs()
        port = self._choose_port()
        (self.state_dir / "port").write_text(f"{port}\n")
        self._cmd([
            str(_bindir() / "initdb"), "-D", str(self.data_dir), "-U", self.superuser,
            "--auth-local=trust", "--auth-host=trust", "-E", "UTF8", "--locale=C.UTF-8",
        ])
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write(
                "\n# dgskills-db embedded cluster\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {port}\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                + "timezone = 'UTC'\n"
                "max_connections = 200\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
                "shared_buffers = 256MB\n"
                "log_min_messages = warning\n"
                f"include_if_exists = '{MANAGED_CONF}'\n"
            )
        self._write_managed_conf()

    def managed_settings(self) -> str:
        """The settings the toolkit owns: preloaded libraries, pg_cron, pgaudit object audit."""
        libs = (["pg_cron"] if self.with_cron else []) + (["pgaudit"] if pgaudit_available() else [])
        out = ["# written by dgskills-db on every start; edit dgskills_db/embedded.py instead",
               f"shared_preload_libraries = '{','.join(libs)}'"]
        if self.with_cron:
            out += [f"cron.database_name = '{self.dbname}'", "cron.timezone = 'GMT'"]
        if pgaudit_available():
            # Object audit: reads of every table dgskills_auditor may SELECT (the tables about
            # users, sql/functions/4040) are logged, with the statement but not its parameters.
            out += [f"pgaudit.role = '{AUDIT_ROLE}'", "pgaudit.log_parameter = off", "pgaudit.log_level = log",
                    "log_line_prefix = '%m [%p] %q%u@%d '"]
        return "\n".join(out) + "\n"

    def _write_managed_conf(self) -> bool:
        """Write dgskills.conf (and its include in postgresql.conf); True when it changed."""
        conf = self.data_dir / "postgresql.conf"
        text = conf.read_text()
        include = f"include_if_exists = '{MANAGED_CONF}'"
        if include not in text:
            with conf.open("a") as fh:
                fh.write(f"\n{include}\n")
        path = self.data_dir / MANAGED_CONF
        new = self.managed_settings()
        old = path.read_text() if path.exists() else None
        if old == new:
            return False
        path.write_text(new)
        if self.os_user is not None:
            pw = pwd.getpwnam(self.os_user)
            os.chown(path, pw.pw_uid, pw.pw_gid)
        return True

    def pid(self) -> int | None:
        """The pid of a live postmaster for this data dir, else None (a stale pid file is removed)."""
        pidfile = self.data_dir / "postmaster.pid"
        if not pidfile.exists():
            return None
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (ValueError, IndexError, OSError):
            pid = -1
        alive = False
        if pid > 0:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                alive = any(arg.endswith(b"postgres") for arg in cmdline[:1]) and str(self.data_dir).encode() in cmdline
            except OSError:
                alive = False
        if not alive:
            # A postmaster.pid left by a killed server (or a reused pid): remove it so
            # that pg_ctl does not refuse to start.
            pidfile.unlink(missing_ok=True)
            return None
        return pid

    def running(self) -> bool:
        return self.pid() is not None

    def start(self) -> bool:
        """Start the cluster when it is not running. Returns True if it was started now."""
        self.init()
        changed = self._write_managed_conf()
        if self.running():
            if not changed:
                return False
            # e.g. pgaudit newly installed: preloaded libraries change only on a restart.
            self._pg_ctl("-m", "fast", "-w", "stop")
        self._prepare_dirs()
        res = self._pg_ctl("-l", str(self.log_file), "-w", "-t", "60", "start", check=False)
        if res.returncode != 0:
            tail = ""
            if self.log_file.exists():
                tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
            raise EmbeddedError(f"could not start the embedded cluster:\n{res.stdout}{res.stderr}\n{tail}")
        self._ensure_database()
        return True

    def stop(self) -> bool:
        if not self.running():
            return False
        self._pg_ctl("-m", "fast", "-w", "stop")
        return True

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (self.dbname,)).fetchone()
            if not exists:
                conn.execute(f'create database "{self.dbname}"')
        if not self.with_cron:
            return
        # pg_cron lives in cron.database_name; create it there, as a hosted platform has it.
        from .cron import CREATE_PG_CRON

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(CREATE_PG_CRON)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)


def default_cluster() -> Cluster:
    """The embedded cluster of this project folder."""
    user = _run_as()
    override = os.environ.get("DGSKILLS_PGSTATE")
    if override:
        state = Path(override)
    else:
        state = PROJECT_DIR / ".pgdata"
        reachable = False
        try:
            state.mkdir(exist_ok=True)
            if user is not None:
                pw = pwd.getpwnam(user)
                os.chown(state, pw.pw_uid, pw.pw_gid)
            reachable = _user_can_write(user, state)
        except OSError:
            reachable = False
        # unix socket paths are limited to 107 bytes
        if not reachable or len(str(state / "run" / ".s.PGSQL.55555")) > 100:
            tag = hashlib.sha256(str(PROJECT_DIR).encode()).hexdigest()[:10]
            state = Path("/var/tmp") / f"dgskills-db-{tag}"
    return Cluster(state_dir=state, preferred_port=_port_for(PROJECT_DIR), os_user=user)


def wait_ready(url: str, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
