"""Live updates are announced politely (an aria-live region) and never move the focus or
touch what a person is typing; served by a real ASGI worker over a real websocket."""

import pytest

from tests.e2e.a11y import PHONE, REPORT
from tests.live.helpers import Person
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

ANNOUNCER = "#sv-live [data-announcer]"
FOCUS_ID = "() => document.activeElement && document.activeElement.id"


def test_new_ideas_and_comments_are_announced_without_moving_focus(
    browser, asgi_server, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open", title="Our working lives")
    idea = make_idea(campaign, title="Later start", body="<p>Half seven.</p>")
    sam = Person(asgi_server, session_cookie_for(make_staff(display_name="Sam Patel")))
    context = browser.new_context(viewport=PHONE)
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
    try:
        page.goto(asgi_server.url + campaign.get_absolute_url())
        page.locator('#sv-live[data-state="live"]').wait_for()
        announcer = page.locator(ANNOUNCER)
        assert announcer.get_attribute("aria-live") == "polite"
        # Heard by screen readers, not shown: the region is visually hidden, not hidden.
        assert (
            page.evaluate(
                f"getComputedStyle(document.querySelector('{ANNOUNCER}')).display"
            )
            != "none"
        )
        page.locator("#sort").focus()

        response = sam.post(
            f"/campaigns/{campaign.slug}/ideas/new/",
            {
                "theme": campaign.themes.first().pk,
                "title": "Water fountains on every floor",
                "body": "Twelve-hour shifts are thirsty work.",
            },
        )
        assert response.status_code == 302, response.text[:1000]
        page.locator(".sv-idea").filter(has_text="Water fountains").wait_for()
        announcer.filter(has_text="New idea: Water fountains on every floor").wait_for(
            state="attached"
        )
        assert page.evaluate(FOCUS_ID) == "sort"

        # On an idea, someone half-way through a comment keeps their place and text.
        page.goto(asgi_server.url + idea.get_absolute_url())
        page.locator('#sv-live[data-state="live"]').wait_for()
        announcer = page.locator(ANNOUNCER)
        box = page.get_by_label("Add a comment")
        box.click()
        page.keyboard.type("I was about to say")
        response = sam.post(
            f"/campaigns/{campaign.slug}/ideas/{idea.pk}/comments/",
            {"body": "We tried it on Ward 3."},
        )
        assert response.status_code == 302, response.text[:1000]
        page.get_by_text("We tried it on Ward 3.").wait_for()
        announcer.filter(has_text="New comment posted").wait_for(state="attached")
        focused = page.evaluate(FOCUS_ID)
        assert focused == box.get_attribute("id")
        assert box.input_value() == "I was about to say"
        assert not errors, f"JavaScript errors: {errors}"
        REPORT.append(
            "live updates: new ideas and comments announced in a polite aria-live "
            "region; focus and typed text untouched"
        )
    finally:
        context.close()
        sam.close()


def test_motion_is_reduced_when_asked(page, live_server, make_staff, make_campaign):
    """With prefers-reduced-motion, no transition or animation runs anywhere, and
    scrolling jumps rather than glides."""
    campaign = make_campaign("open")
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + campaign.get_absolute_url())
    moving = page.evaluate(
        """() => {
            const moving = [];
            for (const el of [document.documentElement, ...document.querySelectorAll('*')]) {
                const s = getComputedStyle(el);
                const seconds = (v) => Math.max(...v.split(',').map((t) => parseFloat(t) || 0));
                if (seconds(s.transitionDuration) > 0 || seconds(s.animationDuration) > 0 ||
                    s.scrollBehavior === 'smooth') {
                    moving.push(el.tagName + '.' + el.className);
                }
            }
            return moving;
        }"""
    )
    assert moving == []


def test_ideas_print_cleanly(
    page, live_server, make_staff, make_campaign, make_idea, make_comment
):
    """Printed, an idea is its text, votes and comments: no header navigation, buttons,
    forms, live status or footer; votes print as counts."""
    campaign = make_campaign("open")
    idea = make_idea(campaign, title="Quiet rooms", body="<p>Somewhere to rest.</p>")
    make_comment(idea, body="A good idea.")
    signed_in = make_staff()
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(signed_in),
                "url": live_server.url,
            }
        ]
    )
    page.emulate_media(media="print")
    for path in (idea.get_absolute_url(), campaign.get_absolute_url()):
        page.goto(live_server.url + path)
        shown = page.evaluate(
            """() => {
                const selector = 'header nav, button:not(.sv-vote-button), ' +
                    'form:not(.sv-vote-form), .sv-live, .nhsuk-skip-link, ' +
                    '.nhsuk-breadcrumb, .nhsuk-back-link, .nhsuk-footer, .nhsuk-button, ' +
                    '.sv-language-switcher, .sv-report, details';
                return [...document.querySelectorAll(selector)]
                    .filter((el) => el.getClientRects().length > 0)
                    .map((el) => el.outerHTML.slice(0, 80));
            }"""
        )
        assert shown == [], path
        assert page.get_by_role("heading", level=1).is_visible()
    page.goto(live_server.url + idea.get_absolute_url())
    assert page.get_by_text("Somewhere to rest.").is_visible()
    assert page.get_by_text("A good idea.").is_visible()
    assert page.locator(
        f'[data-vote-target="idea-{idea.pk}"]'
    ).inner_text().split() == ["Support", "0", "Don't", "support", "0"]
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
