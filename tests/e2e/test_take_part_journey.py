"""A member of staff signs in, posts an idea, comments and votes, in a real browser."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import StaffMember
from accounts.roles import ENGAGEMENT_MANAGER, ensure_roles
from conversations import services
from conversations.models import Comment, Idea
from tests.e2e.conftest import SCREENSHOTS
from voting.models import Tally, Vote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-demo-password-1"


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


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(base_url + "/")


def test_staff_member_signs_in_posts_comments_and_votes(page, live_server, campaign):
    _staff("alex.morgan@nhs.net")
    _sign_in(page, live_server.url, "alex.morgan@nhs.net")

    page.get_by_role("link", name="Our health and wellbeing").click()
    page.get_by_role("link", name="Share an idea").click()

    # A mistake first: no title. The form says what to fix and keeps what was typed.
    page.get_by_label("Theme").select_option(label="Health and wellbeing")
    page.get_by_label("Your idea").fill(
        "Quiet rooms on every ward for ten-minute breaks."
    )
    page.get_by_role("button", name="Post idea").click()
    page.get_by_role("alert").get_by_text("Enter a title for your idea.").wait_for()
    assert page.get_by_label("Your idea").input_value() == (
        "Quiet rooms on every ward for ten-minute breaks."
    )

    page.get_by_label("Title").fill("Rest rooms for night staff")
    page.get_by_label("Post anonymously").check()
    page.get_by_role("button", name="Post idea").click()
    page.get_by_role("heading", name="Rest rooms for night staff").wait_for()
    assert page.get_by_text("You (posted anonymously)").is_visible()
    idea = Idea.objects.get(title="Rest rooms for night staff")
    assert idea.is_anonymous

    page.get_by_label("Add a comment").fill("We tried this on Ward 3 and it helped.")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("We tried this on Ward 3 and it helped.").wait_for()
    assert Comment.objects.filter(idea=idea).count() == 1

    # Vote on the idea: the count changes in place (no reload), and is stored once.
    idea_votes = page.locator(f'[data-vote-target="idea-{idea.pk}"]')
    support = idea_votes.get_by_role("button", name="Support", exact=False).first
    support.click()
    idea_votes.locator('[data-count="support"]').filter(has_text="1").wait_for()
    assert support.get_attribute("aria-pressed") == "true"
    page.reload()
    assert (
        page.locator(
            f'[data-vote-target="idea-{idea.pk}"] [data-count="support"]'
        ).inner_text()
        == "1"
    )
    # Changing the vote moves it; it never counts twice.
    page.locator(f'[data-vote-target="idea-{idea.pk}"]').get_by_role(
        "button", name="Don't support"
    ).click()
    page.locator(
        f'[data-vote-target="idea-{idea.pk}"] [data-count="dont_support"]'
    ).filter(has_text="1").wait_for()
    tally = Tally.objects.get(target_id=idea.pk, target_type__model="idea")
    assert (tally.support, tally.dont_support) == (0, 1)
    assert (
        Vote.objects.filter(target_id=idea.pk, target_type__model="idea").count() == 1
    )

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "idea-phone.png"), full_page=True)

    # Back on the campaign page the idea is listed with its counts, author hidden.
    page.get_by_role("link", name="Our health and wellbeing").first.click()
    card = page.locator(f"#idea-{idea.pk}")
    assert "1 comment" in card.inner_text()
    assert "alex" not in card.inner_text().lower()


def test_colleague_never_sees_who_posted_anonymously(page, live_server, campaign):
    author = _staff("alex.morgan@nhs.net")
    _staff("sam.patel@nhs.net")
    services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Speak-up idea",
        body="Managers do not always listen.",
        anonymous=True,
    )
    _sign_in(page, live_server.url, "sam.patel@nhs.net")
    page.goto(live_server.url + campaign.get_absolute_url())
    card_text = page.locator(".sv-idea").first.inner_text()
    assert "A colleague" in card_text
    assert "alex" not in page.content().lower()


def test_closed_campaign_is_readable_but_refuses_votes(page, live_server, campaign):
    author = _staff("alex.morgan@nhs.net")
    idea = services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Old idea",
        body="Still worth reading.",
    )
    campaign.closes_at = timezone.now() - timedelta(minutes=1)
    campaign.opens_at = campaign.closes_at - timedelta(days=20)
    campaign.save()
    _sign_in(page, live_server.url, "alex.morgan@nhs.net")
    page.goto(live_server.url + idea.get_absolute_url())
    page.get_by_text("This campaign is closed").first.wait_for()
    assert page.get_by_role("button", name="Support").count() == 0
    assert page.get_by_label("Add a comment").count() == 0
