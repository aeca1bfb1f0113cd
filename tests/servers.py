"""Real server processes for live tests: uvicorn serving config.asgi, as in production.

The servers use the test database (a file on SQLite, the test database on PostgreSQL)
and the same channel layer settings as the test run, so with REDIS_URL set several of
them form one platform. Tests that use them must commit their data
(``django_db(transaction=True)``) and act through HTTP, as people do.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from config import websocket_protocol


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")
    }
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        user = db.get("USER") or "postgres"
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{db['NAME']}"
        )
    env.update(
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_PRODUCTION="0",
        POSTING_RATE_LIMIT="1000",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def start_server(port: int | None = None) -> Server:
    port = port or _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *websocket_protocol.SERVER_OPTIONS,
        ],
        cwd=settings.BASE_DIR,
        env=_server_env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Server(
                    url=f"http://127.0.0.1:{port}", port=port, process=process
                )
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start within 30 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


# Function-scoped: a transactional test ends by flushing every table, content types
# included, and a server kept across tests would hold their old ids in its caches.
@pytest.fixture
def asgi_server(django_db_setup, django_db_blocker) -> Iterator[Server]:
    """A uvicorn worker process serving the test database."""
    with django_db_blocker.unblock():
        server = start_server()
    yield server
    stop_server(server)


@pytest.fixture
def second_asgi_server(django_db_setup, django_db_blocker) -> Iterator[Server]:
    """Another worker process of the same platform (meaningful with REDIS_URL)."""
    with django_db_blocker.unblock():
        server = start_server()
    yield server
    stop_server(server)


def session_cookie_for(user) -> str:
    """A signed-in session for ``user``, as the login view would create it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key
