"""Light pages: a campaign page's first load (empty cache, a full first page of ideas)
transfers under 200 KB, measured from the bytes Chromium received (Network events
over CDP), served by a real ASGI worker as in production (whitenoise sends static files
compressed). The figures are printed at the end of the run; the page must also be
usable quickly on a slow mobile connection."""

import base64
import gzip

import pytest
from django.conf import settings

from tests.e2e.a11y import PHONE, REPORT
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

BUDGET = 200 * 1024
# A slow mobile connection (Chrome DevTools' "Slow 4G"-like): 400 ms round trips,
# about 1.6 Mbit/s down.
SLOW = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
SLOW_BUDGET_SECONDS = 6


def _open(browser, server, user):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie_for(user), "url": server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return context, page, cdp


def _record(cdp) -> dict:
    """Bytes received per request (headers and body as sent on the wire)."""
    requests: dict[str, dict] = {}

    def on_response(event):
        response = event["response"]
        requests.setdefault(event["requestId"], {}).update(
            url=response["url"],
            encoding=response["headers"].get("content-encoding")
            or response["headers"].get("Content-Encoding")
            or "",
        )

    def on_finished(event):
        requests.setdefault(event["requestId"], {})["bytes"] = event[
            "encodedDataLength"
        ]

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    return requests


def test_campaign_page_first_load_is_under_200_kb(
    browser, asgi_server, make_staff, make_campaign, make_idea, make_comment
):
    campaign = make_campaign("open", title="Our health and wellbeing")
    for n in range(settings.IDEAS_PER_PAGE + 5):
        idea = make_idea(
            campaign,
            title=f"Idea number {n}: quiet rooms, water and better rotas",
            body="<p>"
            + "A realistic paragraph of a staff member's idea. " * 8
            + "</p>",
        )
        if n % 4 == 0:
            make_comment(idea, body="A short comment in reply.")
    context, page, cdp = _open(browser, asgi_server, make_staff())
    try:
        requests = _record(cdp)
        page.goto(asgi_server.url + campaign.get_absolute_url(), wait_until="load")
        page.locator('#sv-live[data-state="live"]').wait_for()
        assert page.locator(".sv-idea").count() == settings.IDEAS_PER_PAGE
        page.wait_for_timeout(200)  # let the last loadingFinished events arrive

        done = [r for r in requests.values() if "bytes" in r and "url" in r]
        total = sum(r["bytes"] for r in done)
        # The page itself comes uncompressed from the worker (no proxy in front here):
        # what it would weigh gzipped too, as a compressing proxy would send it.
        as_gzip = total
        for request_id, r in requests.items():
            if r.get("url", "").startswith(asgi_server.url) and not r.get("encoding"):
                body = cdp.send("Network.getResponseBody", {"requestId": request_id})
                raw = (
                    base64.b64decode(body["body"])
                    if body["base64Encoded"]
                    else body["body"].encode()
                )
                as_gzip += len(gzip.compress(raw, 6)) - len(raw)
        lines = [
            f"  {r['bytes'] / 1024:6.1f} KB  {r['encoding'] or 'identity':8} "
            f"{r['url'].replace(asgi_server.url, '')}"
            for r in sorted(done, key=lambda r: -r["bytes"])
        ]
        report = (
            f"campaign page first load: {total / 1024:.1f} KB transferred in "
            f"{len(done)} requests (budget {BUDGET // 1024} KB); "
            f"{as_gzip / 1024:.1f} KB with the page itself gzipped too\n"
            + "\n".join(lines)
        )
        REPORT.append(report)
        print(report)
        assert total < BUDGET, report
        # Static files arrive compressed; nothing is fetched from another site.
        for r in done:
            assert r["url"].startswith(asgi_server.url), r["url"]
            if r["url"].endswith((".css", ".js")):
                assert r["encoding"] in ("gzip", "br"), r
    finally:
        context.close()


def test_campaign_page_is_usable_soon_on_a_slow_connection(
    browser, asgi_server, make_staff, make_campaign, make_idea
):
    campaign = make_campaign("open", title="Our health and wellbeing")
    for n in range(settings.IDEAS_PER_PAGE):
        make_idea(campaign, title=f"Idea {n}", body="<p>Some words about it.</p>")
    context, page, cdp = _open(browser, asgi_server, make_staff())
    try:
        cdp.send("Network.emulateNetworkConditions", SLOW)
        page.goto(asgi_server.url + campaign.get_absolute_url(), wait_until="load")
        timing = page.evaluate(
            """() => {
                const nav = performance.getEntriesByType('navigation')[0];
                return { ready: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
            }"""
        )
        page.get_by_role("link", name="Share an idea").wait_for()
        report = (
            f"campaign page on a slow connection (400 ms, 1.6 Mbit/s): ready in "
            f"{timing['ready'] / 1000:.1f} s, loaded in {timing['load'] / 1000:.1f} s"
        )
        REPORT.append(report)
        print(report)
        assert timing["load"] / 1000 < SLOW_BUDGET_SECONDS, report
    finally:
        context.close()
