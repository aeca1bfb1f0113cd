"""Processes a fault test starts, breaks and ends itself: its own ``redis-server`` on a
free port (never the shared one) and app servers whose log it reads."""

import atexit
import os
import shutil
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

from config import websocket_protocol
from tests.servers import Server, _free_port, _server_env, stop_server


@dataclass
class OwnRedis:
    """A ``redis-server`` of the test's own; stopping it keeps what it held (saved to
    its own directory), as a Redis restarted with persistence would."""

    port: int = field(default_factory=_free_port)
    directory: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="sv-redis-"))
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        # Its files go when the test run ends, whoever forgot to remove them.
        atexit.register(shutil.rmtree, self.directory, True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", self.directory,
                "--save", "",
                "--appendonly", "no",
                "--logfile", os.path.join(self.directory, "redis.log"),
            ],
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start within 10 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.client().save()  # what it holds comes back when it starts again
        except redis.exceptions.RedisError:
            pass
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@dataclass
class LoggedServer(Server):
    log: Path = Path()

    def log_lines(self, text: str) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if text in line]


def _command(kind: str, port: int) -> list[str]:
    if kind == "granian":  # the page server of platform/Procfile, one worker
        return [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "config.wsgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "1", "--no-ws", "--log-level", "warning",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", *websocket_protocol.SERVER_OPTIONS,
    ]  # fmt: skip


def start_app(
    extra_env: dict[str, str], log: Path, kind: str = "uvicorn"
) -> LoggedServer:
    """A worker serving the test database (uvicorn and config.asgi as
    ``tests.servers.start_server``, or granian and config.wsgi), with extra settings
    and its output in ``log``."""
    port = _free_port()
    # STATIC_MANIFEST=0: pages need not wait for collectstatic to know every file.
    env = {**_server_env(), "LOG_LEVEL": "INFO", "STATIC_MANIFEST": "0", **extra_env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            _command(kind, port),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = LoggedServer(
        url=f"http://127.0.0.1:{port}", port=port, process=process, log=log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("server did not start within 30 s")
