"""A campaign's status comes from its times, for one campaign and for lists alike."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conversations import rules
from conversations.models import Campaign, CampaignStatus

LONDON = ZoneInfo("Europe/London")
OPENS = datetime(2031, 3, 2, 9, 0, tzinfo=LONDON)
CLOSES = datetime(2031, 3, 22, 17, 0, tzinfo=LONDON)


def campaign(**fields) -> Campaign:
    defaults = {
        "title": "Our future",
        "slug": "our-future",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "is_published": True,
    }
    return Campaign(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - timedelta(days=1), CampaignStatus.SCHEDULED),
        (OPENS - timedelta(seconds=1), CampaignStatus.SCHEDULED),
        (OPENS, CampaignStatus.OPEN),
        (OPENS + timedelta(days=10), CampaignStatus.OPEN),
        (CLOSES - timedelta(seconds=1), CampaignStatus.OPEN),
        (CLOSES, CampaignStatus.CLOSED),
        (CLOSES + timedelta(days=100), CampaignStatus.CLOSED),
    ],
)
def test_published_campaign_status_follows_its_times(now, expected):
    assert campaign().status(now) == expected
    assert campaign().is_open(now) is (expected == CampaignStatus.OPEN)


@pytest.mark.parametrize(
    "now", [OPENS - timedelta(days=1), OPENS, CLOSES + timedelta(days=1)]
)
def test_unpublished_campaign_is_a_draft_whatever_the_time(now):
    draft = campaign(is_published=False)

    assert draft.status(now) == CampaignStatus.DRAFT
    assert not draft.is_open(now)


def test_board_with_no_closing_time_never_closes():
    board = campaign(kind=Campaign.Kind.BOARD, closes_at=None)

    assert board.status(OPENS + timedelta(days=3650)) == CampaignStatus.OPEN


@pytest.mark.django_db
def test_queryset_filters_agree_with_status_at_a_fixed_time():
    now = OPENS + timedelta(days=5)
    made = {
        "open": campaign(slug="open"),
        "scheduled": campaign(
            slug="scheduled",
            opens_at=now + timedelta(days=1),
            closes_at=now + timedelta(days=20),
        ),
        "closed": campaign(
            slug="closed",
            opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(days=1),
        ),
        "closes-now": campaign(
            slug="closes-now", opens_at=now - timedelta(days=3), closes_at=now
        ),
        "opens-now": campaign(
            slug="opens-now", opens_at=now, closes_at=now + timedelta(days=2)
        ),
        "draft": campaign(slug="draft", is_published=False),
        "board": campaign(
            slug="board",
            kind=Campaign.Kind.BOARD,
            closes_at=None,
            opens_at=now - timedelta(days=400),
        ),
    }
    for c in made.values():
        c.save()

    def slugs(queryset):
        return set(queryset.values_list("slug", flat=True))

    assert slugs(Campaign.objects.open(now)) == {"open", "opens-now", "board"}
    assert slugs(Campaign.objects.scheduled(now)) == {"scheduled"}
    assert slugs(Campaign.objects.closed(now)) == {"closed", "closes-now"}
    assert slugs(Campaign.objects.drafts()) == {"draft"}
    for c in made.values():
        for status, queryset in [
            (CampaignStatus.OPEN, Campaign.objects.open(now)),
            (CampaignStatus.SCHEDULED, Campaign.objects.scheduled(now)),
            (CampaignStatus.CLOSED, Campaign.objects.closed(now)),
            (CampaignStatus.DRAFT, Campaign.objects.drafts()),
        ]:
            assert (c.status(now) == status) == queryset.filter(pk=c.pk).exists(), (
                c.slug,
                status,
            )


@pytest.mark.django_db
def test_visible_to_hides_team_campaigns_from_people_outside_the_teams(
    make_campaign, make_team, make_staff, manager
):
    ward = make_team("Ward 7")
    everyone = make_campaign("open")
    for_ward = make_campaign("open", audience_teams=[ward])
    outsider, member = make_staff(), make_staff(teams=[ward])

    assert set(rules.visible_campaigns(outsider)) == {everyone}
    assert set(rules.visible_campaigns(member)) == {everyone, for_ward}
    assert set(rules.visible_campaigns(manager)) == {everyone, for_ward}
