"""A moderator types in a paper form in a real browser; a member of staff sees it on
the campaign page as "From a paper form", with nobody named."""

import pytest

from conversations.models import AuditEntry, Idea
from tests.e2e.a11y import PHONE, assert_all_pass, check_page
from tests.servers import session_cookie_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_as(browser, live_server, user):
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
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_moderator_enters_a_paper_form_and_staff_see_where_it_came_from(
    browser, live_server, make_campaign, make_staff
):
    campaign = make_campaign(title="Our future")
    moderator = make_staff(roles=["moderator"], display_name="Sam Moderator")
    context, page = _open_as(browser, live_server, moderator)
    try:
        page.goto(live_server.url + campaign.get_absolute_url())
        page.get_by_role("link", name="Enter paper or event contributions").click()
        assert_all_pass([check_page(page, "enter paper contributions")])
        page.get_by_label("Paper form").check()
        page.get_by_label("Date collected").fill("2026-11-12")
        page.get_by_label("Theme").select_option(label="Ways of working")
        page.get_by_label("Title").fill("A rota we can see a month ahead")
        page.get_by_label("What they said").fill("Rotas come out a week before.")
        page.get_by_label("Band (if the form asked)").select_option(index=0)
        page.get_by_role("button", name="Post anonymously").click()
        page.get_by_text("Enter the next one below.", exact=False).wait_for()
        assert page.get_by_label("Paper form").is_checked()
        assert page.get_by_label("Date collected").input_value() == "2026-11-12"
    finally:
        context.close()

    idea = Idea.objects.get(title="A rota we can see a month ahead")
    assert idea.author_id is None
    assert AuditEntry.objects.get(idea=idea).actor == moderator

    context, page = _open_as(browser, live_server, make_staff())
    try:
        page.goto(live_server.url + campaign.get_absolute_url())
        card = page.locator(f"#idea-{idea.pk}")
        assert "From a paper form, 12 Nov" in card.inner_text()
        assert "Sam Moderator" not in page.content()
    finally:
        context.close()
