"""What the campaign page's live line says, in a real browser: "Live"; "Live updates
are paused" with a reload link while Redis is down, and "Live" again by itself when it
returns; and "You have signed out" (for good, no reconnecting) once the same session
signs out in another tab. A worker on a redis-server of the test's own."""

import time

import pytest

from tests.faults.processes import OwnRedis, start_app
from tests.servers import session_cookie_for, start_server, stop_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]


def test_the_live_line_says_paused_then_live_then_signed_out(
    browser, tmp_path, django_db_blocker, make_staff, make_campaign
):
    campaign = make_campaign("open")
    person = make_staff()
    redis = OwnRedis()
    redis.start()
    with django_db_blocker.unblock():
        server = start_app({"REDIS_URL": redis.url}, tmp_path / "worker.log")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(person),
                "url": server.url,
            }
        ]
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + campaign.get_absolute_url())
        line = page.locator("#sv-live")
        reload_link = line.get_by_role("link", name="Reload")
        page.locator('#sv-live[data-state="live"]').wait_for()
        assert "Live" in line.inner_text()
        assert reload_link.is_hidden()

        redis.stop()
        page.locator('#sv-live[data-state="paused"]').wait_for()
        assert "Live updates are paused" in line.inner_text()
        assert reload_link.is_visible()

        redis.start()
        page.locator('#sv-live[data-state="live"]').wait_for()
        assert reload_link.is_hidden()

        other_tab = context.new_page()
        other_tab.goto(server.url + "/")
        other_tab.get_by_role("button", name="Sign out").click()
        other_tab.wait_for_load_state()
        page.locator('#sv-live[data-state="signedout"]').wait_for(timeout=3_000)
        assert "You have signed out" in line.inner_text()
        assert reload_link.is_visible()
        page.wait_for_timeout(2_500)  # longer than any back-off: it stays signed out
        assert page.locator('#sv-live[data-state="signedout"]').count() == 1
    finally:
        context.close()
        stop_server(server)
        redis.stop()
    assert not errors, errors


def test_the_page_is_live_again_within_2_s_of_its_server_coming_back(
    browser, django_db_blocker, make_staff, make_campaign
):
    campaign = make_campaign("open")
    person = make_staff()
    with django_db_blocker.unblock():
        server = start_server()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie_for(person), "url": server.url}]
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + campaign.get_absolute_url())
        page.locator('#sv-live[data-state="live"]').wait_for()

        stop_server(server)  # the worker goes away (a deploy, a crash)
        page.locator('#sv-live[data-state="reconnecting"]').wait_for()
        page.wait_for_timeout(4_000)  # long enough for the back-off to reach its cap
        with django_db_blocker.unblock():
            server = start_server(server.port)
        back = time.monotonic()
        page.locator('#sv-live[data-state="live"]').wait_for(timeout=4_000)
        took = time.monotonic() - back
        print(f"live again {took:.2f} s after the server was back")
        assert took < 3.5, took  # the back-off's 2 s cap, and the handshake
    finally:
        context.close()
        stop_server(server)
    assert not errors, errors
