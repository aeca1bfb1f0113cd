"""Similar ideas while writing one, in a real browser: typing a title shows a
colleague's idea saying the same, and "Support this instead" supports it; without
JavaScript the "Check for similar ideas" step does the same. The search page and the
form with its list pass the accessibility checks."""

import pytest
from django.urls import reverse

from conversations.models import Idea
from tests.e2e.a11y import PHONE, assert_all_pass, check_page
from tests.servers import session_cookie_for
from voting.models import Tally

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(make_staff, make_campaign, make_idea):
    campaign = make_campaign("open", title="Our working lives")
    colleague = make_staff(display_name="Sam Patel")
    parking = make_idea(
        campaign,
        author=colleague,
        title="Free parking for night shift staff",
        body="<p>Night staff pay for the car park every shift.</p>",
    )
    make_idea(campaign, author=colleague, title="Publish rotas six weeks ahead")
    writer = make_staff(display_name="Alex Morgan")
    return campaign, parking, writer


def _open(browser, live_server, user, *, javascript: bool = True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(user),
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_typing_a_title_shows_a_similar_idea_to_support_instead(
    browser, live_server, scene
):
    campaign, parking, writer = scene
    context, page, errors = _open(browser, live_server, writer)
    try:
        page.goto(
            live_server.url + reverse("conversations:idea_create", args=[campaign.slug])
        )
        # With the script, the list follows the typing: no button needed.
        assert page.get_by_role("button", name="Check for similar ideas").is_hidden()
        page.get_by_label("Title").press_sequentially(
            "Night workers should not pay for parking", delay=20
        )
        similar = page.locator("[data-similar] li", has_text=parking.title)
        similar.wait_for()
        region = page.locator("[data-similar]")
        assert region.get_attribute("aria-live") == "polite"
        assert region.locator("mark").first.inner_text().lower() in {
            "night",
            "parking",
            "pay",
        }
        results = [check_page(page, "posting form with similar ideas")]

        similar.get_by_role("button", name="Support this instead").click()
        page.get_by_role("heading", name=parking.title).wait_for()
        assert page.url.endswith(parking.get_absolute_url())
        assert (
            Tally.objects.get(target_id=parking.pk, target_type__model="idea").support
            == 1
        )
        assert not Idea.objects.filter(title__icontains="should not pay").exists()

        page.goto(live_server.url + reverse("search:results") + "?q=parking")
        page.locator("[data-hit]").first.wait_for()
        assert page.locator("mark", has_text="parking").count() >= 1
        results.append(check_page(page, "search results"))
        page.goto(live_server.url + campaign.get_absolute_url())
        results.append(check_page(page, "campaign page with its search box"))
        assert_all_pass(results)
        assert not errors, errors
    finally:
        context.close()


def test_without_javascript_the_check_step_lists_them_and_keeps_the_text(
    browser, live_server, scene
):
    campaign, parking, writer = scene
    context, page, _ = _open(browser, live_server, writer, javascript=False)
    try:
        page.goto(
            live_server.url + reverse("conversations:idea_create", args=[campaign.slug])
        )
        page.get_by_label("Title").fill("Parking charges on nights")
        page.get_by_label("Your idea").fill("It adds up over a month.")
        page.get_by_role("button", name="Check for similar ideas").click()
        page.locator("[data-similar] li", has_text=parking.title).wait_for()
        assert page.get_by_label("Title").input_value() == "Parking charges on nights"
        assert (
            page.get_by_label("Your idea").input_value() == "It adds up over a month."
        )
    finally:
        context.close()
