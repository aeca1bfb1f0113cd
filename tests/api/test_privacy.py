"""What a service account reads: never an anonymous author (nor one of a contribution
entered on behalf of staff), never an email, nothing hidden, held or merged away,
nothing of a board, a team's campaign or a draft."""

import json
from datetime import date

import pytest
from django.utils import timezone

from conversations.models import Visibility
from conversations.services.on_behalf import enter_idea
from reports import figures
from reports.models import Action, ActionReport
from tests.api.helpers import read_everything, values_under

pytestmark = pytest.mark.django_db

PERSON_KEYS = {"author", "author_id", "user", "staff_member", "created_by", "voter"}


@pytest.fixture
def world(make_staff, make_campaign, make_board, make_team, make_idea):
    campaign = make_campaign("open", allow_anonymous=True)
    secret = make_staff(email="quiet.person@nhs.net", display_name="Quinn Quietly")
    named = make_staff(email="open.person@nhs.net", display_name="Olive Openly")
    anonymous_idea = make_idea(campaign, author=secret, anonymous=True, title="Rest")
    named_idea = make_idea(campaign, author=named, title="Named idea")
    moderator = make_staff(roles=["moderator"], display_name="Mo Derator")
    entered = enter_idea(
        moderator,
        campaign,
        theme=campaign.themes.first(),
        title="From the paper form",
        body="Better rotas.",
        source="paper",
        collected_on=date.today(),
    )
    hidden = make_idea(campaign, title="Hidden idea", visibility=Visibility.HIDDEN)
    held = make_idea(campaign, title="Held idea", visibility=Visibility.HELD)
    merged = make_idea(campaign, title="Merged idea")
    merged.merged_into = named_idea
    merged.save()
    team = make_team()
    board = make_board(team)
    board_idea = make_idea(board, title="Board idea")
    team_campaign = make_campaign("open", audience_teams=[team])
    team_idea = make_idea(team_campaign, title="Team campaign idea")
    draft = make_campaign("draft")
    report = ActionReport.objects.create(
        campaign=campaign,
        title="You said, we did",
        state=ActionReport.State.PUBLISHED,
        published_at=timezone.now(),
        figures=figures.campaign_figures(campaign),
    )
    action = Action.objects.create(report=report, title="Rest rooms", owner="Estates")
    # Only the visible ideas of readable campaigns are named (never a board's).
    action.ideas.set([anonymous_idea, named_idea, hidden, board_idea])
    draft_report = ActionReport.objects.create(campaign=team_campaign, title="Draft")
    return {
        "campaign": campaign,
        "secret": secret,
        "named": named,
        "moderator": moderator,
        "anonymous_idea": anonymous_idea,
        "named_idea": named_idea,
        "entered": entered,
        "not_shown": [hidden, held, merged, board_idea, team_idea],
        "not_shown_campaigns": [board, team_campaign, draft],
        "report": report,
        "draft_report": draft_report,
    }


def test_an_anonymous_or_entered_ideas_author_never_appears(world, api):
    seen = read_everything(api)
    text = json.dumps(seen)
    for person in (world["secret"], world["moderator"]):
        assert person.public_name not in text
        assert person.email not in text
        assert person.email.split("@")[0] not in text
        assert person.pk not in values_under(seen, PERSON_KEYS)
    assert "@" not in text  # no email of anyone
    ideas = {i["id"]: i for i in seen["ideas"]}
    assert ideas[world["anonymous_idea"].pk]["author"] is None
    assert ideas[world["anonymous_idea"].pk]["anonymous"] is True
    assert ideas[world["entered"].pk]["author"] is None
    assert ideas[world["entered"].pk]["source"] == "paper"
    # A named idea says who posted it, as the page does: the check above can fail.
    assert ideas[world["named_idea"].pk]["author"] == "Olive Openly"


def test_hidden_held_merged_board_and_team_ideas_never_appear(world, api):
    seen = read_everything(api)
    text = json.dumps(seen)
    shown = {i["id"] for i in seen["ideas"]}
    assert shown == {
        world["anonymous_idea"].pk,
        world["named_idea"].pk,
        world["entered"].pk,
    }
    assert {t["idea"] for t in seen["tallies"]} == shown
    for idea in world["not_shown"]:
        assert idea.title not in text
        assert api.get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
        assert api.get(f"/api/v1/tallies/{idea.pk}/").status_code == 404
    assert [c["id"] for c in seen["campaigns"]] == [world["campaign"].pk]
    for campaign in world["not_shown_campaigns"]:
        assert campaign.title not in text
        assert api.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
        assert api.get(f"/api/v1/campaigns/{campaign.pk}/figures/").status_code == 404
        assert api.get(f"/api/v1/themes/?campaign={campaign.pk}").json()["count"] == 0


def test_published_reports_only_with_their_actions_and_visible_ideas(world, api):
    seen = read_everything(api)
    assert [r["id"] for r in seen["reports"]] == [world["report"].pk]
    (action,) = seen["reports"][0]["actions"]
    assert action["title"] == "Rest rooms"
    assert sorted(action["ideas"]) == sorted(
        [world["anonymous_idea"].pk, world["named_idea"].pk]
    )
    assert api.get(f"/api/v1/reports/{world['draft_report'].pk}/").status_code == 404
