"""From a closed campaign to a published "you said, we did" report, in a real browser:
an engagement manager runs the synthesis, accepts a group, adds an action and publishes;
a member of staff then finds it on Outcomes, and the idea says what happened."""

import pytest

from notifications.models import Notification
from reports.models import Action, ActionReport, OutcomeTheme
from tests.e2e.a11y import PHONE
from tests.reports.conftest import TOPICS
from tests.servers import session_cookie_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def closed_campaign(make_campaign, make_idea, make_staff):
    """Like the demo's closed campaign: ideas on a few clear topics, some anonymous."""
    campaign = make_campaign("closed", title="Living our values", allow_anonymous=True)
    people = [make_staff(display_name=f"Colleague {n}") for n in range(12)]
    ideas = {}
    for n, (title, body) in enumerate(t for topic in TOPICS.values() for t in topic):
        ideas[title] = make_idea(
            campaign,
            author=people[n],
            title=title,
            body=f"<p>{body}</p>",
            anonymous=n % 4 == 1,
        )
    campaign.people = people
    campaign.idea_by_title = ideas
    return campaign


def _context(browser, live_server, user):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(user),
                "url": live_server.url,
            }
        ]
    )
    return context


def test_manager_publishes_a_report_and_staff_see_what_happened(
    browser, live_server, closed_campaign, make_staff
):
    manager = make_staff(roles=["engagement_manager"], display_name="Jo Evans")
    staff = closed_campaign.people[4]  # wrote "More parking spaces for community staff"
    parking_idea = closed_campaign.idea_by_title[
        "More parking spaces for community staff"
    ]
    errors: list[str] = []

    context = _context(browser, live_server, manager)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/")
    # On a phone the header's menu may fold "Outcomes" under "More"; follow its address.
    outcomes = page.locator("header a[href='/outcomes/']")
    assert outcomes.count() == 1
    page.goto(live_server.url + outcomes.get_attribute("href"))
    page.locator("main a[href$='/synthesis/']").click()

    page.get_by_role("button", name="Suggest groups").click()
    page.locator("[data-run-done]").wait_for()
    card = page.locator("[data-suggestion]").filter(has_text="parking").first
    card.get_by_label("Name of the outcome theme").fill("Getting to work")
    card.get_by_role("button", name="Accept as a theme").click()
    page.get_by_text("The group is now an outcome theme.").wait_for()
    assert OutcomeTheme.objects.get().name == "Getting to work"

    page.get_by_role("link", name="Write the report").click()
    page.get_by_label("Summary").fill("Thank you to everyone who took part.")
    page.get_by_role("button", name="Save the summary").click()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What will be done").fill("Twenty new parking spaces")
    page.get_by_label("Who owns it").fill("Director of Estates")
    page.get_by_label("Due date").fill("2027-03-31")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Outcome theme").select_option(label="Getting to work")
    page.get_by_label("More parking spaces for community staff").check()
    page.get_by_role("button", name="Save action").click()
    page.get_by_text("Action added.").wait_for()

    page.get_by_role("link", name="Preview the report").click()
    page.get_by_role("heading", name="Twenty new parking spaces").wait_for()
    page.get_by_role("link", name="Back to editing").click()
    page.get_by_role("button", name="Publish the report").click()
    page.get_by_text("The report is published.").wait_for()
    context.close()

    report = ActionReport.objects.get()
    assert report.is_published
    assert Notification.objects.filter(
        recipient=staff, kind="report_published"
    ).exists()

    context = _context(browser, live_server, staff)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/outcomes/")
    assert page.get_by_text("0 of 1 actions done, 1 in progress").is_visible()
    page.get_by_role("link", name=report.title).click()
    page.get_by_role("heading", name="Twenty new parking spaces").wait_for()
    assert page.get_by_text("Director of Estates").is_visible()

    page.goto(live_server.url + parking_idea.get_absolute_url())
    page.get_by_role("heading", name="What happened").wait_for()
    assert page.get_by_text("In progress: Twenty new parking spaces").is_visible()
    page.get_by_role("link", name="Read the action").click()
    page.wait_for_url(f"**/report/#action-{Action.objects.get().pk}")
    context.close()
    assert not errors, errors
