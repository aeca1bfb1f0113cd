"""Two people in two browsers: one person's idea, comment and vote appear in the other's
page without a reload, served by a real ASGI worker process over a real websocket."""

import pytest

from conversations import services
from conversations.models import Idea
from tests.live.helpers import Person
from tests.servers import session_cookie_for, start_server, stop_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


def _open_as(browser, server, user):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie_for(user), "url": server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def _wait_live(page) -> None:
    page.locator('#sv-live[data-state="live"]').wait_for()


def test_ideas_comments_votes_and_moderation_arrive_in_a_colleagues_page(
    browser, asgi_server, make_staff, make_campaign
):
    campaign = make_campaign("open", allow_anonymous=True)
    alex, sam = (
        make_staff(display_name="Alex Morgan"),
        make_staff(display_name="Sam Patel"),
    )
    moderator = Person(asgi_server, session_cookie_for(make_staff(roles=["moderator"])))
    a_context, alex_page, a_errors = _open_as(browser, asgi_server, alex)
    b_context, sam_page, b_errors = _open_as(browser, asgi_server, sam)
    try:
        alex_page.goto(asgi_server.url + campaign.get_absolute_url())
        _wait_live(alex_page)
        alex_page.evaluate("window.notReloaded = true")
        sam_page.goto(asgi_server.url + campaign.get_absolute_url())
        _wait_live(sam_page)
        alex_page.get_by_text("2 colleagues viewing").wait_for()

        # Sam posts an idea; it appears at the top of Alex's list.
        sam_page.get_by_role("link", name="Share an idea").click()
        sam_page.get_by_label("Theme").select_option(index=1)
        sam_page.get_by_label("Title").fill("Water fountains on every floor")
        sam_page.get_by_label("Your idea").fill(
            "Staying hydrated on a 12-hour shift is hard."
        )
        sam_page.get_by_role("button", name="Post idea").click()
        sam_page.get_by_role(
            "heading", name="Water fountains on every floor"
        ).wait_for()
        idea = Idea.objects.get(title="Water fountains on every floor")
        card = alex_page.locator(f"#idea-{idea.pk}")
        card.wait_for()
        assert "Sam Patel" in card.inner_text()
        assert (
            alex_page.locator(".sv-idea").first.get_attribute("id") == f"idea-{idea.pk}"
        )
        alex_page.locator('[data-stat="ideas"]').filter(has_text="1").wait_for()

        # Sam votes: Alex's tally moves, and it is Sam's vote, not Alex's.
        sam_page.locator(
            f'[data-vote-target="idea-{idea.pk}"] .sv-vote-button--support'
        ).click()
        card.locator('[data-count="support"]').filter(has_text="1").wait_for()
        assert (
            card.locator(".sv-vote-button--support").get_attribute("aria-pressed")
            == "false"
        )

        # Alex opens the idea; Sam's comment appears in Alex's page.
        alex_page.goto(asgi_server.url + idea.get_absolute_url())
        _wait_live(alex_page)
        alex_page.evaluate("window.notReloaded = true")
        sam_page.get_by_label("Add a comment").fill(
            "Ward 7 has one by the lifts already."
        )
        sam_page.get_by_role("button", name="Post comment").click()
        alex_page.get_by_text("Ward 7 has one by the lifts already.").wait_for()
        alex_page.locator("#comments-heading").filter(has_text="1 comment").wait_for()

        # A moderator marks it adopted: the status shows at once.
        response = moderator.post(
            f"/campaigns/{campaign.slug}/ideas/{idea.pk}/moderate/",
            {
                "action": "status",
                "status-status": "adopted",
                "status-note": "Coming in May.",
            },
        )
        assert response.status_code == 302
        alex_page.locator("#idea-" + str(idea.pk)).get_by_text("Adopted").wait_for()
        assert alex_page.evaluate("window.notReloaded") is True

        # Back on the campaign page, hiding the idea removes it for everyone.
        alex_page.goto(asgi_server.url + campaign.get_absolute_url())
        _wait_live(alex_page)
        alex_page.locator(f"#idea-{idea.pk}").wait_for()
        moderator.post(
            f"/campaigns/{campaign.slug}/ideas/{idea.pk}/moderate/",
            {"action": "hide", "hide-reason": "other", "hide-note": "test"},
        )
        alex_page.locator(f"#idea-{idea.pk}").wait_for(state="detached")
        assert a_errors == [] and b_errors == []
    finally:
        a_context.close()
        b_context.close()
        moderator.close()


def test_dropped_connection_reconnects_and_catches_up_without_reload(
    browser, asgi_server, make_staff, make_campaign
):
    campaign = make_campaign("open")
    author = make_staff(display_name="Jo Evans")
    context, page, errors = _open_as(browser, asgi_server, make_staff())
    restarted = None
    try:
        page.goto(asgi_server.url + campaign.get_absolute_url())
        _wait_live(page)
        page.evaluate("window.notReloaded = true")
        # The worker goes away (a restart, a dropped ward wifi): the page says so.
        asgi_server.process.terminate()
        asgi_server.process.wait(timeout=10)
        page.locator('#sv-live[data-state="reconnecting"]').wait_for()
        # Meanwhile a colleague posts an idea.
        idea = services.post_idea(
            author,
            campaign,
            theme=campaign.themes.first(),
            title="Posted while you were away",
            body="Catch up.",
        )
        # The worker comes back on the same address; the page reconnects by itself
        # and shows what it missed, without reloading.
        restarted = start_server(port=asgi_server.port)
        _wait_live(page)
        page.locator(f"#idea-{idea.pk}").wait_for()
        assert page.locator(f"#idea-{idea.pk}").count() == 1
        assert page.evaluate("window.notReloaded") is True
        assert errors == []
    finally:
        context.close()
        if restarted:
            stop_server(restarted)
