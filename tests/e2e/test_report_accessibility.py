"""The reports pages in a real browser: no axe-core violations, nothing scrolls sideways
at 360 or 320 px, targets of at least 24 px (tests/e2e/a11y.py)."""

import pytest

from reports import services
from reports.models import SynthesisRun
from tests.e2e.a11y import PHONE, assert_all_pass, check_page
from tests.reports.conftest import TOPICS
from tests.servers import session_cookie_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reports_world(make_staff, make_campaign, make_idea, make_comment):
    manager = make_staff(roles=["engagement_manager"], display_name="Jo Evans")
    staff = make_staff(display_name="Alex Morgan")
    closed = make_campaign("closed", title="Living our values", allow_anonymous=True)
    ideas = []
    for n, (title, body) in enumerate(t for topic in TOPICS.values() for t in topic):
        ideas.append(
            make_idea(
                closed,
                author=make_staff(display_name=f"Colleague {n}"),
                title=title,
                body=f"<p>{body}</p>",
                anonymous=n % 4 == 1,
            )
        )
        make_comment(ideas[-1], author=staff, body="Yes, this would help.")
    run = SynthesisRun.objects.create(campaign=closed, requested_by=manager)
    services.compute_synthesis(run)
    groups = list(run.suggestions.all())
    first = services.accept_suggestion(manager, groups[0], "Rest and breaks")
    services.accept_suggestion(manager, groups[1])
    report = services.report_for(closed)
    services.update_report(
        manager, report, title="You said, we did", summary="Thank you for taking part."
    )
    action = services.add_action(
        manager,
        report,
        title="Quiet rooms on every ward",
        owner="Director of Estates",
        theme=first,
        idea_ids=groups[0].idea_ids[:2],
    )
    services.publish_report(manager, report)
    services.update_action(
        manager,
        action,
        title=action.title,
        owner=action.owner,
        due_date=None,
        status="in_progress",
        idea_ids=groups[0].idea_ids[:2],
        note="Two rooms open",
    )
    open_campaign = make_campaign("open", title="Our health and wellbeing")
    make_idea(open_campaign, author=staff, title="Water fountains on every floor")
    draft = make_campaign("closed", title="Travel and parking")
    return {
        "manager": manager,
        "staff": staff,
        "closed": closed,
        "open": open_campaign,
        "draft": draft,
        "action": action,
        "idea": ideas[0],
    }


def _visit(browser, live_server, user, pages):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session_cookie_for(user),
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    results = []
    try:
        for name, path in pages:
            response = page.goto(live_server.url + path)
            assert response.status < 400, f"{name}: {response.status}"
            results.append(check_page(page, name))
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
    return results


def test_report_pages_for_an_engagement_manager(browser, live_server, reports_world):
    closed, draft = reports_world["closed"].slug, reports_world["draft"].slug
    results = _visit(
        browser,
        live_server,
        reports_world["manager"],
        [
            ("outcomes, as a manager", "/outcomes/"),
            ("synthesis workspace", f"/campaigns/{closed}/synthesis/"),
            ("synthesis, nothing run yet", f"/campaigns/{draft}/synthesis/"),
            ("write the report (published)", f"/campaigns/{closed}/report/edit/"),
            ("write the report (draft, empty)", f"/campaigns/{draft}/report/edit/"),
            ("report preview (empty)", f"/campaigns/{draft}/report/preview/"),
            ("add an action", f"/campaigns/{closed}/report/actions/new/"),
            (
                "change an action",
                f"/campaigns/{closed}/report/actions/{reports_world['action'].pk}/",
            ),
            (
                "participation (open, live)",
                f"/campaigns/{reports_world['open'].slug}/analytics/",
            ),
        ],
    )
    assert_all_pass(results)


def test_report_pages_for_staff(browser, live_server, reports_world):
    closed = reports_world["closed"].slug
    results = _visit(
        browser,
        live_server,
        reports_world["staff"],
        [
            ("outcomes", "/outcomes/"),
            ("published report", f"/campaigns/{closed}/report/"),
            ("printable report", f"/campaigns/{closed}/report/print/"),
            ("participation (frozen)", f"/campaigns/{closed}/analytics/"),
            ("idea with what happened", reports_world["idea"].get_absolute_url()),
        ],
    )
    assert_all_pass(results)
