"""Checks that every page must pass, run inside the real browser: axe-core (WCAG 2.0,
2.1 and 2.2 A and AA rules), no sideways scrolling on phones, 200% text, targets of at
least 24 px, and a visible focus indicator.

axe-core comes from npm (package.json) and is copied to build/axe/ by the Makefile, away
from static/, so it never ships to users. It is run with ``page.evaluate``: the page's
Content-Security-Policy allows only the site's own scripts, and evaluate is not subject
to it (an inlined <script> tag would be).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

import pytest
from django.conf import settings

AXE_PATH = settings.BASE_DIR / "build" / "axe" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NARROW_WIDTHS = (360, 320)
MIN_TARGET = 24

# What each e2e check found, printed at the end of the run (tests/e2e/conftest.py).
REPORT: list[str] = []


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: run `make assets` (it copies axe-core)")
    return AXE_PATH.read_text()


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every <details> opened first, so
    what hides inside them is checked too)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    page.evaluate(
        "document.querySelectorAll('details').forEach((d) => (d.open = true))"
    )
    result = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: { type: 'tag', values: tags },
                resultTypes: ['violations'],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => ({
                    target: n.target.join(' '),
                    html: n.html.slice(0, 200),
                    summary: n.failureSummary,
                })),
                count: v.nodes.length,
            }));
        }""",
        AXE_TAGS,
    )
    page.evaluate(
        "document.querySelectorAll('details').forEach((d) => (d.open = false))"
    )
    return result


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['count']} nodes)")
        for node in v["nodes"]:
            lines.append(f"      {node['target']}  {node['html']}")
            lines.append(
                "        " + (node["summary"] or "").replace("\n", "\n        ")
            )
    return "\n".join(lines)


def settle(page) -> None:
    """Let the page lay itself out again after a resize: NHS.UK's header moves menu items
    that no longer fit into "More" on the next animation frame (and again when its
    ResizeObserver fires)."""
    page.evaluate(
        """() => new Promise((done) => requestAnimationFrame(() =>
            requestAnimationFrame(() => requestAnimationFrame(done))))"""
    )


def sideways_overflow(page) -> dict | None:
    """None if the page fits its viewport's width; else the widths and what sticks out."""
    settle(page)
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const scroll = document.documentElement.scrollWidth;
            if (scroll <= width) return null;
            const culprits = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 0.5) {
                    culprits.push(
                        el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                        (el.className && typeof el.className === 'string'
                            ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                        ' right=' + Math.round(box.right)
                    );
                }
                if (culprits.length >= 6) break;
            }
            // Text that runs out of its box (a long word in a large heading).
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            while (walker.nextNode() && culprits.length < 8) {
                const node = walker.currentNode;
                if (!node.textContent.trim()) continue;
                range.selectNodeContents(node);
                const box = range.getBoundingClientRect();
                if (box.width && box.right > width + 0.5) {
                    culprits.push('text "' + node.textContent.trim().slice(0, 40) +
                        '" right=' + Math.round(box.right));
                }
            }
            return { innerWidth: width, scrollWidth: scroll, culprits };
        }"""
    )


def small_targets(page) -> list[str]:
    """Buttons, form controls and button-like links smaller than 24 by 24 CSS px.

    Links inside running text are exempt (WCAG 2.5.8 "inline"); NHS.UK checkboxes and
    radios draw a 40 px box around a hidden input, so their label is measured instead.
    """
    return page.evaluate(
        """(min) => {
            const small = [];
            const visible = (el) => {
                const s = getComputedStyle(el);
                return s.visibility !== 'hidden' && s.display !== 'none' &&
                    el.getClientRects().length > 0;
            };
            const selector = 'button, select, textarea, summary, a.nhsuk-button, ' +
                'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), ' +
                '.nhsuk-checkboxes__label, .nhsuk-radios__label';
            for (const el of document.querySelectorAll(selector)) {
                if (!visible(el) || el.closest('.nhsuk-u-visually-hidden, [hidden]')) continue;
                const box = el.getBoundingClientRect();
                if (box.width < min - 0.5 || box.height < min - 0.5) {
                    small.push(
                        el.tagName.toLowerCase() + ' "' +
                        (el.innerText || el.name || el.id || '').trim().slice(0, 40) + '" ' +
                        Math.round(box.width) + 'x' + Math.round(box.height)
                    );
                }
            }
            return small;
        }""",
        MIN_TARGET,
    )


@dataclass
class PageResult:
    name: str
    url: str
    violations: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not self.violations and not self.problems

    def summary(self) -> str:
        if self.ok():
            return f"{self.name}: axe 0 violations; fits 360/320 px; 200% text; targets >= 24 px"
        rules = ", ".join(v["id"] for v in self.violations)
        return f"{self.name}: {len(self.violations)} axe violations ({rules}); {len(self.problems)} other problems"


def check_page(page, name: str) -> PageResult:
    """Every check on the page that is open now, at phone width, narrow widths and
    200% text. Leaves the viewport at phone size."""
    result = PageResult(name=name, url=page.url)
    page.set_viewport_size(PHONE)
    result.violations = run_axe(page)
    for small in small_targets(page):
        result.problems.append(f"target under {MIN_TARGET} px at 390 px wide: {small}")
    for width in NARROW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        overflow = sideways_overflow(page)
        if overflow:
            result.problems.append(
                f"scrolls sideways at {width} px: {json.dumps(overflow)}"
            )
    # 200% text size: NHS.UK frontend sizes text in rem, so doubling the root font size
    # doubles all text, as a browser's text-size setting does. At a desktop window
    # zoomed to 200% (640 CSS px) and on a phone, nothing may stick out sideways.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    for width in (640, 390):
        page.set_viewport_size({"width": width, "height": 800})
        overflow = sideways_overflow(page)
        if overflow:
            result.problems.append(
                f"scrolls sideways with 200% text at {width} px: {json.dumps(overflow)}"
            )
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size(PHONE)
    return result


def assert_all_pass(results: list[PageResult]) -> None:
    REPORT.extend(r.summary() for r in results)
    failures = [r for r in results if not r.ok()]
    if failures:
        text = []
        for r in failures:
            text.append(f"{r.name} ({r.url})")
            if r.violations:
                text.append(describe_violations(r.violations))
            text.extend(f"  {p}" for p in r.problems)
        pytest.fail("Accessibility problems:\n" + "\n".join(text), pytrace=False)
