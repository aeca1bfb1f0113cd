"""Flag → queue → hide → the author is told, in real browsers; and moderators' actions
reaching a colleague's open page live."""

import pyotp
import pytest

from conversations import services
from conversations.models import Flag, Idea, ReviewRequest, Visibility
from tests.conftest import PASSWORD, TOTP_SECRET
from tests.e2e.conftest import SCREENSHOTS
from tests.live.helpers import Person as LivePerson
from tests.servers import session_cookie_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Person:
    """One signed-in person in their own browser context (own cookies, own page)."""

    def __init__(self, browser, base_url: str, user):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 390, "height": 844})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The real sign-in form, with the password the factories give everyone.
        self.page.goto(base_url + "/accounts/login/")
        self.page.get_by_label("Email").fill(user.email)
        self.page.get_by_label("Password", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Sign In").click()
        home = base_url + "/"
        self.page.wait_for_url(lambda url: url == home or "/2fa/authenticate/" in url)
        if self.page.url != home:  # a moderator's second step (accounts.safety.mfa)
            self.page.get_by_label("Code").fill(pyotp.TOTP(TOTP_SECRET).now())
            self.page.locator("main form button[type=submit]").first.click()
        self.page.wait_for_url(home)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"JavaScript errors on the page: {self.errors}"


@pytest.fixture
def people(browser, live_server):
    opened: list[Person] = []

    def sign_in(user) -> Person:
        person = Person(browser, live_server.url, user)
        opened.append(person)
        return person

    yield sign_in
    for person in opened:
        person.close()


def test_staff_flag_an_idea_a_moderator_hides_it_and_the_author_is_told(
    people, make_staff, make_campaign
):
    campaign = make_campaign("open", title="Our working lives", allow_anonymous=True)
    author = make_staff(display_name="Alex Author")
    reporter = make_staff(display_name="Robin Reporter")
    moderator = make_staff(roles=["moderator"], display_name="Mo Moderator")
    idea = services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Ward 9 sister is a bully",
        body="Everyone knows who I mean.",
        anonymous=True,
    )

    # A colleague reports it, with a reason and a note.
    robin = people(reporter)
    robin.page.get_by_role("link", name="Our working lives").click()
    robin.page.get_by_role("link", name="Ward 9 sister is a bully", exact=True).click()
    robin.page.get_by_role("link", name="Report this idea").click()
    robin.page.get_by_label("A personal attack").check()
    robin.page.get_by_label("Anything else a moderator should know").fill(
        "It names a ward and a role."
    )
    robin.page.get_by_role("button", name="Send report").click()
    robin.page.get_by_text("Thank you for telling us").wait_for()
    assert Flag.objects.get().reason == "personal_attack"

    # A moderator finds it in the queue, with the reason, and hides it.
    mo = people(moderator)
    mo.goto("/moderation/")
    item = mo.page.locator(f"#queue-idea-{idea.pk}")
    item.get_by_text("Reported once").wait_for()
    assert "A personal attack (1 report)" in item.inner_text()
    assert "It names a ward and a role." in item.inner_text()
    assert "Alex" not in item.inner_text()  # anonymous, to moderators too
    item.get_by_text("Hide it", exact=True).click()
    item.get_by_label("Reason (the author is told)").select_option(
        label="A personal attack"
    )
    item.get_by_label("Note for the audit log").fill("Identifies a colleague")
    item.get_by_role("button", name="Hide this post").click()
    mo.page.get_by_text("Hidden from everyone but moderators").wait_for()
    mo.page.get_by_text("Nothing is waiting for a moderator").wait_for()
    assert Idea.objects.get(pk=idea.pk).visibility == Visibility.HIDDEN

    # The author is told, in the platform, with the reason, and asks for a review.
    alex = people(author)
    alex.goto("/notifications/")
    told = alex.page.get_by_role("link", name="A moderator hid your idea")
    told.wait_for()
    assert "The reason: a personal attack" in told.inner_text()
    assert "Ward 9 sister is a bully" in told.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alex.page.screenshot(path=str(SCREENSHOTS / "hidden-notification-phone.png"))
    told.click()
    alex.page.get_by_text("A moderator hid this because: A personal attack.").wait_for()
    alex.page.get_by_label("Why should a moderator look again?").fill(
        "I will take the ward out."
    )
    alex.page.get_by_role("button", name="Ask for a review").click()
    alex.page.get_by_text("You have asked for a review").wait_for()
    assert ReviewRequest.objects.get().message == "I will take the ward out."

    # The reporter hears the outcome; the idea is gone from the campaign page.
    robin.goto("/notifications/")
    robin.page.get_by_text("the post was hidden").wait_for()
    robin.goto(campaign.get_absolute_url())
    assert robin.page.get_by_text("Ward 9 sister is a bully").count() == 0

    # The review request is now in the moderator's queue.
    mo.goto("/moderation/")
    mo.page.get_by_text("Author asks for a review").wait_for()
    mo.page.screenshot(
        path=str(SCREENSHOTS / "moderation-queue-phone.png"), full_page=True
    )


@pytest.mark.timeout(90)
def test_moderators_hide_edit_and_lock_reach_an_open_page_without_reload(
    browser, asgi_server, make_staff, make_campaign, make_idea, make_comment
):
    """Served by a real ASGI worker: what a moderator does shows in a colleague's open
    idea page at once (the hidden comment goes, the edit shows, the comment box goes)."""
    campaign = make_campaign("open")
    idea = make_idea(campaign, title="Car parking for night staff", body="<p>More.</p>")
    rude = make_comment(idea, body="A rude remark about Jo")
    naming = make_comment(idea, body="Ask Sam Smith on ward 4")
    make_comment(idea, body="A kind reply", parent=naming)
    moderator = LivePerson(
        asgi_server, session_cookie_for(make_staff(roles=["moderator"]))
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
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
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = f"/campaigns/{campaign.slug}"
    try:
        page.goto(asgi_server.url + idea.get_absolute_url())
        page.locator('#sv-live[data-state="live"]').wait_for()
        page.evaluate("window.notReloaded = true")

        response = moderator.post(
            f"{base}/comment/{rude.pk}/moderate/hide/", {"reason": "offensive"}
        )
        assert response.status_code == 302, response.text[:2000]
        page.locator(f"#comment-{rude.pk}").wait_for(state="detached")
        page.locator("#comments-heading").filter(has_text="2 comments").wait_for()

        moderator.post(
            f"{base}/comment/{naming.pk}/moderate/edit/",
            {"body": "Ask [name removed] on ward 4", "note": "Took out a name"},
        )
        edited = page.locator(f"#comment-{naming.pk}")
        edited.get_by_text("Ask [name removed] on ward 4").wait_for()
        edited.get_by_text("Edited by a moderator").wait_for()
        assert "A kind reply" in edited.inner_text()  # the reply stays

        moderator.post(f"{base}/idea/{idea.pk}/moderate/lock/", {})
        page.locator("[data-comments-locked]").wait_for()
        assert page.get_by_label("Add a comment").count() == 0
        assert page.evaluate("window.notReloaded") is True
        assert errors == []
    finally:
        context.close()
        moderator.close()
