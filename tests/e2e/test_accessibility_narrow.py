"""The accessibility statement's promises, checked in a real browser on the main
pages at 320 px wide with text at 200% (WCAG 1.4.4 and 1.4.10):

- nothing sticks out past the edge of the screen or out of its own box, clipped or
  not (a campaign's figures once did, inside boxes that hid it);
- a region that scrolls sideways can be reached by keyboard and says what it holds
  (tabindex="0", role="region", a name; WCAG 2.1.1);
- buttons do not touch each other (a gap of at least 4 px between any two);
- the header is laid out at its final height before the page's script runs.

The checks are shown to fail on pages made to break them, at the end."""

import json

import pytest
from django.urls import reverse

from tests.e2e.a11y import settle
from tests.e2e.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
MIN_GAP = 4

# Everything that sticks out: past the viewport, or text out of its own block.
STICKING_OUT = """() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    const name = (el) => el.tagName.toLowerCase() +
        (el.className && typeof el.className === 'string'
            ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const inScroller = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if ((o === 'auto' || o === 'scroll') && p.scrollWidth > p.clientWidth) return true;
        }
        return false;
    };
    const clipped = (el) => {
        // Inside a box of 1 px that hides what overflows it: visually hidden text
        // (NHS.UK's responsive table headings) that nobody sees sticking out.
        for (let p = el; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p), r = p.getBoundingClientRect();
            if (s.overflow === 'hidden' && (r.width <= 1 || r.height <= 1)) return true;
        }
        return false;
    };
    const hidden = (el) =>
        el.closest('.nhsuk-u-visually-hidden, [hidden], .nhsuk-skip-link') || clipped(el);
    for (const el of document.body.querySelectorAll('*')) {
        if (hidden(el) || inScroller(el)) continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 0.5) {
            found.push(name(el) + ' right=' + Math.round(box.right) + ' > ' + width);
        }
        if (found.length > 6) break;
    }
    // Text wider than the block it sits in (a number out of its figure's box).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode() && found.length < 12) {
        const node = walker.currentNode;
        const parent = node.parentElement;
        if (!node.textContent.trim() || hidden(parent) || inScroller(parent)) continue;
        let block = parent;
        while (block && getComputedStyle(block).display.startsWith('inline')) {
            block = block.parentElement;
        }
        range.selectNodeContents(node);
        const text = range.getBoundingClientRect();
        const box = block.getBoundingClientRect();
        if (text.width && (text.right > box.right + 1 || text.left < box.left - 1)) {
            found.push('text "' + node.textContent.trim().slice(0, 30) + '" out of ' +
                name(block) + ' by ' + Math.round(text.right - box.right) + ' px');
        }
    }
    return found;
}"""

UNREACHABLE_SCROLLERS = """() => {
    const found = [];
    for (const el of document.body.querySelectorAll('*')) {
        const o = getComputedStyle(el).overflowX;
        if (!(o === 'auto' || o === 'scroll')) continue;
        if (el.scrollWidth <= el.clientWidth) continue;
        const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
        if (el.tabIndex < 0 || el.getAttribute('role') !== 'region' || !named) {
            found.push(el.tagName.toLowerCase() + '.' + el.className +
                ' tabindex=' + el.getAttribute('tabindex') +
                ' role=' + el.getAttribute('role') + ' label=' + named);
        }
    }
    return found;
}"""

TOUCHING_BUTTONS = """(gap) => {
    const selector = 'button, a.nhsuk-button, input[type=submit], input[type=button]';
    const boxes = [...document.querySelectorAll(selector)]
        .filter((el) => el.getClientRects().length &&
            !el.closest('.nhsuk-u-visually-hidden, [hidden]'))
        .map((el) => [el, el.getBoundingClientRect()]);
    const found = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const [a, ra] = boxes[i], [b, rb] = boxes[j];
            if (a.contains(b) || b.contains(a)) continue;
            const dx = Math.max(rb.left - ra.right, ra.left - rb.right);
            const dy = Math.max(rb.top - ra.bottom, ra.top - rb.bottom);
            if (dx < gap && dy < gap) {
                found.push('"' + (a.innerText || a.value || '').trim().slice(0, 25) +
                    '" and "' + (b.innerText || b.value || '').trim().slice(0, 25) +
                    '" ' + Math.round(Math.max(dx, dy)) + ' px apart');
            }
        }
    }
    return found;
}"""


def problems_at_320_with_200_percent_text(page) -> list[str]:
    page.set_viewport_size(NARROW)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    settle(page)
    found = [f"sticks out: {item}" for item in page.evaluate(STICKING_OUT)]
    found += [
        f"scrolls, not reachable by keyboard: {item}"
        for item in page.evaluate(UNREACHABLE_SCROLLERS)
    ]
    found += [
        f"buttons touching: {item}" for item in page.evaluate(TOUCHING_BUTTONS, MIN_GAP)
    ]
    page.evaluate("document.documentElement.style.fontSize = ''")
    return found


@pytest.fixture
def world(settings, make_staff, make_campaign, make_team):
    settings.REVEAL_ENABLED = True
    return build_world(make_staff, make_campaign, make_team)


def _pages(world) -> list[tuple[str, object, str]]:
    slug = world.campaign.slug
    return [
        ("welcome", None, "/"),
        ("sign in", None, reverse("account_login")),
        ("accessibility statement", None, reverse("statements:accessibility")),
        ("privacy notice", None, reverse("statements:privacy")),
        ("cookies", None, reverse("statements:cookies")),
        ("home", world.staff, "/"),
        ("campaign", world.staff, world.campaign.get_absolute_url()),
        ("idea", world.staff, world.idea.get_absolute_url()),
        ("posting form", world.staff, f"/campaigns/{slug}/ideas/new/"),
        ("my posts", world.staff, "/me/posts/"),
        ("notifications", world.staff, "/notifications/"),
        ("moderation queue", world.moderator, "/moderation/"),
        ("moderation history", world.moderator, "/moderation/history/"),
        ("campaign analytics", world.manager, f"/campaigns/{slug}/analytics/"),
        ("reveal decision", world.second_holder, f"/reveal/{world.reveal_request.pk}/"),
    ]


def test_main_pages_at_320_px_with_200_percent_text(world, browser, live_server):
    failures = {}
    contexts = {}
    try:
        for name, person, path in _pages(world):
            key = getattr(person, "pk", None)
            if key not in contexts:
                contexts[key] = browser.new_context(viewport=NARROW)
                if person is not None:
                    contexts[key].add_cookies(world.cookie(person, live_server.url))
                contexts[key].new_page().set_default_timeout(10_000)
            page = contexts[key].pages[0]
            response = page.goto(live_server.url + path)
            if response.status != 200:
                failures[name] = [f"answered {response.status}"]
                continue
            found = problems_at_320_with_200_percent_text(page)
            if found:
                failures[name] = found
    finally:
        for context in contexts.values():
            context.close()
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def test_the_header_keeps_its_height_as_the_page_loads(world, browser, live_server):
    """No layout shift from the header: its height at first paint, before the page's
    script has run (scripts held back), is its height once the script has run."""
    heights = []
    for scripts in (False, True):
        context = browser.new_context(viewport=NARROW)
        context.add_cookies(world.cookie(world.manager, live_server.url))
        if not scripts:
            context.route("**/*.js", lambda route: route.abort())
        page = context.new_page()
        try:
            page.goto(live_server.url + world.campaign.get_absolute_url())
            settle(page)
            heights.append(
                page.evaluate(
                    "() => document.querySelector('.nhsuk-header')"
                    ".getBoundingClientRect().height"
                )
            )
        finally:
            context.close()
    before, after = heights
    assert abs(before - after) <= 1, f"header {before}px before script, {after}px after"


BROKEN = """<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body>
<main><dl style="display:grid;grid-template-columns:1fr 1fr">
<div style="overflow:hidden;border:1px solid"><dt>Votes</dt>
<dd style="font-size:3rem;white-space:nowrap">1,234,567</dd></div><div></div></dl>
<div style="overflow-x:auto"><table><tr><td style="white-space:nowrap">
A table much wider than a phone, A table much wider than a phone</td></tr></table></div>
<button>One</button><button style="margin-left:0">Two</button></main></body></html>"""


def test_the_checks_can_fail(page):
    page.set_content(BROKEN)
    found = problems_at_320_with_200_percent_text(page)
    kinds = {item.split(":")[0] for item in found}
    assert kinds == {
        "sticks out",
        "scrolls, not reachable by keyboard",
        "buttons touching",
    }, found
