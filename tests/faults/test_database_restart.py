"""PostgreSQL restarting is invisible to people (issue 16, item 2).

A real uvicorn worker serves the test database. The test ends that server's own
connections with ``pg_terminate_backend`` (only pids on the test database, never its
own), as a restart does, and for the "mid-restart" case also refuses new connections
to the test database for a moment. Nothing answers 500; a request that cannot get a
connection gets the 503 "Please try again" page; viewers' tallies come right by
themselves.
"""

import json
import time

import httpx
import psycopg
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from websockets.sync.client import connect

from conversations import services
from conversations.live import events
from conversations.models import Idea
from tests.faults.processes import start_app
from tests.live.helpers import Person
from tests.servers import session_cookie_for, stop_server
from voting.models import Tally, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(180),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="PostgreSQL restarts: the PostgreSQL run only",
    ),
]


def _maintenance() -> psycopg.Connection:
    """A connection to the server's maintenance database, outside the test database
    whose connections are ended."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _end_server_connections(admin: psycopg.Connection) -> int:
    """End every connection to the test database except this test's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    return admin.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> %s AND pid <> pg_backend_pid()",
        [connection.settings_dict["NAME"], own],
    ).fetchone()[0]


def _allow_connections(admin: psycopg.Connection, allow: bool) -> None:
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {str(allow).lower()}")


def _receive_until(ws, predicate, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if predicate(frame):
            return frame


def _tally(idea) -> int:
    rows = Vote.objects.filter(
        target_type=ContentType.objects.get_for_model(Idea), target_id=idea.pk, value=1
    ).count()
    kept = (
        Tally.objects.filter(
            target_type=ContentType.objects.get_for_model(Idea), target_id=idea.pk
        )
        .values_list("support", flat=True)
        .first()
    )
    assert kept == rows, (kept, rows)
    return rows


@pytest.fixture
def admin():
    with _maintenance() as admin:
        try:
            yield admin
        finally:
            _allow_connections(admin, True)


def test_no_request_fails_after_postgresql_ends_every_connection(
    admin, make_campaign, make_idea, make_staff, tmp_path
):
    campaign = make_campaign("open")
    idea = make_idea(campaign)
    people = [make_staff() for _ in range(4)]
    server = start_app({}, tmp_path / "server.log")
    try:
        clients = [Person(server, session_cookie_for(p)) for p in people]
        page = f"/campaigns/{campaign.slug}/"
        for client in clients:  # connections pooled and in use
            assert client.http.get(page).status_code == 200
        statuses, ended = [], []
        for client in clients[:3]:
            ended.append(_end_server_connections(admin))
            statuses.append(client.http.get(page).status_code)
            statuses.append(client.http.get(idea.get_absolute_url()).status_code)
            statuses.append(
                client.post(
                    f"/campaigns/{campaign.slug}/idea/{idea.pk}/vote/",
                    {"value": "support"},
                    Accept="application/json",
                ).status_code
            )
        assert all(ended), ended  # the server's connections really were ended
        assert statuses == [200] * len(statuses), statuses
        assert _tally(idea) == 3
        assert "Internal Server Error" not in server.log.read_text()
        print(f"connections ended {ended}: {len(statuses)} requests, all 200")
    finally:
        stop_server(server)


@pytest.mark.skipif(
    not getattr(settings, "REDIS_URL", ""),
    reason="the test's vote reaches the server's viewers through Redis",
)
def test_mid_restart_requests_get_please_try_again_and_viewers_get_their_tallies(
    admin, make_campaign, make_idea, make_staff, tmp_path
):
    campaign = make_campaign("open")
    idea = make_idea(campaign)
    viewer, voter = make_staff(), make_staff()
    server = start_app({"DB_POOL_TIMEOUT": "1"}, tmp_path / "server.log")
    try:
        person = Person(server, session_cookie_for(viewer))
        page = f"/campaigns/{campaign.slug}/"
        assert person.http.get(page).status_code == 200
        welsh = httpx.Client(
            base_url=server.url,
            cookies={"sessionid": person.session_key, "django_language": "cy"},
        )

        with connect(
            f"{server.ws_url}/ws/campaigns/{campaign.pk}/",
            additional_headers={
                "Cookie": f"sessionid={person.session_key}",
                "Origin": server.url,
            },
            max_size=2**20,
        ) as ws:
            _receive_until(ws, lambda f: f["type"] == "hello")
            # PostgreSQL going down: connections ended, new ones refused.
            _allow_connections(admin, False)
            _end_server_connections(admin)
            # A vote lands (through this test's own connection): the server owes its
            # viewer the new tally but cannot read it yet.
            services.vote(voter, idea, 1)
            events.wait_for_broadcasts()
            english = person.http.get(page)
            cymraeg = welsh.get(page)
            posted = person.post(
                f"/campaigns/{campaign.slug}/idea/{idea.pk}/vote/", {"value": "support"}
            )
            time.sleep(1.5)  # a tally read or two fails meanwhile
            _allow_connections(admin, True)
            started = time.monotonic()
            _receive_until(
                ws,
                lambda f: (
                    f["type"] == "tallies"
                    and any(
                        i["id"] == idea.pk and i["support"] == 1 for i in f["items"]
                    )
                ),
                timeout=30,
            )
            caught_up = time.monotonic() - started

        assert english.status_code == 503, english.text[:300]
        assert "Please try again" in english.text
        assert english.headers["Retry-After"]
        assert "Traceback" not in english.text
        assert cymraeg.status_code == 503
        assert 'lang="cy"' in cymraeg.text
        assert "Please try again" not in cymraeg.text
        assert posted.status_code == 503, posted.text[:300]
        # Back: pages serve again, by themselves.
        deadline = time.monotonic() + 30
        while person.http.get(page).status_code != 200:
            assert time.monotonic() < deadline, "pages did not come back"
            time.sleep(0.5)
        assert _tally(idea) == 1
        log = server.log.read_text()
        assert log.count("could not be read; retrying") == 1, log[-3000:]
        print(f"viewer's tally right {caught_up:.1f} s after PostgreSQL returned")
    finally:
        stop_server(server)
