"""A prioritisation round in real browsers: a member of staff spreads 10 points with
a running "points left" count, saves, and sees the results; a colleague with the
round open sees them change without a reload (a real ASGI worker and websocket)."""

import pytest

from reports.prioritisation.models import Allocation
from tests.e2e.a11y import PHONE, assert_all_pass, check_page
from tests.prioritisation import conftest as prioritisation
from tests.servers import session_cookie_for

make_round = prioritisation.make_round  # the fixture, shared with the unit tests

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]


def _open_as(browser, server, user):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie_for(user), "url": server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_a_person_spreads_ten_points_and_a_colleague_sees_the_results_live(
    browser, asgi_server, make_round, make_staff
):
    round_ = make_round()
    url = asgi_server.url + f"/campaigns/{round_.campaign.slug}/priorities/"
    person, colleague = make_staff(), make_staff()
    watcher_context, watcher, watcher_errors = _open_as(browser, asgi_server, colleague)
    context, page, errors = _open_as(browser, asgi_server, person)
    try:
        watcher.goto(url)
        watcher.locator('#sv-priorities-live[data-state="live"]').wait_for()
        first = watcher.locator("[data-priorities-item]").first
        assert first.locator("[data-priorities-points]").inner_text() == "0"

        page.goto(url)
        left = page.locator("[data-points-left]")
        assert left.inner_text() == "Points left: 10 of 10"
        page.get_by_label("Shortlisted idea 3").fill("6")
        assert left.inner_text() == "Points left: 4 of 10"
        page.get_by_label("Shortlisted idea 1").fill("5")
        assert left.inner_text() == "Too many points: take off 1"
        page.get_by_label("Shortlisted idea 1").fill("4")
        assert left.inner_text() == "Points left: 0 of 10"
        page.get_by_role("button", name="Save my points").click()
        page.get_by_text("Your points are saved.").wait_for()
        assert page.get_by_label("Shortlisted idea 3").input_value() == "6"
        top = page.locator("[data-priorities-item]").first
        assert "Shortlisted idea 3" in top.inner_text()
        assert top.locator("[data-priorities-points]").inner_text() == "6"
        allocation = Allocation.objects.get(round=round_, staff_member=person)
        assert allocation.total == 10

        # The colleague's page moved without a reload: most points first.
        watcher.locator(
            "[data-priorities-item]:first-child [data-priorities-points]",
            has_text="6",
        ).wait_for()
        assert (
            "Shortlisted idea 3"
            in watcher.locator("[data-priorities-item]").first.inner_text()
        )
        assert watcher.locator("[data-priorities-people]").inner_text() == (
            "fewer than 5"
        )
        assert_all_pass([check_page(page, "prioritisation round")])
    finally:
        context.close()
        watcher_context.close()
    assert not errors and not watcher_errors, errors + watcher_errors


def test_too_many_points_without_javascript_say_what_to_fix(
    browser, asgi_server, make_round, make_staff
):
    round_ = make_round()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(make_staff()),
                "url": asgi_server.url,
            }
        ]
    )
    page = context.new_page()
    try:
        page.goto(asgi_server.url + f"/campaigns/{round_.campaign.slug}/priorities/")
        page.get_by_label("Shortlisted idea 1").fill("8")
        page.get_by_label("Shortlisted idea 2").fill("8")
        page.get_by_role("button", name="Save my points").click()
        page.get_by_text("these add up to 16").wait_for()
        assert page.get_by_label("Shortlisted idea 1").input_value() == "8"
        assert not Allocation.objects.exists()
    finally:
        context.close()
