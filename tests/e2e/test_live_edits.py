"""An author's edit appears in a colleague's open page without a reload, marked
"Edited", through a real ASGI worker and websocket."""

import pytest

from conversations.models import Comment, Idea
from tests.live.helpers import Person
from tests.servers import session_cookie_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


def test_an_authors_edits_reach_a_colleagues_open_pages(
    browser, asgi_server, make_staff, make_campaign
):
    campaign = make_campaign("open")
    sam = make_staff(display_name="Sam Patel")
    author = Person(asgi_server, session_cookie_for(sam))
    # Posted through the server, as the author would (the test's own thread runs
    # Playwright's event loop, where a service's broadcast cannot run).
    author.post(
        f"/campaigns/{campaign.slug}/ideas/new/",
        {
            "theme": campaign.themes.first().pk,
            "title": "Water fountains",
            "body": "On every floor.",
        },
    )
    idea = Idea.objects.get()
    author.post(
        f"/campaigns/{campaign.slug}/ideas/{idea.pk}/comments/",
        {"body": "By the lifts, ideally."},
    )
    comment = Comment.objects.get()
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
    try:
        page.goto(asgi_server.url + campaign.get_absolute_url())
        page.locator('#sv-live[data-state="live"]').wait_for()
        page.evaluate("window.notReloaded = true")

        response = author.post(
            f"/me/posts/ideas/{idea.pk}/edit/",
            {"title": "Water fountains on every floor", "body": "Cold ones, please."},
        )
        assert response.status_code == 302, response.text
        card = page.locator(f"#idea-{idea.pk}")
        card.get_by_role("link", name="Water fountains on every floor").wait_for()
        card.get_by_text("Cold ones, please.").wait_for()
        card.locator("[data-edited-by-author]").get_by_text("Edited").wait_for()

        page.goto(asgi_server.url + idea.get_absolute_url())
        page.locator('#sv-live[data-state="live"]').wait_for()
        page.evaluate("window.notReloaded = true")
        response = author.post(
            f"/me/posts/comments/{comment.pk}/edit/",
            {"body": "By the lifts and the staff room."},
        )
        assert response.status_code == 302, response.text
        shown = page.locator(f"#comment-{comment.pk}")
        shown.get_by_text("By the lifts and the staff room.").wait_for()
        shown.locator("[data-edited-by-author]").get_by_text("Edited").wait_for()
        assert page.evaluate("window.notReloaded") is True
    finally:
        author.close()
        context.close()
    assert not errors, errors
