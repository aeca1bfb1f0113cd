"""The shipped nginx configuration, run by Debian's nginx in front of a real page worker
and socket worker (started from platform/Procfile), in both set-ups: nginx terminating
TLS with a certificate the test makes, and nginx behind a TLS-terminating load balancer
(played by requests from 127.0.0.2, the only address the configuration trusts)."""

import re
import ssl
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tests.deployment import nginx, processes
from tests.live.helpers import receive_until, run
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
    pytest.mark.skipif(not nginx.available(), reason="needs Debian's nginx"),
]

LOAD_BALANCER = "127.0.0.2"
SIX_MB = b"x" * (6 * 1024 * 1024)


@pytest.fixture
def workers(django_db_setup) -> Iterator[tuple[processes.Process, processes.Process]]:
    env = processes.app_env()
    web = processes.start("web", {**env, "CONN_MAX_AGE": "60"})
    try:
        live = processes.start("live", env)
    except RuntimeError:
        web.stop()
        raise
    yield web, live
    web.stop()
    live.stop()


def _tls_context(server: nginx.Nginx) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.prefix / "cert.pem"))


async def _hello(url: str, origin: str, session: str, **connect) -> dict:
    async with websockets.connect(
        url,
        additional_headers={"Cookie": f"sessionid={session}", "Origin": origin},
        open_timeout=10,
        **connect,
    ) as socket:
        frames = await receive_until(socket, lambda f: f["type"] == "hello")
        return frames[-1]


def test_nginx_terminating_tls(workers, make_staff, make_campaign):
    web, live = workers
    campaign = make_campaign("open")
    session = session_cookie_for(make_staff())
    server = nginx.start("tls", web.port, live.port)
    base = f"https://localhost:{server.https_port}"
    cookies = {"Cookie": f"sessionid={session}"}
    try:
        with httpx.Client(verify=_tls_context(server), timeout=20) as client:
            plain = client.get(
                f"http://localhost:{server.http_port}/campaigns/?page=2",
                headers=cookies,
            )
            probe = client.get(f"http://localhost:{server.http_port}/readyz")
            page = client.get(f"{base}/", headers=cookies)
            stylesheet = re.search(r'<link[^>]+href="(/static/[^"]+\.css)"', page.text)
            static = client.get(base + stylesheet[1])
            too_large = client.post(
                f"{base}/campaigns/{campaign.slug}/ideas/new/",
                content=SIX_MB,
                headers={**cookies, "Content-Type": "text/plain"},
            )
        hello = run_hello(
            f"wss://localhost:{server.https_port}/ws/campaigns/{campaign.pk}/",
            base,
            session,
            ssl=_tls_context(server),
        )
    finally:
        server.stop()

    print(
        f"\nTLS: http -> {plain.status_code} {plain.headers.get('location')}; "
        f"http /readyz -> {probe.status_code}; https / -> {page.status_code} "
        f"({page.headers.get('content-encoding')}); "
        f"{stylesheet[1]} -> {static.status_code} "
        f"Cache-Control: {static.headers.get('cache-control')}; "
        f"6 MB POST -> {too_large.status_code}; websocket -> {hello['type']}"
    )
    assert plain.status_code == 301
    assert plain.headers["location"] == f"{base}/campaigns/?page=2"
    assert probe.status_code == 200  # probes are never redirected
    assert page.status_code == 200
    assert "Sign out" in page.text or "sign out" in page.text.lower()
    assert page.headers["strict-transport-security"].startswith("max-age=31536000")
    assert page.headers.get("content-encoding") == "gzip"
    assert static.status_code == 200
    assert "immutable" in static.headers["cache-control"]
    max_age = int(re.search(r"max-age=(\d+)", static.headers["cache-control"])[1])
    assert max_age >= 365 * 24 * 3600
    assert too_large.status_code == 413
    assert too_large.headers["content-type"].startswith("text/html")
    assert "What you sent is too large" in too_large.text
    assert "up to 5 MB" in too_large.text
    assert 'lang="cy"' in too_large.text
    assert hello["type"] == "hello"


def run_hello(url: str, origin: str, session: str, **connect) -> dict:
    result = {}

    async def scenario():
        result.update(await _hello(url, origin, session, **connect))

    run(scenario())
    return result


def _from(address: str) -> httpx.Client:
    return httpx.Client(
        transport=httpx.HTTPTransport(local_address=address), timeout=20
    )


def test_nginx_behind_a_load_balancer(workers, make_staff, make_campaign):
    web, live = workers
    campaign = make_campaign("open")
    session = session_cookie_for(make_staff())
    server = nginx.start(
        "behind-load-balancer", web.port, live.port, LB_ADDRESSES=f"{LOAD_BALANCER}/32"
    )
    base = f"http://localhost:{server.http_port}"
    said_https = {
        "Host": "localhost",  # the public name, as a load balancer passes it on
        "Cookie": f"sessionid={session}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    try:
        with _from(LOAD_BALANCER) as balancer, _from("127.0.0.1") as stranger:
            page = balancer.get(f"{base}/", headers=said_https)
            followed = balancer.get(
                f"{base}/", headers=said_https, follow_redirects=True
            )
            over_http = balancer.get(
                f"{base}/", headers={**said_https, "X-Forwarded-Proto": "http"}
            )
            forged = stranger.get(f"{base}/", headers=said_https)
            probe = stranger.get(f"{base}/healthz")
            too_large = balancer.post(
                f"{base}/campaigns/{campaign.slug}/ideas/new/",
                content=SIX_MB,
                headers={**said_https, "Content-Type": "text/plain"},
            )
        hello = run_hello(
            f"ws://localhost:{server.http_port}/ws/campaigns/{campaign.pk}/",
            "https://localhost",
            session,
            local_addr=(LOAD_BALANCER, 0),
        )
        log = server.access_log()
    finally:
        server.stop()

    print(
        f"\nBehind a load balancer: https via LB -> {page.status_code} "
        f"(redirects followed: {len(followed.history)}); http via LB -> "
        f"{over_http.status_code} {over_http.headers.get('location')}; forged "
        f"X-Forwarded-Proto from elsewhere -> {forged.status_code}; "
        f"6 MB POST -> {too_large.status_code}; websocket -> {hello['type']}"
    )
    # What the load balancer took over https reaches the application as https: no loop.
    assert page.status_code == 200
    assert followed.history == []
    # Plain HTTP at the load balancer is sent to https once, by the application.
    assert over_http.status_code == 301
    assert over_http.headers["location"] == "https://localhost/"
    # The same headers from anywhere else are not believed.
    assert forged.status_code == 301
    assert probe.status_code == 200
    assert too_large.status_code == 413
    assert "What you sent is too large" in too_large.text
    assert hello["type"] == "hello"
    # The client's address comes from X-Forwarded-For only when the balancer sent it.
    lines = [line for line in log.splitlines() if '"GET /" ' in line]
    assert any(line.startswith("203.0.113.9 ") for line in lines)
    assert any(line.startswith("127.0.0.1 ") for line in lines)
