"""Redis is an accelerator (issue 16, item 1): with the cache's Redis stopped, people
sign in, read pages, post, comment and vote as before; limits still limit; the outage
is logged once; and when Redis returns, nothing it held from before comes back wrong.

A real uvicorn worker runs against a redis-server of the test's own, which the test
stops (saving what it held, as a Redis with persistence would) and starts again.
"""

import re
import time

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conversations.models import Comment, Idea
from tests.conftest import PASSWORD
from tests.faults.processes import start_app
from tests.servers import stop_server
from voting.models import Vote

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

POSTING_LIMIT = 4
WENT_DOWN = "is not answering"
CAME_BACK = "answering again"


def _browser(server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=15)


def _post(client: httpx.Client, server, path: str, data: dict, **headers):
    if "csrftoken" not in client.cookies:
        client.get(reverse("account_login"))
    token = client.cookies["csrftoken"]
    return client.post(
        path,
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Referer": server.url + "/", "X-CSRFToken": token, **headers},
    )


def _sign_in(server, email: str) -> httpx.Client:
    client = _browser(server)
    response = _post(
        client,
        server,
        reverse("account_login"),
        {"login": email, "password": PASSWORD},
    )
    assert response.status_code == 302, response.text[:500]
    assert "sessionid" in client.cookies
    return client


def _signed_in(client: httpx.Client) -> bool:
    response = client.get(reverse("account_email"))
    return response.status_code == 200


@pytest.fixture
def people(make_staff):
    """Two people whose passwords the server (default hashers) can check."""
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "faultsalt1234567")
    found = []
    for _ in range(3):
        person = make_staff()
        person.password = hashed
        person.save(update_fields=["password"])
        found.append(person)
    return found


def test_signing_in_pages_posts_and_votes_work_while_redis_is_down(
    own_redis, people, make_campaign, tmp_path
):
    campaign = make_campaign("open")
    theme = campaign.themes.first()
    author, voter, leaver = people
    page = reverse("conversations:campaign", args=[campaign.slug])
    server = start_app(
        {
            "REDIS_URL": own_redis.url,
            "REDIS_CACHE_RETRY_SECONDS": "1",
            "POSTING_RATE_LIMIT": str(POSTING_LIMIT),
        },
        tmp_path / "server.log",
    )
    try:
        # Before the outage: sessions and pages go through the cache.
        writer = _sign_in(server, author.email)
        assert writer.get(page).status_code == 200
        leaving = _sign_in(server, leaver.email)
        assert _signed_in(leaving)
        assert own_redis.client(db=1).dbsize() > 0  # the cache is in use

        own_redis.stop()
        started = time.monotonic()

        statuses = []
        # Signing in, and a page, for someone new.
        reader = _sign_in(server, voter.email)
        statuses.append(reader.get(page).status_code)
        # Someone already signed in reads, posts, comments and votes.
        statuses.append(writer.get(page).status_code)
        posted = _post(
            writer,
            server,
            reverse("conversations:idea_create", args=[campaign.slug]),
            {"theme": theme.pk, "title": "Written while Redis was down", "body": "Ok"},
        )
        statuses.append(posted.status_code)
        idea = Idea.objects.get(title="Written while Redis was down")
        statuses.append(writer.get(posted.headers["location"]).status_code)
        commented = _post(
            writer,
            server,
            reverse("conversations:comment_create", args=[campaign.slug, idea.pk]),
            {"body": "And a comment"},
        )
        statuses.append(commented.status_code)
        votes = []
        for client in (reader, writer):
            response = _post(
                client,
                server,
                reverse("conversations:vote", args=[campaign.slug, "idea", idea.pk]),
                {"value": "support"},
                Accept="application/json",
            )
            statuses.append(response.status_code)
            votes.append(response.json())
        # Signing out while Redis is down ends the session, wherever its key went.
        old_key = leaving.cookies["sessionid"]
        signed_out = _post(leaving, server, reverse("account_logout"), {})
        statuses.append(signed_out.status_code)
        down_for = time.monotonic() - started

        assert all(status < 400 for status in statuses), statuses
        assert Comment.objects.filter(
            idea=idea, body__contains="And a comment"
        ).exists()
        rows = Vote.objects.filter(
            target_type=ContentType.objects.get_for_model(Idea), target_id=idea.pk
        )
        assert sorted(rows.values_list("voter_id", flat=True)) == sorted(
            [author.pk, voter.pk]
        )
        assert votes[-1]["support"] == rows.count() == 2, votes

        # The posting limit still limits: two posts made, two more allowed, then no.
        more = [
            _post(
                writer,
                server,
                reverse("conversations:comment_create", args=[campaign.slug, idea.pk]),
                {"body": f"More {n}"},
            ).status_code
            for n in range(POSTING_LIMIT - 2 + 1)
        ]
        assert more == [302] * (POSTING_LIMIT - 2) + [429], more

        # So do sign-in limits (allauth's: 5 failures per address in 5 minutes).
        guesses = [
            _post(
                _browser(server),
                server,
                reverse("account_login"),
                {"login": leaver.email, "password": "not-the-password"},
            ).status_code
            for _ in range(6)
        ]
        assert guesses == [200] * 5 + [429], guesses

        assert len(server.log_lines(WENT_DOWN)) == 1, server.log.read_text()[-3000:]
        assert not server.log_lines("Traceback")

        # Redis returns with what it held before (the leaver's session among it).
        own_redis.start()
        time.sleep(1.2)  # past REDIS_CACHE_RETRY_SECONDS
        assert writer.get(page).status_code == 200
        copy = _browser(server)
        copy.cookies.set("sessionid", old_key)
        assert not _signed_in(copy), "a session signed out while Redis was down"
        assert _signed_in(reader)
        assert len(server.log_lines(CAME_BACK)) == 1, server.log.read_text()[-3000:]
        assert len(server.log_lines(WENT_DOWN)) == 1
        print(
            f"redis down {down_for:.1f} s: {len(statuses) + len(more) + 6} requests, "
            f"statuses {sorted(set(statuses + more + guesses))}"
        )
    finally:
        stop_server(server)


def test_the_outage_line_names_no_password():
    from config.cache import _where

    assert _where(["redis://:s3cret@cache.example:6380/1"]) == "cache.example:6380/1"
    assert not re.search("s3cret", _where(["redis://user:s3cret@h/2"]))
