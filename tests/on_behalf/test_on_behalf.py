"""Contributions collected on paper or at an event, entered by a moderator: always
anonymous, marked with their source, counted in the figures, checked for details
that could identify someone."""

import json
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Band
from conversations.exceptions import Refused
from conversations.models import AuditEntry, Idea
from conversations.services import on_behalf
from reports import figures

pytestmark = pytest.mark.django_db


def _enter(user, campaign, **kwargs):
    values = {
        "theme": campaign.themes.first(),
        "title": "Somewhere to sit on breaks",
        "body": "<p>Our base has no chairs in the staff room.</p>",
        "source": Idea.Source.PAPER,
        "collected_on": timezone.localdate() - timedelta(days=2),
    }
    return on_behalf.enter_idea(user, campaign, **{**values, **kwargs})


def test_a_moderator_enters_a_paper_contribution_anonymously(make_campaign, make_staff):
    campaign = make_campaign()
    moderator = make_staff(roles=["moderator"], display_name="Sam Moderator")
    idea = _enter(moderator, campaign)
    idea.refresh_from_db()
    assert idea.author_id is None and idea.is_anonymous
    assert idea.source == "paper"
    entry = AuditEntry.objects.get(idea=idea)
    assert entry.actor == moderator and entry.action == "on_behalf"


def test_staff_cannot_enter_contributions_for_others(make_campaign, make_staff):
    with pytest.raises(Refused):
        _enter(make_staff(), make_campaign())


def test_a_campaign_not_yet_open_takes_no_contributions(make_campaign, make_staff):
    with pytest.raises(Refused):
        _enter(make_staff(roles=["moderator"]), make_campaign("scheduled"))


def test_a_closed_campaign_still_takes_late_paper_forms(make_campaign, make_staff):
    idea = _enter(make_staff(roles=["moderator"]), make_campaign("closed"))
    assert idea.pk


def test_details_that_identify_someone_are_refused(make_campaign, make_staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="email address"):
        _enter(
            make_staff(roles=["moderator"]),
            make_campaign(),
            body="Ask jo.bloggs@nhs.net about it",
        )
    assert not Idea.objects.exists()


def test_the_database_refuses_an_author_on_an_entered_idea(make_campaign, make_staff):
    campaign = make_campaign()
    with pytest.raises(IntegrityError), transaction.atomic():
        Idea.objects.create(
            campaign=campaign,
            theme=campaign.themes.first(),
            author=make_staff(),
            is_anonymous=False,
            title="x",
            body="y",
            source="event",
            collected_on=date(2026, 11, 12),
        )


def test_the_card_says_where_it_came_from_and_names_nobody(
    client, make_campaign, make_staff
):
    campaign = make_campaign()
    moderator = make_staff(roles=["moderator"], display_name="Sam Moderator")
    _enter(moderator, campaign, collected_on=date(2026, 11, 12))
    _enter(
        moderator,
        campaign,
        title="Walking meetings",
        source=Idea.Source.EVENT,
        collected_on=date(2026, 11, 10),
    )
    client.force_login(make_staff())
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "From a paper form, 12 Nov" in page
    assert "From an event, 10 Nov" in page
    assert "Sam Moderator" not in page
    client.force_login(moderator)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "From a paper form, 12 Nov" in page
    assert page.count("Sam Moderator") <= 1  # the header's own name, never the card


def test_entered_ideas_count_in_the_figures_and_breakdowns(
    make_campaign, make_staff, settings
):
    settings.SMALL_GROUP_THRESHOLD = 2
    campaign = make_campaign()
    moderator = make_staff(roles=["moderator"])
    band = Band.objects.create(name="Band 3", position=3)
    other = Band.objects.create(name="Band 4", position=4)
    for n in range(3):
        _enter(moderator, campaign, title=f"Paper {n}", band=band)
    for n in range(2):
        _enter(moderator, campaign, title=f"Event {n}", band=other)
    _enter(moderator, campaign, title="No band given")
    # Entered three days ago: breakdowns count the people of closed days only.
    Idea.objects.exclude(source="").update(
        created_at=timezone.now() - timedelta(days=3)
    )
    found = figures.campaign_figures(campaign)
    assert found["ideas"] == 6
    assert found["people"] == 6
    bands = next(b for b in found["breakdowns"] if b["dimension"] == "band")
    # "Not given" (1) is small alone, so Band 4 (2) joins it in "other groups".
    assert [(g["name"], g["people"]) for g in bands["groups"]] == [("Band 3", 3)]
    assert bands["others"] == 3


def test_the_form_enters_one_and_keeps_source_and_date_for_the_next(
    client, make_campaign, make_staff
):
    campaign = make_campaign()
    client.force_login(make_staff(roles=["moderator"]))
    url = reverse("on_behalf:enter", args=[campaign.slug])
    page = client.get(url).content.decode()
    assert "Where was it collected?" in page and "Focus group" in page
    response = client.post(
        url,
        {
            "source": "focus_group",
            "collected_on": "2026-11-12",
            "theme": campaign.themes.first().pk,
            "title": "Fewer meetings",
            "body": "Protect Friday afternoons.",
        },
    )
    assert response.status_code == 302
    assert "source=focus_group" in response.url
    page = client.get(response.url).content.decode()
    assert "is posted anonymously" in page
    assert 'value="focus_group" checked' in page
    assert 'value="2026-11-12"' in page
    idea = Idea.objects.get(title="Fewer meetings")
    assert idea.author_id is None and idea.source == "focus_group"


def test_the_form_re_renders_what_was_typed_when_it_identifies_someone(
    client, make_campaign, make_staff
):
    campaign = make_campaign()
    client.force_login(make_staff(roles=["moderator"]))
    url = reverse("on_behalf:enter", args=[campaign.slug])
    response = client.post(
        url,
        {
            "source": "paper",
            "collected_on": "2026-11-12",
            "theme": campaign.themes.first().pk,
            "title": "Call me",
            "body": "My number is 07700 900123",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "a phone number" in page
    assert "My number is 07700 900123" in page
    assert not Idea.objects.exists()


def test_staff_do_not_get_the_form(client, make_campaign, make_staff):
    campaign = make_campaign()
    client.force_login(make_staff())
    url = reverse("on_behalf:enter", args=[campaign.slug])
    assert client.get(url).status_code == 403
    assert "on-behalf" not in client.get(campaign.get_absolute_url()).content.decode()


def test_the_live_card_says_where_it_came_from_in_each_language(
    make_campaign, make_staff
):
    from conversations.models import CampaignEvent

    campaign = make_campaign()
    moderator = make_staff(roles=["moderator"], display_name="Sam Moderator")
    _enter(moderator, campaign, collected_on=date(2026, 11, 12))
    event = CampaignEvent.objects.get(campaign=campaign, type="idea.posted")
    assert "From a paper form, 12 Nov" in event.payload["html"]
    assert "O ffurflen bapur" in event.payload["translations"]["cy"]["html"]
    assert "Sam Moderator" not in json.dumps(event.payload)


def test_the_export_says_where_an_entered_idea_came_from_and_names_nobody(
    client, make_campaign, make_staff
):
    campaign = make_campaign()
    moderator = make_staff(roles=["moderator"], display_name="Sam Moderator")
    idea = _enter(moderator, campaign, collected_on=date(2026, 11, 12))
    client.force_login(moderator)
    url = reverse("reports:contributions", args=[campaign.slug, "json"])
    rows = json.loads(b"".join(client.get(url).streaming_content))
    row = next(r for r in rows if r["id"] == idea.pk)
    assert (row["source"], row["collected_on"]) == ("paper", "2026-11-12")
    assert row["author"] == ""
