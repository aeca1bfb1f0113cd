"""The campaign pulse: an engagement manager's participation page of an open campaign
updates by itself when a colleague posts, over the campaign's websocket, served by a
real ASGI worker process."""

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
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_participation_figures_update_live_when_a_colleague_posts(
    browser, asgi_server, make_staff, make_campaign
):
    campaign = make_campaign("open")
    manager = make_staff(roles=["engagement_manager"])
    colleague = make_staff(display_name="Sam Patel")
    m_context, manager_page, m_errors = _open_as(browser, asgi_server, manager)
    c_context, colleague_page, c_errors = _open_as(browser, asgi_server, colleague)
    try:
        manager_page.goto(asgi_server.url + f"/campaigns/{campaign.slug}/analytics/")
        manager_page.locator('#sv-pulse[data-state="live"]').wait_for()
        manager_page.evaluate("window.notReloaded = true")
        assert manager_page.locator('[data-figure="ideas"]').inner_text() == "0"

        colleague_page.goto(asgi_server.url + campaign.get_absolute_url())
        colleague_page.get_by_role("link", name="Share an idea").click()
        colleague_page.get_by_label("Theme").select_option(index=1)
        colleague_page.get_by_label("Title").fill("Water fountains on every floor")
        colleague_page.get_by_label("Your idea").fill("Hard to stay hydrated.")
        colleague_page.get_by_role("button", name="Post idea").click()
        colleague_page.get_by_role("heading", name="Water fountains").wait_for()

        manager_page.wait_for_function(
            "document.querySelector('[data-figure=\"ideas\"]').textContent === '1'"
        )
        # One person is a small number (conversations.small_numbers).
        assert manager_page.locator('[data-figure="people"]').inner_text() == (
            "fewer than 5"
        )
        assert manager_page.evaluate("window.notReloaded") is True
        assert manager_page.get_by_text("Water fountains on every floor").count() >= 1
    finally:
        m_context.close()
        c_context.close()
    assert not m_errors and not c_errors, m_errors + c_errors
