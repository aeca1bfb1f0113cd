"""Every page, in a real browser, as the people who use it see it: axe-core finds no
WCAG 2.0/2.1/2.2 A or AA violation, nothing scrolls sideways at 360 or 320 px (nor with
text at 200%), and buttons and form controls are at least 24 px. Pages that later
issues add belong in these lists too."""

import pytest
from django.urls import reverse

from conversations.models import Idea
from notifications import services as notifications
from tests.e2e.a11y import PHONE, assert_all_pass, check_page, run_axe
from tests.e2e.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, make_staff, make_campaign, make_team):
    settings.REVEAL_ENABLED = True
    settings.IDEAS_PER_PAGE = 3  # so that the campaign page shows its pagination
    return build_world(make_staff, make_campaign, make_team)


@pytest.fixture
def visit(browser, live_server):
    """Open pages as one person (or signed out) and check each."""
    contexts = []

    def visit(user, world, pages):
        context = browser.new_context(viewport=PHONE)
        contexts.append(context)
        if user is not None:
            context.add_cookies(world.cookie(user, live_server.url))
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        results = []
        for name, path, *action in pages:
            response = page.goto(live_server.url + path)
            assert response.status < 500, f"{name}: {response.status}"
            if action:
                action[0](page)
            results.append(check_page(page, name))
        assert not errors, f"JavaScript errors: {errors}"
        return results

    yield visit
    for context in contexts:
        context.close()


def _unsubscribe_link(world) -> str:
    token = notifications.unsubscribe_token(world.staff, "reply")
    return reverse("notifications:unsubscribe", args=[token])


def _click(button: str, then_heading: str):
    def act(page):
        page.get_by_role("button", name=button).click()
        page.get_by_role("heading", name=then_heading).wait_for()

    return act


def _submit_empty(button: str):
    def act(page):
        page.get_by_role("button", name=button).click()
        page.locator(".nhsuk-error-summary").wait_for()

    return act


def _clear_and_save(label: str):
    def act(page):
        page.get_by_label(label, exact=True).fill("")
        page.get_by_role("button", name="Save changes").click()
        page.locator(".nhsuk-error-summary").wait_for()

    return act


def test_signed_out_pages(world, visit):
    results = visit(
        None,
        world,
        [
            ("welcome (signed out home)", "/"),
            ("sign in", "/accounts/login/"),
            ("sign in, with errors", "/accounts/login/", _submit_empty("Sign In")),
            ("sign up", "/accounts/signup/"),
            ("sign up, with errors", "/accounts/signup/", _submit_empty("Sign Up")),
            ("password reset", "/accounts/password/reset/"),
            ("ground rules", "/ground-rules/"),
            ("accessibility statement", "/accessibility/"),
            ("privacy notice", "/privacy/"),
            ("cookies", "/cookies/"),
            ("unsubscribe from an email", _unsubscribe_link(world)),
            (
                "unsubscribe from an email, done",
                _unsubscribe_link(world),
                _click("Stop these emails", "You have been unsubscribed"),
            ),
        ],
    )
    assert_all_pass(results)


def test_staff_member_pages(world, visit):
    campaign, idea = world.campaign, world.idea
    slug = campaign.slug
    results = visit(
        world.staff,
        world,
        [
            ("home", "/"),
            ("campaign", campaign.get_absolute_url()),
            ("campaign, page 2", campaign.get_absolute_url() + "?page=2"),
            ("idea", idea.get_absolute_url()),
            ("posting form", f"/campaigns/{slug}/ideas/new/"),
            (
                "posting form, with errors",
                f"/campaigns/{slug}/ideas/new/",
                _submit_empty("Post idea"),
            ),
            (
                "report form",
                f"/campaigns/{slug}/idea/{world.anonymous_idea.pk}/report/",
            ),
            ("profile", "/me/profile/"),
            ("notifications", "/notifications/"),
            ("notification preferences", "/notifications/preferences/"),
            ("my posts", "/me/posts/"),
            ("delete an idea", f"/me/posts/ideas/{idea.pk}/delete/"),
            ("edit an idea", f"/me/posts/ideas/{idea.pk}/edit/"),
            (
                "edit an idea, with errors",
                f"/me/posts/ideas/{idea.pk}/edit/",
                _clear_and_save("Title"),
            ),
            ("my data", "/me/data/"),
            ("delete account", "/me/delete/"),
            ("closed campaign", world.closed.get_absolute_url()),
            ("page not found", "/no-such-page/"),
        ],
    )
    assert_all_pass(results)


def test_moderator_pages(world, visit):
    slug = world.campaign.slug
    hidden = Idea.objects.get(visibility="hidden")
    results = visit(
        world.moderator,
        world,
        [
            ("moderation queue", "/moderation/"),
            ("campaign moderation queue", f"/campaigns/{slug}/moderation/"),
            ("moderation history", "/moderation/history/"),
            ("idea, as a moderator", world.idea.get_absolute_url()),
            ("hidden idea, as a moderator", hidden.get_absolute_url()),
            (
                "hide form",
                f"/campaigns/{slug}/comment/{world.comment.pk}/moderate/hide/",
            ),
            ("edit form", f"/campaigns/{slug}/idea/{world.idea.pk}/moderate/edit/"),
            ("merge form", f"/campaigns/{slug}/ideas/{world.idea.pk}/moderate/merge/"),
        ],
    )
    assert_all_pass(results)


def test_manager_and_reveal_pages(world, visit):
    slug = world.campaign.slug
    hidden = Idea.objects.get(visibility="hidden")
    results = visit(
        world.manager,
        world,
        [
            ("new campaign form", "/campaigns/new/"),
            (
                "new campaign form, with errors",
                "/campaigns/new/",
                _submit_empty("Save campaign"),
            ),
            ("edit campaign form", f"/campaigns/{slug}/edit/"),
            ("ask for a review", f"/campaigns/{slug}/idea/{hidden.pk}/review/"),
        ],
    )
    results += visit(
        world.holder,
        world,
        [
            ("reveal requests", "/reveal/"),
            (
                "reveal request form",
                f"/reveal/comment/{world.anonymous_comment.pk}/request/",
            ),
        ],
    )
    results += visit(
        world.second_holder,
        world,
        [("reveal decision", f"/reveal/{world.reveal_request.pk}/")],
    )
    assert_all_pass(results)


def test_axe_reports_what_it_should(page):
    """The check can fail: axe-core, as these tests run it, finds a missing alt text, an
    unnamed button and text too faint to read."""
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main>'
        '<img src="data:,"><button></button>'
        '<p style="color: #bbb; background: #fff">Faint text</p></main></body></html>'
    )
    found = {violation["id"] for violation in run_axe(page)}
    assert {"image-alt", "button-name", "color-contrast"} <= found


INPUT_TYPES = """() => [...document.querySelectorAll(
        'main input:not([type=hidden]), main textarea, main select')].map(
    (el) => [el.name, el.type, el.getAttribute('autocomplete') || ''])"""


def test_forms_use_the_right_input_types(world, browser, live_server):
    """Phones show the right keyboard and browsers fill in what they know: emails are
    type=email, passwords say which password, dates and times are date-time pickers."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        login = {name: rest for name, *rest in page.evaluate(INPUT_TYPES)}
        assert login["login"] == ["email", "email"]
        assert login["password"] == ["password", "current-password"]
        page.goto(live_server.url + "/accounts/signup/")
        signup = {name: rest for name, *rest in page.evaluate(INPUT_TYPES)}
        assert signup["email"] == ["email", "email"]
        assert signup["password1"] == ["password", "new-password"]
        page.goto(live_server.url + "/accounts/password/reset/")
        assert {name: rest for name, *rest in page.evaluate(INPUT_TYPES)}["email"] == [
            "email",
            "email",
        ]

        context.add_cookies(world.cookie(world.manager, live_server.url))
        page.goto(live_server.url + "/campaigns/new/")
        campaign = {name: rest for name, *rest in page.evaluate(INPUT_TYPES)}
        assert campaign["opens_at"][0] == campaign["closes_at"][0] == "datetime-local"
        assert campaign["title"][0] == "text"
        page.goto(live_server.url + "/me/delete/")
        delete = {name: rest for name, *rest in page.evaluate(INPUT_TYPES)}
        assert delete["password"] == ["password", "current-password"]
    finally:
        context.close()
