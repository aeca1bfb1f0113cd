"""Screenshots of the main pages at phone (390 x 844) and desktop (1280 x 800) sizes,
written to tests/e2e/screenshots/pages/ (not committed; the README shows a few of them,
copied to docs/screenshots/). Served by a real ASGI worker, so the pages are live."""

import pytest

from tests.e2e.a11y import DESKTOP, PHONE, REPORT
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.world import build_world
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

SIZES = {"phone": PHONE, "desktop": DESKTOP}


def test_screenshots_of_the_main_pages(
    browser, asgi_server, settings, make_staff, make_campaign, make_team
):
    settings.REVEAL_ENABLED = True
    world = build_world(make_staff, make_campaign, make_team)
    campaign = world.campaign
    pages = {
        None: [("sign-in", "/accounts/login/")],
        world.staff: [
            ("home", "/"),
            ("campaign", campaign.get_absolute_url()),
            ("idea", world.idea.get_absolute_url()),
            ("posting-form", f"/campaigns/{campaign.slug}/ideas/new/"),
            ("notifications", "/notifications/"),
        ],
        world.moderator: [("moderation-queue", "/moderation/")],
    }
    out = SCREENSHOTS / "pages"
    out.mkdir(parents=True, exist_ok=True)
    made = []
    errors: list[str] = []
    for user, paths in pages.items():
        context = browser.new_context(viewport=PHONE)
        if user is not None:
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": session_cookie_for(user),
                        "url": asgi_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            for name, path in paths:
                page.set_viewport_size(PHONE)
                page.goto(asgi_server.url + path)
                if page.locator("#sv-live").count():
                    page.locator('#sv-live[data-state="live"]').wait_for()
                    page.get_by_text("1 colleague viewing").wait_for()
                for size, viewport in SIZES.items():
                    page.set_viewport_size(viewport)
                    path_out = out / f"{name}-{size}.png"
                    page.screenshot(path=str(path_out), animations="disabled")
                    made.append(path_out.name)
        finally:
            context.close()
    assert not errors, f"JavaScript errors: {errors}"
    REPORT.append(f"screenshots in tests/e2e/screenshots/pages/: {', '.join(made)}")
