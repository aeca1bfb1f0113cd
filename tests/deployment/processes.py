"""The platform's processes as platform/Procfile defines them, started by a test on
free ports against the test database, plus a ``redis-server`` of the test's own.

Each process runs in a session of its own, so stopping it ends its children too (granian
forks its workers); a test stops only what it started.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

REPO = Path(settings.BASE_DIR)
PROCFILE = REPO / "platform" / "Procfile"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile() -> dict[str, str]:
    """Process name -> command, as a Procfile platform reads them."""
    commands = {}
    for line in PROCFILE.read_text().splitlines():
        match = re.match(r"^([a-z_]+):\s*(.+)$", line)
        if match:
            commands[match[1]] = match[2]
    return commands


def database_env() -> dict[str, str]:
    """DATABASE_URL or SQLITE_PATH naming the database this test run uses."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": str(db["NAME"])}
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return {
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    }


def app_env(**overrides: str) -> dict[str, str]:
    """A production-like environment on the test database: HTTPS settings on (as with
    any DATABASE_URL), the test run's Redis if it has one, the virtualenv's servers
    on PATH."""
    keep = ("HOME", "LANG", "REDIS_URL", "REDIS_PREFIX", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(database_env())
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        # The test run's: sessions it makes for people must be valid in the workers.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        SECURE_PRODUCTION="1",
        TRUSTED_PROXY_COUNT="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class Process:
    name: str
    port: int
    popen: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    captured: str = ""

    def output(self) -> str:
        if self.log.exists():
            return self.log.read_text(errors="replace")[-4000:]
        return self.captured

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        # What it wrote stays readable (output()); the file goes.
        self.captured = self.output()
        self.log.unlink(missing_ok=True)


def wait_for_port(port: int, popen: subprocess.Popen, log: Path, seconds=30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"exited {popen.returncode}: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {seconds} s")


def start(
    name: str, env: dict[str, str], port: int | None = None, listens: bool = True
) -> Process:
    """Start the Procfile's ``name`` command, as written, with its port variable set
    (``web``: PORT, ``live``: LIVE_PORT) and one page process; wait until it listens
    (``listens``) or only start it (the task worker and scheduler listen nowhere)."""
    port = port or free_port()
    env = {**env, "PORT": str(port), "LIVE_PORT": str(port), "WEB_CONCURRENCY": "1"}
    log = Path(tempfile.mkstemp(prefix=f"sv-{name}-", suffix=".log")[1])
    with log.open("wb") as out:
        popen = subprocess.Popen(
            ["sh", "-c", procfile()[name]],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process = Process(name=name, port=port, popen=popen, log=log)
    try:
        if listens:
            wait_for_port(port, popen, log)
    except RuntimeError:
        process.stop()
        raise
    return process


@dataclass
class OwnRedis:
    """A ``redis-server`` of the test's own on a free port (never the shared one)."""

    port: int = field(default_factory=free_port)
    directory: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="sv-redis-"))
    popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", self.directory, "--save", "", "--appendonly", "no"]
        self.popen = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 10 s")

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
