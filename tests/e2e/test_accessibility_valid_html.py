"""The main pages are valid HTML (tests/e2e/html_check.py: what the Nu HTML checker
refuses), as each kind of person sees them; and the check can fail."""

import pytest
from django.test import Client
from django.urls import reverse

from conversations.models import Idea
from tests.e2e.html_check import problems
from tests.e2e.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, make_staff, make_campaign, make_team):
    settings.REVEAL_ENABLED = True
    settings.IDEAS_PER_PAGE = 3
    return build_world(make_staff, make_campaign, make_team)


def _pages(world):
    slug = world.campaign.slug
    hidden = Idea.objects.get(visibility="hidden")
    return {
        None: [
            "/",
            reverse("account_login"),
            reverse("account_signup"),
            reverse("statements:accessibility"),
            reverse("statements:privacy"),
            reverse("statements:cookies"),
            reverse("conversations:ground_rules"),
        ],
        world.staff: [
            "/",
            world.campaign.get_absolute_url(),
            world.campaign.get_absolute_url() + "?page=2",
            world.idea.get_absolute_url(),
            world.closed.get_absolute_url(),
            f"/campaigns/{slug}/ideas/new/",
            "/me/posts/",
            "/me/profile/",
            "/notifications/",
            reverse("statements:privacy"),
        ],
        world.moderator: [
            "/moderation/",
            "/moderation/history/",
            hidden.get_absolute_url(),
            f"/campaigns/{slug}/comment/{world.comment.pk}/moderate/hide/",
        ],
        world.manager: [
            f"/campaigns/{slug}/edit/",
            f"/campaigns/{slug}/analytics/",
            "/campaigns/new/",
        ],
        world.second_holder: [f"/reveal/{world.reveal_request.pk}/"],
    }


def test_the_main_pages_are_valid_html(world):
    failures = {}
    for person, paths in _pages(world).items():
        client = Client()
        if person is not None:
            client.force_login(person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            found = problems(response.content.decode())
            if found:
                failures[f"{person or 'signed out'} {path}"] = found
    assert not failures, failures


def test_the_check_finds_what_the_nu_checker_would():
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body>'
        '<p id="a">One<div>Two</p></div><p id="a">'
        '<time datetime="2026-12-03T09:15:02.123456+00:00">today</time>'
        '<span role="text">x</span><label for="nowhere">L</label></body></html>'
    )
    found = " | ".join(problems(page))
    assert "unexpected-end-tag" in found
    assert 'id "a" used 2 times' in found
    assert "not a valid date or time" in found
    assert 'role="text"' in found
    assert "no such id" in found


def test_valid_times_pass():
    for value in (
        "2026-12-03",
        "2026-12-03T09:15:02Z",
        "2026-12-03T09:15:02.123+00:00",
        "2026-12-03T09:15",
        "PT2H",
    ):
        page = (
            '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
            f'<time datetime="{value}">t</time></body></html>'
        )
        assert problems(page) == [], value
