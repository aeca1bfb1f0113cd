"""Keyboard only: sign in, post an idea, comment, vote and report, with Tab, Shift+Tab,
arrow keys, Space and Enter, and never a mouse. At every stop the focus must be visible
(what is focused looks different from what is not)."""

import re

import pytest

from conversations.models import Comment, Flag, Idea
from tests.conftest import PASSWORD
from tests.e2e.a11y import DESKTOP, REPORT
from tests.servers import session_cookie_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 60

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const labelled = el.labels && el.labels.length ? el.labels[0].innerText : '';
    return {
        tag: el.tagName.toLowerCase(),
        type: el.type || '',
        name: (el.getAttribute('aria-label') || labelled || el.innerText || el.value || '')
            .replace(/\\s+/g, ' ').trim(),
    };
}"""

# Where the focus indicator shows: NHS.UK draws a checkbox's or radio's focus ring on
# its label (the input itself is invisible), and a link's on the link.
FOCUS_BOX = """() => {
    const el = document.activeElement;
    const shown = ['checkbox', 'radio'].includes(el.type) && el.labels.length
        ? el.labels[0] : el;
    const box = shown.getBoundingClientRect();
    const pad = 8;
    const x = Math.max(0, box.left - pad), y = Math.max(0, box.top - pad);
    return {
        x, y,
        width: Math.min(window.innerWidth - x, box.width + 2 * pad),
        height: Math.min(window.innerHeight - y, box.height + 2 * pad),
    };
}"""


class Keyboard:
    """Moves through a page as a keyboard user does, checking each focus stop."""

    def __init__(self, page):
        self.page = page
        self.stops = 0
        self.invisible: list[str] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def check_focus_visible(self) -> None:
        """Pixels around the focused element differ from the same spot unfocused."""
        page = self.page
        clip = page.evaluate(FOCUS_BOX)
        if clip["width"] < 1 or clip["height"] < 1:
            self.invisible.append(f"{self.focused()} (off screen)")
            return
        focused = page.screenshot(clip=clip, animations="disabled")
        page.evaluate(
            "window.__svFocus = document.activeElement; document.activeElement.blur()"
        )
        unfocused = page.screenshot(clip=clip, animations="disabled")
        page.evaluate("window.__svFocus.focus()")
        self.stops += 1
        if focused == unfocused:
            self.invisible.append(str(self.focused()))

    def tab_to(self, name: str | re.Pattern, *, tag: str | None = None, back=False):
        """Press Tab (or Shift+Tab) until an element whose name matches has focus."""
        pattern = name if isinstance(name, re.Pattern) else re.compile(re.escape(name))
        seen = []
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            now = self.focused()
            if now is None:
                continue
            self.check_focus_visible()
            seen.append(now["name"][:30])
            if pattern.search(now["name"]) and (tag is None or now["tag"] == tag):
                return now
        raise AssertionError(f"Tab never reached {name!r}; went through {seen}")

    def walk(self) -> list[str]:
        """Tab through every focusable element of the page, once round."""
        names = []
        for _ in range(200):
            self.page.keyboard.press("Tab")
            seen = self.page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (!el || el === document.body) return null;
                    const seen = el.dataset.svSeen === '1';
                    el.dataset.svSeen = '1';
                    return seen;
                }"""
            )
            if seen is None and names:
                return names  # past the last element, into the browser's own controls
            if seen:
                return names
            if seen is False:
                self.check_focus_visible()
                names.append(self.focused()["name"][:40])
        raise AssertionError("Tab never came back round")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def test_keyboard_only_sign_in_post_comment_vote_and_report(
    browser, live_server, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open", title="Our working lives", allow_anonymous=True)
    colleague = make_staff(display_name="Sam Patel")
    theirs = make_idea(
        campaign,
        author=colleague,
        title="Later start for the day shift",
        body="<p>Half past seven would suit parents.</p>",
    )
    me = make_staff("alex.morgan@nhs.net", display_name="Alex Morgan")

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    keys = Keyboard(page)
    try:
        # Sign in. The first Tab reaches the skip link.
        page.goto(live_server.url + "/accounts/login/")
        keys.press("Tab")
        assert keys.focused()["name"] == "Skip to main content"
        keys.check_focus_visible()
        field = keys.tab_to("Email", tag="input")
        assert field["type"] == "email"
        keys.type(me.email)
        field = keys.tab_to(re.compile("^Password"), tag="input")
        assert field["type"] == "password"
        keys.type(PASSWORD)
        keys.tab_to("Sign In", tag="button")
        keys.press("Enter")
        page.wait_for_url(live_server.url + "/")

        # To the campaign, and share an idea.
        keys.tab_to("Our working lives", tag="a")
        keys.press("Enter")
        page.wait_for_url(f"**{campaign.get_absolute_url()}")
        # Choosing a sort order with the arrow keys does not reload the page under the
        # reader; "Show ideas" applies it.
        keys.tab_to("Sort by", tag="select")
        keys.press("ArrowDown")
        page.wait_for_timeout(300)
        assert page.url == live_server.url + campaign.get_absolute_url()
        keys.tab_to("Show ideas", tag="button")
        keys.press("Enter")
        page.wait_for_url("**sort=*")
        keys.tab_to("Share an idea", tag="a", back=True)
        keys.press("Enter")
        page.get_by_role("heading", name="Share an idea").wait_for()
        keys.tab_to("Theme", tag="select")
        keys.press("ArrowDown")  # the first theme, from "Choose a theme"
        assert page.get_by_label("Theme").input_value() != ""
        keys.tab_to("Title", tag="input")
        keys.type("Rest rooms for night staff")
        keys.tab_to("Your idea", tag="textarea")
        keys.type("Somewhere quiet to sit for ten minutes at 3 am.")
        keys.tab_to("Post anonymously")
        keys.press("Space")
        assert page.get_by_label("Post anonymously").is_checked()
        keys.tab_to("Post idea", tag="button")
        keys.press("Enter")
        page.get_by_role("heading", name="Rest rooms for night staff").wait_for()
        mine = Idea.objects.get(title="Rest rooms for night staff")
        assert mine.is_anonymous

        # Comment on it.
        keys.tab_to("Add a comment", tag="textarea")
        keys.type("Ward 3 tried this and it helped.")
        keys.tab_to("Post comment", tag="button")
        keys.press("Enter")
        page.get_by_text("Ward 3 tried this and it helped.").wait_for()
        assert Comment.objects.filter(idea=mine).count() == 1

        # Vote on a colleague's idea: Space on "Support"; the count changes in place
        # and the focus stays on the button.
        page.goto(live_server.url + theirs.get_absolute_url())
        keys.tab_to(re.compile("^Support"), tag="button")
        keys.press("Space")
        votes = page.locator(f'[data-vote-target="idea-{theirs.pk}"]')
        votes.locator('[data-count="support"]').filter(has_text="1").wait_for()
        assert keys.focused()["name"].startswith("Support")
        support = votes.get_by_role("button", name="Support", exact=False).first
        assert support.get_attribute("aria-pressed") == "true"
        # Not by colour alone: the chosen button carries a tick too.
        assert "\u2713" in support.evaluate(
            "b => getComputedStyle(b, '::before').content"
        )

        # Report it: the reason by arrow keys in the radio group, then a note.
        keys.tab_to("Report this idea", tag="a", back=True)
        keys.press("Enter")
        page.get_by_role("heading", name="Report this idea").wait_for()
        keys.tab_to("Offensive or abusive", tag="input")
        keys.press("ArrowDown")
        assert keys.focused()["name"] == "A personal attack"
        assert page.get_by_label("A personal attack").is_checked()
        keys.tab_to("Anything else a moderator should know", tag="textarea")
        keys.type("It could identify a team.")
        keys.tab_to("Send report", tag="button")
        keys.press("Enter")
        page.get_by_text("Thank you for telling us").wait_for()
        flag = Flag.objects.get()
        assert (flag.reason, flag.idea_id) == ("personal_attack", theirs.pk)

        assert not keys.invisible, f"Focus not visible at: {keys.invisible}"
        assert not errors, f"JavaScript errors: {errors}"
        REPORT.append(
            f"keyboard journey: sign in, post, comment, vote, report; "
            f"focus visible at all {keys.stops} stops"
        )
    finally:
        context.close()


def test_the_focus_check_fails_when_a_page_hides_its_focus(browser, live_server):
    """The check above can fail: with every focus style taken away, it says so."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.add_style_tag(
            content="*:focus, *:focus-visible { outline: none !important;"
            " box-shadow: none !important; background: inherit !important;"
            " color: inherit !important; text-decoration: inherit !important; }"
        )
        keys = Keyboard(page)
        keys.tab_to("Email", tag="input")
        assert keys.invisible
    finally:
        context.close()


def test_focus_is_visible_at_every_stop_of_an_idea_page_for_a_moderator(
    browser, live_server, make_staff, make_campaign, make_idea, make_comment
):
    """Every control a moderator meets on an idea (votes, replies, reporting, the
    moderation tools in their opened panels) shows where the focus is."""
    campaign = make_campaign("open", allow_anonymous=True)
    idea = make_idea(campaign, title="Quiet rooms", body="<p>Somewhere to rest.</p>")
    first = make_comment(idea, body="A good idea.")
    make_comment(idea, body="Agreed.", parent=first)
    moderator = make_staff(roles=["moderator"])
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(moderator),
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + idea.get_absolute_url())
        page.evaluate(
            "document.querySelectorAll('details').forEach((d) => d.open = true)"
        )
        keys = Keyboard(page)
        names = keys.walk()
        assert "Skip to main content" in names and "Close comments" in names, names
        assert not keys.invisible, f"Focus not visible at: {keys.invisible}"
        REPORT.append(
            f"idea page as a moderator: focus visible at all {len(names)} Tab stops"
        )
    finally:
        context.close()
