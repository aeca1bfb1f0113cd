"""Creating and changing campaigns: engagement managers only."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conversations import services
from conversations.exceptions import Refused
from conversations.models import Campaign, CampaignStatus

pytestmark = pytest.mark.django_db


def create(user, **fields):
    now = timezone.now()
    fields = {
        "title": "Our future together",
        "introduction": "<p>Tell us what matters.</p><script>alert(1)</script>",
        "themes": ["Health and wellbeing", "Ways of working", "Leadership"],
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=20),
        **fields,
    }
    return services.create_campaign(user, **fields)


def test_engagement_manager_creates_an_open_campaign_with_its_themes_in_order(manager):
    campaign = create(manager)

    assert campaign.status(timezone.now()) == CampaignStatus.OPEN
    assert campaign.created_by == manager
    assert [t.name for t in campaign.themes.all()] == [
        "Health and wellbeing",
        "Ways of working",
        "Leadership",
    ]


def test_administrator_may_create_campaigns(make_staff):
    assert create(make_staff(roles=["administrator"])).pk is not None


@pytest.mark.parametrize("role", [None, "moderator", "team_lead"])
def test_only_engagement_managers_may_create_campaigns(make_staff, role):
    user = make_staff(roles=[role] if role else [])

    with pytest.raises(Refused) as refused:
        create(user)

    assert "engagement managers" in str(refused.value.message)
    assert not Campaign.objects.exists()


def test_campaign_needs_at_least_one_theme(manager):
    with pytest.raises(ValidationError):
        create(manager, themes=[])
    assert not Campaign.objects.exists()


def test_campaign_text_is_stored_sanitised(manager):
    campaign = create(
        manager, title="<i>Our</i> future <script>x</script>", themes=["<b>Health</b>"]
    )

    assert campaign.title == "Our future x"
    assert "<script" not in campaign.introduction
    assert campaign.introduction.startswith("<p>Tell us what matters.</p>")
    assert campaign.themes.get().name == "Health"


def test_campaigns_with_the_same_title_get_different_addresses(manager):
    first, second = create(manager), create(manager)

    assert first.slug == "our-future-together"
    assert second.slug != first.slug
    assert second.get_absolute_url() != first.get_absolute_url()


def test_unpublished_campaign_is_a_draft(manager):
    campaign = create(manager, publish=False)

    assert campaign.status(timezone.now()) == CampaignStatus.DRAFT


def test_campaign_can_be_limited_to_teams(manager, make_team):
    ward = make_team()

    campaign = create(manager, audience_teams=[ward], allow_anonymous=True)

    assert list(campaign.audience_teams.all()) == [ward]
    assert campaign.allow_anonymous is True


def test_update_campaign_renames_and_adds_themes_but_keeps_themes_that_have_ideas(
    manager, make_idea
):
    campaign = create(manager)
    leadership = campaign.themes.get(name="Leadership")
    make_idea(campaign, theme=leadership)

    services.update_campaign(
        campaign,
        manager,
        themes=["Wellbeing", "Working together"],
        title="New <b>title</b>",
    )

    names = list(campaign.themes.values_list("name", flat=True))
    assert names == ["Wellbeing", "Working together", "Leadership"]
    campaign.refresh_from_db()
    assert campaign.title == "New title"


def test_only_engagement_managers_may_change_campaigns(manager, staff):
    campaign = create(manager)

    with pytest.raises(Refused):
        services.update_campaign(campaign, staff, themes=["X"], title="Hijacked")

    campaign.refresh_from_db()
    assert campaign.title == "Our future together"
