"""Nothing typed is ever lost: an idea typed while the session ended is there again
after signing in, and a comment posted while offline stays on the page until the
connection is back. The text lives on the device only until the post is received."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.models import StaffMember
from accounts.roles import ENGAGEMENT_MANAGER, ensure_roles
from conversations import services
from conversations.models import Comment, Idea

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-demo-password-1"
DRAFTS = "Object.keys(localStorage).filter(k => k.startsWith('sv-draft:'))"


def _drafts_cleared(page) -> list[str]:
    """The drafts left on the device once the page's script has run (it runs after
    the page is parsed, so the heading can show before the copy is dropped)."""
    try:
        page.wait_for_function(f"() => {DRAFTS}.length === 0", timeout=5000)
    except PlaywrightTimeoutError:
        pass  # the assertion that follows says what is left
    return page.evaluate(DRAFTS)


def _staff(email: str, *, manager: bool = False) -> StaffMember:
    person = StaffMember.objects.create_user(
        email, PASSWORD, profile_completed_at=timezone.now()
    )
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    if manager:
        person.groups.add(ensure_roles()[ENGAGEMENT_MANAGER])
        person = StaffMember.objects.get(pk=person.pk)
    return person


@pytest.fixture
def campaign():
    manager = _staff("jo.evans@nhs.net", manager=True)
    now = timezone.now()
    return services.create_campaign(
        manager,
        title="Our health and wellbeing",
        introduction="Tell us what would make the biggest difference.",
        themes=["Health and wellbeing", "Leadership and behaviours"],
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=19),
        allow_anonymous=True,
    )


def _fill_sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_an_idea_typed_while_the_session_ended_is_there_after_signing_in_again(
    page, live_server, campaign
):
    _staff("alex.morgan@nhs.net")
    page.goto(live_server.url + "/accounts/login/")
    _fill_sign_in(page, "alex.morgan@nhs.net")
    page.wait_for_url(live_server.url + "/")
    form_url = f"{live_server.url}/campaigns/{campaign.slug}/ideas/new/"
    page.goto(form_url)
    page.get_by_label("Theme").select_option(label="Leadership and behaviours")
    page.get_by_label("Title").fill("Listening sessions with the board")
    page.get_by_label("Your idea").fill("Monthly, on every site, on night shifts too.")
    page.get_by_label("Post anonymously").check()

    page.context.clear_cookies()  # the session ends: signed out, no CSRF cookie
    page.get_by_role("button", name="Post idea").click()

    # Asked to sign in again, told why, then taken back to the form.
    page.get_by_text("You were signed out, so that was not posted.").wait_for()
    _fill_sign_in(page, "alex.morgan@nhs.net")
    page.wait_for_url(form_url)
    page.get_by_text("We have put back what you typed before.").wait_for()
    assert page.get_by_label("Title").input_value() == (
        "Listening sessions with the board"
    )
    assert page.get_by_label("Your idea").input_value() == (
        "Monthly, on every site, on night shifts too."
    )
    assert page.get_by_label("Theme").input_value() == str(
        campaign.themes.get(name="Leadership and behaviours").pk
    )
    assert page.get_by_label("Post anonymously").is_checked()
    assert not Idea.objects.exists()

    page.get_by_role("button", name="Post idea").click()
    page.get_by_role("heading", name="Listening sessions with the board").wait_for()
    idea = Idea.objects.get()
    assert idea.is_anonymous
    # Received: the copy kept on the device is gone, and the form starts empty.
    assert _drafts_cleared(page) == []
    page.goto(form_url)
    assert page.get_by_label("Title").input_value() == ""


def test_a_comment_posted_while_offline_stays_on_the_page_until_the_connection_is_back(
    page, live_server, campaign
):
    author = _staff("sam.patel@nhs.net")
    idea = services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Water fountains on every ward",
        body="Staff go thirsty on long shifts.",
    )
    _staff("alex.morgan@nhs.net")
    page.goto(live_server.url + "/accounts/login/")
    _fill_sign_in(page, "alex.morgan@nhs.net")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + idea.get_absolute_url())
    text = "Yes, and cold ones in the summer."
    page.get_by_label("Add a comment").fill(text)

    page.context.set_offline(True)
    page.get_by_role("button", name="Post comment").click()

    page.get_by_role("alert").get_by_text("You are offline").wait_for()
    assert page.get_by_label("Add a comment").input_value() == text
    # Even a reload while offline would lose nothing: the text is on the device.
    assert len(page.evaluate(DRAFTS)) == 1
    assert not Comment.objects.exists()

    page.context.set_offline(False)
    page.get_by_text("You are back online").wait_for()
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("Your comment has been posted.").wait_for()
    assert Comment.objects.get().body == text
    assert _drafts_cleared(page) == []


def test_a_reload_puts_back_a_comment_that_was_typed_but_not_posted(
    page, live_server, campaign
):
    idea = services.post_idea(
        _staff("sam.patel@nhs.net"),
        campaign,
        theme=campaign.themes.first(),
        title="Later handovers",
        body="Start at eight.",
    )
    _staff("alex.morgan@nhs.net")
    page.goto(live_server.url + "/accounts/login/")
    _fill_sign_in(page, "alex.morgan@nhs.net")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + idea.get_absolute_url())
    page.get_by_label("Add a comment").fill("Half written")

    page.reload()

    page.get_by_text("We have put back what you typed before.").wait_for()
    assert page.get_by_label("Add a comment").input_value() == "Half written"


def test_a_draft_is_only_ever_put_back_for_the_person_who_typed_it(
    page, live_server, campaign
):
    _staff("alex.morgan@nhs.net")
    _staff("sam.patel@nhs.net")
    page.goto(live_server.url + "/accounts/login/")
    _fill_sign_in(page, "alex.morgan@nhs.net")
    page.wait_for_url(live_server.url + "/")
    form_url = f"{live_server.url}/campaigns/{campaign.slug}/ideas/new/"
    page.goto(form_url)
    page.get_by_label("Your idea").fill("Something only Alex should see again")
    page.context.clear_cookies()
    page.get_by_role("button", name="Post idea").click()

    # Someone else signs in on this shared computer instead.
    _fill_sign_in(page, "sam.patel@nhs.net")
    page.wait_for_url(form_url)

    assert page.get_by_label("Your idea").input_value() == ""
    assert page.get_by_text("We have put back what you typed before.").count() == 0
