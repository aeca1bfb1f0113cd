"""How fast is the campaign page, served the production way, next to a hello-world Django?

    .venv/bin/python bench/campaign_page.py            # 10,000 ideas, 100,000 votes
    .venv/bin/python bench/campaign_page.py --quick    # 2,000 ideas, 20,000 votes, short runs
    DATABASE_URL=postgres://... .venv/bin/python bench/campaign_page.py

Seeds a database with ``seed_demo --ideas N --votes M`` (a temporary SQLite file, or the
PostgreSQL database in DATABASE_URL, topped up in place), signs a seeded member of staff
in by creating a session, then serves and loads, one server at a time:

- bench/hello_wsgi.py under gunicorn: the baseline every ratio is taken against;
- the campaign page (50 ideas a page, DEBUG off) under gunicorn (config.wsgi);
- the same page sorted by most supported, under gunicorn;
- the idea page of an idea with 50 comments (posted through the service by 50 people);
- the campaign page under one granian ASGI process (an alternative for `make run`);
- the campaign page under uvicorn (config.asgi, `make run`'s server), and the hello world under uvicorn,
  to show what ASGI costs or saves.

Every server gets the same number of worker processes (--workers, default: the number of
CPUs). The load comes from this process: C concurrent clients (default 32) on one asyncio
loop, a new connection per request (gunicorn's sync workers close every connection), for a
fixed time after a warm-up. The client shares the machine's CPUs with the server, which is
why only ratios measured in the same run mean anything. Goals: the campaign page at least
1/4 of hello-world requests per second with p99 under 100 ms, the idea page 1/4, and
both at least 1/5 while votes land (--votes-per-second, 20 by default, cast over HTTP by
60 people as a browser posts the vote form).
"""

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VIEWER = "alex.morgan@nhs.net"
CSRF_SECRET = "benchmarkcsrfsecret0123456789abc"  # 32 characters, as Django's
COMMENTS = 50  # on the idea whose page is measured
HELLO, HELLO_ASGI = "hello_wsgi:application", "hello_wsgi:asgi_application"
DJANGO, ASGI = "config.wsgi:application", "config.asgi:application"
# The production page server (platform/): granian, WSGI. The goal is measured on it.
PAGES = "granian"


@dataclass
class Result:
    label: str
    server: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return (
            ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
            * 1000
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(args) -> tuple[dict[str, str], str | None]:
    """The settings every process of this run shares; returns (env, temp dir to remove)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        IDEAS_PER_PAGE="50",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        env["STATIC_MANIFEST"] = "0"  # collectstatic has not run: plain static storage
    tmp = None
    if env.get("DATABASE_URL"):
        # As platform/compose.yaml runs the page servers: one connection per process,
        # kept open.
        env.setdefault("CONN_MAX_AGE", "60")
    else:
        tmp = tempfile.mkdtemp(prefix="staffvoice-bench-")
        env["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    return env, tmp


def _prepare(env: dict[str, str], ideas: int, votes: int) -> str:
    """Migrate, seed, and return a session key for a signed-in member of staff."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT
    )
    started = time.perf_counter()
    seeded = subprocess.run(
        [*manage, "seed_demo", "--ideas", str(ideas), "--votes", str(votes)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(
        f"  seeded in {time.perf_counter() - started:.1f} s: {seeded.stdout.splitlines()[0]}"
    )
    discussed = subprocess.run(
        [*manage, "shell", "-v0", "-c", _COMMENTS_SCRIPT % {"comments": COMMENTS}],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    idea_path = discussed.stdout.strip().splitlines()[-1]
    session = subprocess.run(
        [*manage, "shell", "-v0", "-c", _SESSION_SCRIPT % {"email": VIEWER}],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    voters = subprocess.run(
        [*manage, "shell", "-v0", "-c", _VOTERS_SCRIPT % {"voters": VOTERS}],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    keys, ids = voters.stdout.strip().splitlines()[-1].split(";")
    writes = Writes(keys.split(","), [int(pk) for pk in ids.split(",")])
    return session.stdout.strip().splitlines()[-1], idea_path, writes


# The idea page's row: the newest benchmark idea, with COMMENTS comments from as many
# people (through the posting service, as staff post them); prints the idea's address.
_COMMENTS_SCRIPT = """
from accounts.models import StaffMember
from conversations import services
from conversations.models import Idea
idea = Idea.objects.filter(campaign__slug="benchmark", visibility="visible",
                           merged_into=None).latest("created_at")
people = StaffMember.objects.filter(is_active=True).order_by("pk")
for n, person in enumerate(people[: max(0, %(comments)d - idea.comment_count)]):
    services.post_comment(person, idea, body=f"Comment {n}: this would help on our ward.")
print(idea.get_absolute_url())
"""


# The voters of the "while votes land" rows: sessions for VOTERS people, and the
# benchmark ideas' ids, printed as "session,session,...;id,id,...".
_VOTERS_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import StaffMember
from conversations.models import Idea
keys = []
for user in StaffMember.objects.filter(is_active=True).order_by("-pk")[:%(voters)d]:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
ideas = Idea.objects.filter(campaign__slug="benchmark", visibility="visible",
                            merged_into=None).order_by("-created_at")
ids = list(ideas.values_list("pk", flat=True)[:200])
print(",".join(keys) + ";" + ",".join(map(str, ids)))
"""
VOTERS = 60


# Signs the viewer in the way django.contrib.auth.login does, without a request.
_SESSION_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import StaffMember
user = StaffMember.objects.get(email="%(email)s")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


class Server:
    """One server process group that this script started, and stops."""

    def __init__(
        self,
        kind: str,
        app: str,
        workers: int,
        env: dict[str, str],
        cwd: Path,
        log: Path,
    ):
        self.port = _free_port()
        self.kind, self.app = kind, app
        self.log = log
        if kind == "gunicorn":
            flags = (
                f"--workers {workers} --bind 127.0.0.1:{self.port} --log-level warning"
            )
        elif kind == "granian":
            # One blocking thread per process: Django's sync views, one at a time, as
            # under gunicorn's sync workers.
            flags = (
                f"--interface wsgi --workers {workers} --blocking-threads 1 "
                f"--host 127.0.0.1 --port {self.port} --no-ws --log-level warning"
            )
        elif kind == "granian-asgi":
            # One granian ASGI process, pages and sockets together: the alternative to
            # uvicorn measured for `make run` (no better on 3 December; make run keeps
            # uvicorn, the "uvicorn" rows).
            flags = (
                f"--interface asginl --workers 1 --host 127.0.0.1 --port {self.port} "
                "--log-level warning"
            )
        else:
            flags = (
                f"--workers {workers} --host 127.0.0.1 --port {self.port} --no-access-log "
                "--log-level warning --lifespan off"
            )
        module = "granian" if kind == "granian-asgi" else kind
        command = [sys.executable, "-m", module, app, *flags.split()]
        with open(
            log, "ab"
        ) as output:  # the server's errors go to a file, not the table
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                start_new_session=True,
                stdout=output,
                stderr=output,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start listening")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def errors_logged(self) -> str:
        """A one-line summary of the server errors logged while it ran, if any."""
        lines = (
            self.log.read_text(errors="replace").splitlines()
            if self.log.exists()
            else []
        )
        failures = [line for line in lines if line.startswith("Internal Server Error")]
        causes = [
            line for line in lines if re.match(r"^[\w.]+(Error|Exception): ", line)
        ]
        if not failures:
            return ""
        return f"{len(failures)} server errors, e.g. {causes[-1] if causes else failures[-1]}"


def _request(path: str, port: int, cookies: dict[str, str] | None) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "User-Agent: staffvoice-bench",
        "Accept: text/html",
        # What the reverse proxy says in production, so SECURE_SSL_REDIRECT (on with
        # DATABASE_URL) serves the page instead of redirecting to https.
        "X-Forwarded-Proto: https",
        "Connection: close",
    ]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _browser(session_key: str) -> dict[str, str]:
    """The cookies of a signed-in browser: its session, and the CSRF cookie its first
    page set (without it, every page would make a new secret and set it again); the
    cookies its pages set are added as it is served (:func:`_set_cookies`)."""
    return {"sessionid": session_key, "csrftoken": CSRF_SECRET}


def _set_cookies(response: bytes) -> dict[str, str]:
    """The cookies a response sets (not those it deletes), as a browser keeps them."""
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    cookies = {}
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() != "set-cookie" or "max-age=0" in value.lower():
            continue
        cookie, _, _attributes = value.strip().partition(";")
        cookie_name, _, cookie_value = cookie.partition("=")
        cookies[cookie_name.strip()] = cookie_value.strip()
    return cookies


async def _fetch(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await reader.read()  # the server closes: Connection: close
    finally:
        writer.close()


def _status(response: bytes) -> int:
    try:
        return int(response[9:12])
    except ValueError:
        return 0


@dataclass
class Writes:
    """Votes cast over HTTP while a row loads pages, as browsers send them (a form
    post with the CSRF token), by VOTERS people in turn on the newest ideas."""

    sessions: list[str]
    ideas: list[int]
    per_second: float = 0
    # As the browser sees the site: https where the proxy says so (settings trust
    # X-Forwarded-Proto with DATABASE_URL), else http; the CSRF check compares Origin.
    scheme: str = "http"
    sent: int = 0
    failed: int = 0

    def request(self, port: int, n: int) -> bytes:
        value = ("support", "dont_support", "clear")[n % 3]
        body = f"csrfmiddlewaretoken={CSRF_SECRET}&value={value}".encode()
        idea = self.ideas[(n * 7) % len(self.ideas)]
        session = self.sessions[n % len(self.sessions)]
        head = "\r\n".join(
            [
                f"POST /campaigns/benchmark/idea/{idea}/vote/ HTTP/1.1",
                f"Host: 127.0.0.1:{port}",
                "Accept: application/json",
                "X-Forwarded-Proto: https",
                f"Origin: {self.scheme}://127.0.0.1:{port}",
                f"Referer: {self.scheme}://127.0.0.1:{port}/campaigns/benchmark/",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Cookie: sessionid={session}; csrftoken={CSRF_SECRET}",
                "Connection: close",
            ]
        )
        return (head + "\r\n\r\n").encode() + body


async def _cast_votes(port: int, writes: Writes, until: float) -> None:
    """``writes.per_second`` votes a second until ``until``, each its own task."""
    pending, n = set(), 0
    started = time.perf_counter()

    async def one(request: bytes) -> None:
        try:
            ok = _status(await _fetch(port, request)) == 200
        except OSError:
            ok = False
        writes.sent += 1
        writes.failed += not ok

    while (now := time.perf_counter()) < until:
        due = started + n / writes.per_second
        if due > now:
            await asyncio.sleep(due - now)
            continue
        task = asyncio.create_task(one(writes.request(port, n)))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
    await asyncio.gather(*pending)


async def _load(
    port: int,
    request: bytes,
    clients: int,
    warmup: float,
    seconds: float,
    writes: Writes | None = None,
):
    # perf_counter, not loop.time(): uvloop's clock ticks in whole milliseconds.
    clock = time.perf_counter
    measure_from = clock() + warmup
    until = measure_from + seconds
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        while (started := clock()) < until:
            try:
                ok = _status(await _fetch(port, request)) == 200
            except OSError:
                ok = False
            finished = clock()
            # Count what completes inside the window, whenever it started: with queueing,
            # counting only requests that start and end inside it undercounts.
            if measure_from <= finished <= until:
                if ok:
                    latencies.append(finished - started)
                else:
                    errors += 1

    voting = [_cast_votes(port, writes, until)] if writes and writes.per_second else []
    await asyncio.gather(*(client() for _ in range(clients)), *voting)
    return latencies, errors


def _measure(label, server_kind, port, path, cookies, args, writes=None) -> Result:
    request = _request(path, port, cookies)
    latencies, errors = asyncio.run(
        _load(port, request, args.clients, args.warmup, args.seconds, writes)
    )
    if writes is not None and writes.per_second:
        label += f" + {writes.per_second:g} votes/s"
        if writes.failed:
            print(f"    {writes.failed} of {writes.sent} votes failed")
        writes.sent = writes.failed = 0
    result = Result(label, server_kind, len(latencies), errors, args.seconds, latencies)
    print(
        f"  {label:<34} {server_kind:<9} {result.rps:8.0f} req/s   p50 {result.percentile(50):6.1f}"
        f"  p95 {result.percentile(95):6.1f}  p99 {result.percentile(99):6.1f} ms"
        f"   errors {errors}",
        flush=True,
    )
    return result


def _check_page(port: int, path: str, cookies: dict[str, str]) -> int:
    """The page must be the signed-in campaign page with a full page of ideas; the
    browser keeps the cookies it sets."""
    response = asyncio.run(_fetch(port, _request(path, port, cookies)))
    status = _status(response)
    if status != 200:
        head = response.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
        raise RuntimeError(f"{path} answered {status}, not 200:\n{head}")
    cookies.update(_set_cookies(response))
    return len(set(re.findall(rb"/campaigns/benchmark/ideas/(\d+)/", response)))


def _ratio(value: float) -> str:
    if value >= 1:
        return f"{value:.2f}x"
    return f"{value:.3f} (1/{1 / value:.0f})" if value else "0"


def _serve(kind: str, app: str, cwd: Path, env: dict[str, str], args) -> Server:
    log = Path(args.logs) / f"{kind}-{app.split(':')[0]}.log"
    server = Server(kind, app, args.workers, env, cwd, log)
    server.wait_ready()
    return server


def _stop(server: Server) -> None:
    server.stop()
    if summary := server.errors_logged():
        print(f"    {summary} (log: {server.log})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller campaign, shorter runs"
    )
    parser.add_argument(
        "--ideas", type=int, help="ideas in the campaign (default 10,000)"
    )
    parser.add_argument("--votes", type=int, help="votes on them (default 100,000)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument(
        "--votes-per-second",
        type=float,
        default=20,
        help="votes cast over HTTP during the 'while votes land' rows",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--seconds", type=float, help="measured time per row (default 10)"
    )
    parser.add_argument(
        "--warmup", type=float, help="unmeasured time first (default 2)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary SQLite file"
    )
    args = parser.parse_args()
    args.ideas = args.ideas or (2_000 if args.quick else 10_000)
    args.votes = args.votes or (20_000 if args.quick else 100_000)
    args.seconds = args.seconds or (4 if args.quick else 10)
    args.warmup = args.warmup or (1 if args.quick else 2)

    try:
        import uvloop

        uvloop.install()  # a cheaper client leaves more CPU to the servers
    except ImportError:
        pass

    env, tmp = _environment(args)
    args.logs = tempfile.mkdtemp(prefix="staffvoice-bench-logs-")
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    print(
        f"Campaign page benchmark: {args.ideas:,} ideas, {args.votes:,} votes, {database}, "
        f"{args.workers} workers, {args.clients} clients, {args.seconds:g} s a row "
        f"after {args.warmup:g} s warm-up, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    session_key, idea_page, writes = _prepare(env, args.ideas, args.votes)
    writes.per_second = args.votes_per_second
    writes.scheme = "https" if env.get("DATABASE_URL") else "http"
    browser = _browser(session_key)
    page = "/campaigns/benchmark/"
    results: dict[str, Result] = {}
    servers: list[Server] = []
    # (key, label, server, app, path, signed in[, votes landing]); one server runs
    # for its rows.
    rows = [
        ("hello", "hello world", "gunicorn", HELLO, "/", False),
        ("page", "campaign page (newest)", PAGES, DJANGO, page, True),
        (
            "supported",
            "campaign page (most supported)",
            PAGES,
            DJANGO,
            page + "?sort=supported",
            True,
        ),
        ("idea", f"idea page ({COMMENTS} comments)", PAGES, DJANGO, idea_page, True),
        ("page_votes", "campaign page (newest)", PAGES, DJANGO, page, True, True),
        ("idea_votes", "idea page", PAGES, DJANGO, idea_page, True, True),
        # The floor for any signed-in page: middleware, session, user, base template.
        (
            "floor",
            "ground rules page (signed in)",
            PAGES,
            DJANGO,
            "/ground-rules/",
            True,
        ),
        ("page_gunicorn", "campaign page (newest)", "gunicorn", DJANGO, page, True),
        ("hello_granian", "hello world", "granian", HELLO, "/", False),
        ("page_asgi", "campaign page (newest)", "uvicorn", ASGI, page, True),
        ("hello_asgi", "hello world", "uvicorn", HELLO_ASGI, "/", False),
        (
            "page_granian_asgi",
            "campaign page (newest)",
            "granian-asgi",
            ASGI,
            page,
            True,
        ),
    ]
    try:
        server = None
        for key, label, kind, app, path, signed_in, *votes in rows:
            if server is None or (server.kind, server.app) != (kind, app):
                if server is not None:
                    _stop(server)
                cwd = BENCH if app in (HELLO, HELLO_ASGI) else ROOT
                server = _serve(kind, app, cwd, env, args)
                servers.append(server)
            if key == "page":
                print(
                    f"  (the page shows {_check_page(server.port, page, browser)} ideas)"
                )
            results[key] = _measure(
                label,
                kind,
                server.port,
                path,
                browser if signed_in else None,
                args,
                writes if votes else None,
            )
        _stop(server)
    finally:
        for server in servers:
            server.stop()  # already stopped unless something failed
        if not any(server.errors_logged() for server in servers):
            shutil.rmtree(args.logs, ignore_errors=True)
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp:
            print(f"  kept {env['SQLITE_PATH']}")

    print(
        f"  (load average now {os.getloadavg()[0]:.1f}: other work on the machine skews rows)"
    )
    hello = results["hello"].rps
    print("\nAgainst hello world under gunicorn (same run, same workers, same client):")
    for key in [key for key, *_ in rows if key != "hello"]:
        r = results[key]
        print(
            f"  {r.label + ' / ' + r.server:<44} {_ratio(r.rps / hello)} of hello-world req/s"
        )
    print(
        f"  campaign page (newest) / ground rules page      "
        f"{_ratio(results['page'].rps / results['floor'].rps)} of its req/s"
    )
    print("\nGoals (issue 14):")
    for key, goal, p99_goal in (
        ("page", 1 / 4, 100),
        ("supported", 1 / 4, 100),
        ("idea", 1 / 4, None),
        ("page_votes", 1 / 5, None),
        ("idea_votes", 1 / 5, None),
    ):
        r = results[key]
        ratio = r.rps / hello
        line = f"  {r.label} ({r.server}) >= 1/{1 / goal:.0f}: {_ratio(ratio)} " + (
            "met" if ratio >= goal else "NOT met"
        )
        if p99_goal:
            p99 = r.percentile(99)
            line += f"; p99 < {p99_goal} ms: {p99:.1f} ms " + (
                "met" if p99 < p99_goal else "NOT met"
            )
        print(line)
    p99 = results["page_asgi"].percentile(99)
    print(
        f"  campaign page under `make run` ({args.clients} clients): p99 < 500 ms: "
        f"{p99:.0f} ms " + ("met" if p99 < 500 else "NOT met")
    )


if __name__ == "__main__":
    main()
