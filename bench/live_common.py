"""Shared plumbing for the live-update benchmarks (bench/live_*.py). Not a benchmark.

Servers are real uvicorn processes on 127.0.0.1; clients are asyncio + websockets in
the bench process. Data is created with plain ORM calls (bulk_create) in the bench
process against the same database the servers use.
"""

import asyncio
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config import websocket_protocol  # the bench scripts put the project on sys.path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CSRF_SECRET = (
    "benchCsrfSecret0123456789abcdefX"  # 32 alphanumerics: a valid unmasked token
)


# -- process / OS ----------------------------------------------------------------------
def raise_fd_limit(want: int = 200_000) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, want)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, max(hard, target)))
    except (ValueError, PermissionError):
        target = hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _raise_limit_in_child() -> None:  # preexec_fn for servers
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (200_000, 200_000))
    except (ValueError, PermissionError):
        pass


def other_benchmarks() -> list[str]:
    """Command lines of other bench/ scripts running now (not this one, not our servers)."""
    mine = {os.getpid(), os.getppid()}
    out = subprocess.run(
        ["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True
    ).stdout
    found = []
    for line in out.splitlines()[1:]:
        pid, ppid, args = line.split(None, 2) + [""] * (3 - len(line.split(None, 2)))
        if int(pid) in mine or int(ppid) == os.getpid():
            continue
        if "bench/" not in args and "bench." not in args:
            continue
        if "grep" in args:
            continue
        found.append(line.strip())
    return found


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over ``seconds`` (from /proc/stat)."""

    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet_machine(max_wait: float = 180, busy_limit: float = 0.35) -> None:
    """We have 2 cores: never measure while another benchmark (or anything heavy) runs."""
    deadline = time.monotonic() + max_wait
    while True:
        others = other_benchmarks()
        busy = cpu_busy()
        if not others and busy < busy_limit:
            return
        if time.monotonic() > deadline:
            print(
                f"  WARNING: machine still busy ({busy:.0%} CPU; {others[:1]}); "
                "measuring anyway, figures are suspect",
                flush=True,
            )
            return
        why = others[0][:100] if others else f"CPUs {busy:.0%} busy"
        print(f"  waiting 60 s: {why}", flush=True)
        time.sleep(60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_children(pid: int) -> list[int]:
    """``pid`` and its child processes (a granian or uvicorn parent's workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


class Server:
    def __init__(self, app: str, env: dict, port: int | None = None, label: str = ""):
        self.app, self.port, self.label = app, port or free_port(), label or app
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(
            prefix="live-bench-server-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *websocket_protocol.SERVER_OPTIONS,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=_raise_limit_in_child,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{app} exited: {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{app} did not start: {self.tail()}") from None
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self, n: int = 3000) -> str:
        try:
            return Path(self.log.name).read_text()[-n:]
        except OSError:
            return ""

    def warnings(self) -> list[str]:
        text = Path(self.log.name).read_text(errors="replace")
        return [line for line in text.splitlines() if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        try:
            os.unlink(self.log.name)
        except OSError:
            pass


# -- Django side: data and sessions ----------------------------------------------------
def configure(
    *,
    database_url: str | None,
    sqlite_path: str | None,
    redis: str | None,
    layer: str = "core",
) -> dict:
    """Environment for this process (before django.setup) and for the servers."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "REDIS_LAYER")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_PRODUCTION="0",
        LOG_LEVEL="WARNING",
        DEBUG="0",
        STATIC_MANIFEST="0",
        PYTHONPATH=":".join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = sqlite_path
    if redis:
        env["REDIS_URL"] = redis
        env["REDIS_LAYER"] = layer
        env["REDIS_PREFIX"] = f"livebench{os.getpid()}"
    os.environ.clear()
    os.environ.update(env)
    return env


def create_pg_database(name: str) -> str:
    drop_pg_database(name)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"create database {name}"],
        check=True,
        capture_output=True,
    )
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(name: str) -> None:
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            f"drop database if exists {name} with (force)",
        ],
        check=False,
        capture_output=True,
    )


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_campaign(ideas: int = 4):
    """An open, organisation-wide campaign with ``ideas`` visible ideas (plain ORM)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import StaffMember
    from conversations.models import Campaign, Idea, Theme

    now = timezone.now()
    author, _ = StaffMember.objects.get_or_create(
        email="live.bench.author@nhs.net", defaults={"password": "!"}
    )
    tag = secrets.token_hex(4)
    campaign = Campaign.objects.create(
        title=f"Live bench {tag}",
        slug=f"live-bench-{tag}",
        introduction="<p>bench</p>",
        is_published=True,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        created_by=author,
    )
    theme = Theme.objects.create(campaign=campaign, name="Everything", position=0)
    Idea.objects.bulk_create(
        Idea(
            campaign=campaign,
            theme=theme,
            author=author,
            title=f"Idea {i}",
            body=f"<p>Idea number {i}</p>",
        )
        for i in range(ideas)
    )
    idea_ids = list(
        Idea.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return campaign, idea_ids


def make_people(prefix: str, count: int) -> list[tuple[int, str]]:
    """``count`` plain staff members, each with a signed-in session: [(user id, key)]."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.models import StaffMember

    tag = secrets.token_hex(3)
    StaffMember.objects.bulk_create(
        [
            StaffMember(email=f"{prefix}.{tag}.{n}@nhs.net", password="!")
            for n in range(count)
        ],
        batch_size=1000,
    )
    people = list(
        StaffMember.objects.filter(email__startswith=f"{prefix}.{tag}.").order_by("pk")
    )
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    rows, result = [], []
    for person in people:
        key = secrets.token_hex(16)
        data = store.encode(
            {
                SESSION_KEY: str(person.pk),
                # The backend a real sign-in names (the first: accounts.backends).
                BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: person.get_session_auth_hash(),
            }
        )
        rows.append(Session(session_key=key, session_data=data, expire_date=expire))
        result.append((person.pk, key))
    Session.objects.bulk_create(rows, batch_size=1000)
    return result


def close_db() -> None:
    from django.db import connections

    connections.close_all()


# -- clients -----------------------------------------------------------------------------
def install_uvloop() -> str:
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        return "uvloop"
    except ImportError:
        return "asyncio"


async def connect_ws(url: str, session_key: str | None, origin: str, attempts: int = 3):
    import websockets

    headers = {"Origin": origin}
    if session_key:
        headers["Cookie"] = f"sessionid={session_key}"
    for attempt in range(attempts):
        try:
            return await websockets.connect(
                url,
                additional_headers=headers,
                max_size=2**22,
                max_queue=None,
                open_timeout=60,
                ping_interval=None,
                compression=None,
                close_timeout=2,
            )
        except (TimeoutError, OSError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


# Handshakes in flight per client: below a socket worker's LIVE_HANDSHAKES_IN_PROGRESS
# (32), past which a page is told to come back later (1013) and a bench socket is lost.
HANDSHAKES = 16


async def connect_many(
    urls_keys: list[tuple[str, str | None, str]], concurrency: int = HANDSHAKES
):
    """Open sockets ``concurrency`` at a time; returns (sockets in order, seconds)."""
    sem = asyncio.Semaphore(concurrency)
    out = [None] * len(urls_keys)

    async def one(i, url, key, origin):
        async with sem:
            out[i] = await connect_ws(url, key, origin)

    start = time.perf_counter()
    await asyncio.gather(*(one(i, *t) for i, t in enumerate(urls_keys)))
    return out, time.perf_counter() - start


def abort_all(sockets, tasks=()) -> None:
    """Cancel the readers' ``tasks`` and drop ``sockets`` at once (no close handshake,
    no TIME_WAIT left behind on the bench's ports)."""
    for task in tasks:
        task.cancel()
    for ws in sockets:
        try:
            ws.transport.abort()
        except Exception:  # noqa: BLE001 - already gone
            pass


async def close_many(sockets, concurrency: int = 256) -> None:
    sem = asyncio.Semaphore(concurrency)

    async def one(ws):
        async with sem:
            try:
                await asyncio.wait_for(ws.close(), 3)
            except Exception:  # noqa: BLE001
                pass

    await asyncio.gather(*(one(ws) for ws in sockets if ws is not None))


class RawHTTP:
    """Keep-alive HTTP/1.1 client on one connection: minimal overhead, exact timing."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def _connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            self.writer = None
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readline()
        elif length is not None:
            data = await self.reader.readexactly(length)
        else:
            data = await self.reader.read()
            close = True
        if close:
            self.writer.close()
            self.writer = None
        return status, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


# -- figures ---------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50": pct(ms, 50),
        "p95": pct(ms, 95),
        "p99": pct(ms, 99),
        "max": max(ms) if ms else float("nan"),
        "mean": statistics.fmean(ms) if ms else float("nan"),
    }


def idea_payload(seq: int, bench_n: int, size: int = 2048) -> dict:
    """An idea.posted-like event of about ``size`` bytes once JSON-encoded."""
    card = (
        f'<article class="idea-card" id="idea-{bench_n}" data-idea="{bench_n}"><header>'
        f'<h3 class="idea-card__title"><a href="/campaigns/live-bench/idea/{bench_n}/">'
        "Longer handover slots on the night shift</a></h3>"
        '<p class="idea-card__meta">A colleague &middot; Health and wellbeing '
        "&middot; just now</p></header>"
    )
    filler = (
        "<p>Staff on nights say the current fifteen minutes is not enough to hand "
        "over safely when the ward is full; a thirty minute overlap would help.</p>"
    )
    base = {
        "type": "idea.posted",
        "bench": bench_n,
        "seq": seq,
        "idea_id": 100000 + bench_n,
        "theme_id": 1,
        "sent": 0.0,
        "html": "",
    }
    html = card
    while len(json.dumps(base | {"html": html + filler + "</article>"})) < size:
        html += filler
    html = html + "</article>"
    payload = base | {"html": html}
    over = len(json.dumps(payload)) - size
    if over > 0:
        payload["html"] = html[: len(html) - over - 10] + "</article>"
    return payload


def fmt_row(cols, widths) -> str:
    return "  ".join(
        str(c).rjust(w) if i else str(c).ljust(w)
        for i, (c, w) in enumerate(zip(cols, widths, strict=False))
    )


# -- noise: CPU used by processes that are not part of the measurement ------------------
_OURS_COMM = {"redis-server", "postgres"}


def cpu_snapshot() -> dict[int, tuple[float, str]]:
    """CPU seconds so far of every process, with its command name."""
    snap = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        snap[int(entry)] = ((int(fields[11]) + int(fields[12])) / tick, comm)
    return snap


def foreign_cpu(before: dict, after: dict, seconds: float, ours: set[int]) -> float:
    """CPUs' worth (1.0 = one core) used meanwhile by processes outside the benchmark
    (ours: this process, the given server pids, Redis and PostgreSQL)."""
    ours = ours | {os.getpid()}
    used = 0.0
    for pid, (cpu, comm) in after.items():
        if pid in ours or comm in _OURS_COMM or comm.startswith("postgres"):
            continue
        used += cpu - before.get(pid, (0.0, comm))[0]
    return used / seconds if seconds > 0 else 0.0


def cpu_used(before: dict, after: dict, seconds: float, pids=None, comm=None) -> float:
    """CPUs' worth used meanwhile by the given processes, or by those whose command
    name starts with ``comm`` (``postgres``, ``redis-server``)."""
    used = 0.0
    for pid, (cpu, name) in after.items():
        if (pids is not None and pid in pids) or (comm and name.startswith(comm)):
            used += cpu - before.get(pid, (0.0, name))[0]
    return used / seconds if seconds > 0 else 0.0
