"""The reports pages: who may see what, and what they show."""

import csv
import io
import json
from datetime import datetime

import pytest
from django.urls import reverse

from conversations.models import Visibility
from reports import services
from reports.models import Action, OutcomeTheme, SynthesisRun
from tests.conftest import SCRIPT

pytestmark = pytest.mark.django_db


def url(name, campaign, *args):
    return reverse(f"reports:{name}", args=[campaign.slug, *args])


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def published(topical_campaign, editor):
    report = services.report_for(topical_campaign)
    theme = services.create_theme(
        editor,
        topical_campaign,
        "Rest",
        [i.pk for i in topical_campaign.topical_ideas[:4]],
    )
    services.add_action(
        editor,
        report,
        title="Quiet rooms on every ward",
        owner="Director of Estates",
        theme=theme,
        idea_ids=[topical_campaign.topical_ideas[0].pk],
    )
    services.publish_report(editor, report)
    return report


EDITOR_PAGES = [
    ("synthesis", "get"),
    ("report_edit", "get"),
    ("report_preview", "get"),
    ("action_create", "get"),
    ("analytics_csv", "get"),
    ("synthesis_start", "post"),
    ("report_publish", "post"),
    ("theme_create", "post"),
]


@pytest.mark.parametrize("name,method", EDITOR_PAGES)
def test_staff_cannot_reach_editor_pages(client, staff, topical_campaign, name, method):
    client.force_login(staff)
    response = getattr(client, method)(url(name, topical_campaign))
    assert response.status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_staff_cannot_export_contributions(client, staff, topical_campaign, fmt):
    client.force_login(staff)
    assert client.get(url("contributions", topical_campaign, fmt)).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, topical_campaign):
    response = client.get(url("analytics", topical_campaign))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_team_campaigns_report_is_refused_to_people_outside_the_team(
    client, make_staff, make_team, make_campaign, editor
):
    ward = make_team()
    campaign = make_campaign("closed", audience_teams=[ward])
    services.publish_report(editor, services.report_for(campaign))
    client.force_login(make_staff())

    assert client.get(url("report", campaign)).status_code == 403
    assert client.get(url("analytics", campaign)).status_code == 403
    assert client.get(url("report_pdf", campaign)).status_code == 403
    outcomes = body(client.get(reverse("reports:outcomes")))
    assert campaign.title not in outcomes


def test_ids_from_another_campaign_are_not_found(
    client, editor, topical_campaign, make_campaign, make_idea
):
    other = make_campaign("closed")
    theme = services.create_theme(editor, other, "Elsewhere")
    action = services.add_action(
        editor, services.report_for(other), title="x", owner="y"
    )
    idea = make_idea(other)
    client.force_login(editor)

    assert (
        client.post(
            url("theme_change", topical_campaign, theme.pk), {"action": "delete"}
        ).status_code
        == 404
    )
    assert (
        client.get(url("action_edit", topical_campaign, action.pk)).status_code == 404
    )
    assert client.post(url("idea_move", topical_campaign, idea.pk)).status_code == 404
    mine = services.create_theme(editor, topical_campaign, "Mine")
    response = client.post(
        url("theme_change", topical_campaign, mine.pk),
        {"action": "merge", "into": theme.pk},
    )
    assert response.status_code == 404
    assert OutcomeTheme.objects.filter(pk=theme.pk).exists()


def test_a_draft_report_is_not_found_by_staff(client, staff, topical_campaign, editor):
    services.report_for(topical_campaign)
    client.force_login(staff)
    assert client.get(url("report", topical_campaign)).status_code == 404
    assert client.get(url("report_print", topical_campaign)).status_code == 404


def test_the_synthesis_workspace_suggests_and_accepts_groups(
    client, editor, topical_campaign, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("synthesis_start", topical_campaign))
    assert response.status_code == 302
    page = body(client.get(url("synthesis", topical_campaign)))
    assert "Suggested from 12 ideas" in page
    assert "A colleague" in page or "Author" in page
    run = SynthesisRun.objects.get()
    group = run.suggestions.first()
    progress = client.get(url("synthesis_progress", topical_campaign)).json()
    assert progress == {"state": "done", "progress": 100}

    client.post(
        url("suggestion_accept", topical_campaign, group.pk),
        {"name": "Rest and breaks"},
    )
    theme = OutcomeTheme.objects.get()
    assert theme.name == "Rest and breaks"
    page = body(client.get(url("synthesis", topical_campaign) + "?placed=yes"))
    assert "Rest and breaks" in page
    assert f'data-idea="{group.idea_ids[0]}"' in page


def test_anonymous_ideas_are_quoted_as_a_colleague(client, editor, topical_campaign):
    anonymous = topical_campaign.topical_ideas[1]
    theme = services.create_theme(editor, topical_campaign, "Rest", [anonymous.pk])
    services.publish_report(editor, services.report_for(topical_campaign))
    client.force_login(editor)
    page = body(client.get(url("report", topical_campaign)))

    assert theme.name in page
    assert "A colleague" in page
    assert anonymous.author.public_name not in page


def test_workspace_filters_by_theme_status_and_placement(
    client, editor, topical_campaign
):
    ideas = topical_campaign.topical_ideas
    services.create_theme(editor, topical_campaign, "Rest", [ideas[0].pk])
    ideas[2].status = "adopted"
    ideas[2].save()
    client.force_login(editor)

    unplaced = body(client.get(url("synthesis", topical_campaign) + "?placed=no"))
    assert f'data-idea="{ideas[0].pk}"' not in unplaced
    assert f'data-idea="{ideas[1].pk}"' in unplaced
    adopted = body(client.get(url("synthesis", topical_campaign) + "?status=adopted"))
    assert adopted.count("data-idea=") == 1


def test_an_editor_writes_and_publishes_a_report(
    client, editor, topical_campaign, staff
):
    client.force_login(editor)
    response = client.post(
        url("report_edit", topical_campaign),
        {"title": "You said, we did", "summary": f"Thank you. {SCRIPT}"},
    )
    assert response.status_code == 302
    theme = services.create_theme(
        editor,
        topical_campaign,
        "Rest",
        [i.pk for i in topical_campaign.topical_ideas[:4]],
    )
    response = client.post(
        url("action_create", topical_campaign),
        {
            "title": "Quiet rooms",
            "owner": "Estates",
            "due_date": "2027-03-31",
            "status": "planned",
            "theme": theme.pk,
            "ideas": [topical_campaign.topical_ideas[0].pk],
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    preview = body(client.get(url("report_preview", topical_campaign)))
    assert "Quiet rooms" in preview and "Preview" in preview
    assert "<script>alert" not in preview

    client.post(url("report_publish", topical_campaign))
    client.force_login(staff)
    page = body(client.get(url("report", topical_campaign)))
    assert "Quiet rooms" in page
    assert "31 March 2027" in page
    assert f'id="action-{action.pk}"' in page
    idea_page = body(client.get(topical_campaign.topical_ideas[0].get_absolute_url()))
    assert "What happened" in idea_page
    assert action.get_absolute_url() in idea_page
    outcomes = body(client.get(reverse("reports:outcomes")))
    assert "You said, we did" in outcomes
    assert "0 of 1 actions done" in outcomes


def test_an_action_status_update_shows_on_the_report_with_its_date(
    client, editor, published, topical_campaign, staff
):
    action = published.actions.get()
    client.force_login(editor)
    client.post(
        url("action_edit", topical_campaign, action.pk),
        {
            "title": action.title,
            "owner": action.owner,
            "status": "done",
            "ideas": [topical_campaign.topical_ideas[0].pk],
            "note": "Opened on Ward 3",
        },
    )
    client.force_login(staff)
    page = body(client.get(url("report", topical_campaign)))
    assert "Opened on Ward 3" in page
    assert page.count("data-update") == 2
    assert "1 of 1 actions done" in body(client.get(reverse("reports:outcomes")))


def test_outcomes_lists_newest_reports_first(client, staff, editor, make_campaign):
    older, newer = (
        make_campaign("closed", title="Older"),
        make_campaign("closed", title="Newer"),
    )
    services.publish_report(editor, services.report_for(older))
    services.publish_report(editor, services.report_for(newer))
    services.report_for(make_campaign("closed", title="Still a draft"))
    client.force_login(staff)
    page = body(client.get(reverse("reports:outcomes")))

    assert page.index("Newer") < page.index("Older")
    assert "Still a draft" not in page


def test_outcomes_page_runs_a_fixed_number_of_queries(
    client, staff, editor, make_campaign, django_assert_max_num_queries
):
    for n in range(6):
        report = services.report_for(make_campaign("closed"))
        services.add_action(editor, report, title=f"a{n}", owner="o")
        services.publish_report(editor, report)
    client.force_login(staff)
    client.get(reverse("reports:outcomes"))
    # Which campaigns the viewer may see: every campaign's facts, in three queries;
    # and one for the open prioritisation rounds.
    with django_assert_max_num_queries(10):
        client.get(reverse("reports:outcomes"))


def test_analytics_page_shows_figures_tables_and_a_chart(
    client, staff, topical_campaign
):
    client.force_login(staff)
    page = body(client.get(url("analytics", topical_campaign)))

    assert 'data-figure="ideas">12<' in page
    assert "<svg" in page and 'role="img"' in page
    assert 'data-breakdown="directorate"' in page
    assert "sv-pulse" not in page  # closed: nothing live


def test_an_open_campaigns_analytics_page_is_live(
    client, staff, make_campaign, make_idea
):
    campaign = make_campaign("open")
    make_idea(campaign)
    client.force_login(staff)
    page = body(client.get(url("analytics", campaign)))

    assert f'data-ws="/ws/campaigns/{campaign.pk}/"' in page
    assert url("analytics_fragment", campaign) in page
    fragment = body(client.get(url("analytics_fragment", campaign)))
    assert 'data-figure="ideas">1<' in fragment
    assert "<html" not in fragment


def test_published_figures_are_frozen_on_the_analytics_page(
    client, staff, published, topical_campaign, make_idea
):
    make_idea(topical_campaign)
    client.force_login(staff)
    page = body(client.get(url("analytics", topical_campaign)))
    assert 'data-figure="ideas">12<' in page
    assert "frozen" in page


def _csv(response):
    return list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))


def test_contributions_csv_names_no_anonymous_author_and_leaves_out_hidden_posts(
    client, editor, topical_campaign, make_idea
):
    hidden = make_idea(
        topical_campaign, visibility=Visibility.HIDDEN, title="Hidden one"
    )
    theme = services.create_theme(
        editor, topical_campaign, "Rest", [topical_campaign.topical_ideas[0].pk]
    )
    client.force_login(editor)
    response = client.get(url("contributions", topical_campaign, "csv"))

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    by_id = {int(r["id"]): r for r in rows}
    assert len(rows) == 12 and hidden.pk not in by_id
    named = topical_campaign.topical_ideas[0]
    anonymous = topical_campaign.topical_ideas[1]
    assert by_id[named.pk]["author"] == named.author.public_name
    assert by_id[named.pk]["outcome_theme"] == theme.name
    assert by_id[anonymous.pk]["author"] == ""
    text = body(client.get(url("contributions", topical_campaign, "csv")))
    assert f",{anonymous.author.public_name}\r\n" not in text
    assert set(rows[0]) >= {
        "id",
        "theme",
        "text",
        "support",
        "comments",
        "status",
        "created_at",
    }

    with_hidden = _csv(
        client.get(url("contributions", topical_campaign, "csv") + "?hidden=1")
    )
    assert hidden.pk in {int(r["id"]) for r in with_hidden}


def test_contributions_json_streams_the_same_rows(client, editor, topical_campaign):
    client.force_login(editor)
    rows = json.loads(body(client.get(url("contributions", topical_campaign, "json"))))
    assert len(rows) == 12
    assert rows[0]["text"] and "<p>" not in rows[0]["text"]
    first = min(topical_campaign.topical_ideas, key=lambda i: i.pk)
    assert datetime.fromisoformat(rows[0]["created_at"]) == first.created_at


def test_spreadsheet_formulas_in_text_are_defused(
    client, editor, make_campaign, make_idea
):
    campaign = make_campaign("closed")
    make_idea(campaign, title='=HYPERLINK("http://x")')
    client.force_login(editor)
    rows = _csv(client.get(url("contributions", campaign, "csv")))
    assert rows[0]["title"].startswith("'=")


def test_analytics_csv_has_every_section_and_hides_small_groups(
    client, editor, topical_campaign
):
    from accounts.models import Directorate

    author = topical_campaign.topical_ideas[0].author
    author.directorate = Directorate.objects.create(name="Acute", headcount=40)
    author.save()
    client.force_login(editor)
    text = body(client.get(url("analytics_csv", topical_campaign)))
    assert "summary,,ideas,12" in text
    assert "timeline," in text
    assert "new people," in text
    # Acute (1) is never named; "not given" (11) joins it, or the total would give
    # the 1 away: everyone is "other groups together" (conversations.small_numbers).
    assert "Acute" not in text
    assert "Directorate,Not given" not in text
    assert "Directorate,Other groups together,people,12" in text


def test_the_report_is_a_pdf_even_with_no_ideas_or_actions(
    client, editor, make_campaign
):
    campaign = make_campaign("closed")
    client.force_login(editor)
    response = client.get(url("report_pdf", campaign))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = body(client.get(url("report_print", campaign)))
    assert "No actions have been added" in page
    assert "No outcome themes yet" in page


def test_the_pdf_of_a_published_report_is_readable_by_staff(
    client, staff, published, topical_campaign
):
    client.force_login(staff)
    response = client.get(url("report_pdf", topical_campaign))
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 3000
