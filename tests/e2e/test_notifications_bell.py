"""A reply to someone's idea rings their bell without a reload, is announced to
screen readers, and is waiting in their inbox."""

import pytest

from tests.servers import session_cookie_for

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


def test_a_reply_rings_the_authors_bell_live_and_waits_in_their_inbox(
    browser, asgi_server, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open")
    alex = make_staff(display_name="Alex Morgan")
    sam = make_staff(display_name="Sam Patel")
    idea = make_idea(campaign, author=alex, title="Quiet rooms on every ward")
    a_context, alex_page, a_errors = _open_as(browser, asgi_server, alex)
    b_context, sam_page, b_errors = _open_as(browser, asgi_server, sam)
    try:
        alex_page.goto(asgi_server.url + "/")
        alex_page.locator('[data-bell][data-bell-state="live"]').wait_for()
        assert alex_page.locator("[data-unread]").is_hidden()
        alex_page.evaluate("window.notReloaded = true")

        sam_page.goto(asgi_server.url + idea.get_absolute_url())
        sam_page.get_by_label("Add a comment").fill("Yes, and a kettle in each.")
        sam_page.get_by_role("button", name="Post comment").click()
        sam_page.get_by_text("Yes, and a kettle in each.").wait_for()

        badge = alex_page.locator("[data-unread]")
        badge.wait_for(state="visible")
        assert badge.locator("[data-unread-count]").inner_text() == "1"
        assert alex_page.evaluate("window.notReloaded") is True
        announcer = alex_page.locator("[data-bell-announce]")
        assert announcer.get_attribute("aria-live") == "polite"
        assert "1 unread" in announcer.inner_text()

        alex_page.get_by_role("link", name="Notifications").click()
        note = alex_page.locator(".sv-notification").first
        assert "Someone replied to your idea" in note.inner_text()
        assert "Quiet rooms on every ward" in note.inner_text()
        assert "Sam" not in note.inner_text()
    finally:
        a_context.close()
        b_context.close()
    assert not a_errors and not b_errors
