"""The participation figures, checked number by number on a campaign built to know them."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone

from accounts.models import Band, Directorate, StaffGroup
from conversations.models import Comment, Idea, Participation, Visibility
from reports import figures
from voting.models import Vote
from voting.services import cast_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_staff, make_campaign, make_idea, make_comment):
    """11 people take part: 6 from Acute (headcount 10), 3 from Community (100), none
    from Corporate (20), 2 who did not say. 9 are Nurses (no headcount), 2 did not say."""
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    acute = Directorate.objects.create(name="Acute", headcount=10)
    community = Directorate.objects.create(name="Community", headcount=100)
    Directorate.objects.create(name="Corporate", headcount=20)
    nurses = StaffGroup.objects.create(name="Nurses")
    Band.objects.create(name="Band 5")
    campaign = make_campaign("open", now=now)
    opens = timezone.localdate(campaign.opens_at)

    def person(directorate, group):
        member = make_staff()
        member.directorate = directorate
        member.staff_group = group
        member.save()
        return member

    people = (
        [person(acute, nurses) for _ in range(6)]
        + [person(community, nurses) for _ in range(3)]
        + [person(None, None) for _ in range(2)]
    )
    outsider = make_staff()  # never takes part

    day1 = campaign.opens_at + timedelta(hours=1)
    day2 = campaign.opens_at + timedelta(days=1, hours=1)
    ideas = [
        make_idea(campaign, author=people[0], created_at=day1, title="Rest rooms"),
        make_idea(campaign, author=people[1], created_at=day1, title="Hot food"),
        make_idea(campaign, author=people[6], created_at=day2, title="Parking"),
    ]
    hidden = make_idea(
        campaign, author=people[9], created_at=day2, visibility=Visibility.HIDDEN
    )
    # Comments: 3 visible on "Hot food", 1 hidden, 1 on the hidden idea.
    for author in people[2:5]:
        make_comment(ideas[1], author=author)
    hidden_comment = make_comment(ideas[1], author=people[5])
    hidden_comment.visibility = Visibility.HIDDEN
    hidden_comment.save()
    # As hiding does: comment_count counts visible comments.
    Idea.objects.filter(pk=ideas[1].pk).update(comment_count=F("comment_count") - 1)
    make_comment(hidden, author=people[7])
    # Votes: "Rest rooms" 4 for 1 against; "Parking" 1 for; one on a hidden idea.
    for voter in people[5:9]:
        cast_vote(voter, ideas[0], 1)
    cast_vote(people[10], ideas[0], -1)
    cast_vote(people[8], ideas[2], 1)
    cast_vote(people[3], hidden, 1)
    for voter in people[5:9] + [people[10], people[3]]:
        Participation.objects.get_or_create(campaign=campaign, staff_member=voter)
    # Everyone first took part on the first day, except the two who did not say.
    Participation.objects.filter(campaign=campaign).update(first_at=day1)
    Participation.objects.filter(campaign=campaign, staff_member__in=people[9:]).update(
        first_at=day2
    )
    return {
        "campaign": campaign,
        "now": now,
        "opens": opens,
        "ideas": ideas,
        "outsider": outsider,
    }


def _groups(data, dimension):
    item = next(b for b in data["breakdowns"] if b["dimension"] == dimension)
    return {g["name"]: g for g in item["groups"]}


def test_totals_count_people_and_visible_contributions(world, settings):
    settings.SMALL_GROUP_THRESHOLD = 5
    data = figures.campaign_figures(world["campaign"], world["now"])

    assert data["people"] == 11
    assert data["ideas"] == 3  # the hidden idea is not counted
    assert data["comments"] == 3  # neither the hidden comment nor one on a hidden idea
    assert data["votes"] == 6  # the vote on the hidden idea is not counted
    assert data["headcount"] == 130  # directorates: 10 + 100 + 20
    assert data["share"] == 8.5  # 11 / 130


def _item(data, dimension):
    return next(b for b in data["breakdowns"] if b["dimension"] == dimension)


def test_only_groups_of_five_or_more_are_listed_and_the_rest_are_one_number(
    world, settings
):
    settings.SMALL_GROUP_THRESHOLD = 5
    data = figures.campaign_figures(world["campaign"], world["now"])
    directorates = _item(data, "directorate")

    # Breakdowns count the first day's 9 (a closed period); the 2 of the second day
    # are still among "others". Community (3) and Corporate (0: zero is a small
    # number too) are never named, nor their headcounts.
    assert directorates["groups"] == [
        {"name": "Acute", "people": 6, "headcount": 10, "share": 60.0}
    ]
    assert directorates["others"] == 5  # 3 + 0 + the 2 not yet counted in a group
    assert "Community" not in str(data) and "Corporate" not in str(data)
    assert data["counted_until"] == world["opens"].isoformat()


def test_more_groups_are_hidden_until_the_hidden_ones_are_not_a_small_number(
    world, settings
):
    settings.SMALL_GROUP_THRESHOLD = 5
    data = figures.campaign_figures(world["campaign"], world["now"])

    # Nurses (9) and "not given" (0, with 2 not yet counted): showing 9 of 11 would
    # give the other 2 away, so nurses are hidden too and all 11 are "others".
    assert _item(data, "staff_group")["groups"] == []
    assert _item(data, "staff_group")["others"] == 11
    # Band 5 (nobody) is hidden, so "Not given" (9) is too.
    assert _item(data, "band")["groups"] == []
    assert _item(data, "band")["others"] == 11


def test_the_threshold_is_a_setting(world, settings):
    settings.SMALL_GROUP_THRESHOLD = 2
    data = figures.campaign_figures(world["campaign"], world["now"])
    directorates = _item(data, "directorate")

    # Both days are closed periods of 2 or more, so everyone is in a group.
    assert data["counted_until"] == (world["opens"] + timedelta(days=1)).isoformat()
    shown = {g["name"]: g for g in directorates["groups"]}
    assert shown["Community"]["people"] == 3
    assert shown["Community"]["share"] == 3.0
    # Corporate (0) alone would be given away, so the next smallest, "Not given"
    # (2), joins it.
    assert set(shown) == {"Acute", "Community"}
    assert directorates["others"] == 2
    assert data["threshold"] == 2

    settings.SMALL_GROUP_THRESHOLD = 4
    data = figures.campaign_figures(world["campaign"], world["now"])
    directorates = _item(data, "directorate")
    # Corporate (0), Community (3) and the 2 not yet counted are 5 together, so
    # Acute stays shown.
    assert [g["name"] for g in directorates["groups"]] == ["Acute"]
    assert directorates["others"] == 5


def test_groups_taking_part_least_are_only_groups_that_are_shown(world, settings):
    settings.SMALL_GROUP_THRESHOLD = 2
    data = figures.campaign_figures(world["campaign"], world["now"])

    # Community (3 of 100) is below the overall 8.5%; Acute (60%) is not; Corporate
    # (0 of 20) is hidden, so it is not named here either.
    assert [(g["dimension"], g["name"], g["share"]) for g in data["least"]] == [
        ("directorate", "Community", 3.0),
    ]

    settings.SMALL_GROUP_THRESHOLD = 5
    assert figures.campaign_figures(world["campaign"], world["now"])["least"] == []


def test_timeline_counts_each_day(world):
    data = figures.campaign_figures(world["campaign"], world["now"])
    days = {d["date"]: d for d in data["timeline"]}
    first = world["opens"].isoformat()
    second = (world["opens"] + timedelta(days=1)).isoformat()
    today = timezone.localdate(world["now"]).isoformat()

    assert data["timeline"][0]["date"] == first
    assert data["timeline"][-1]["date"] == today
    assert len(data["timeline"]) == 6  # opened five days ago, up to today
    assert "people" not in days[first]  # new people are counted in periods
    # 9 on the first day, 2 on the second: too few alone, so it joins the first.
    assert data["newcomers"] == [{"from": first, "to": today, "people": 11}]
    assert days[first]["ideas"] == 2
    assert days[second]["ideas"] == 1
    assert sum(d["comments"] for d in data["timeline"]) == 3
    assert sum(d["votes"] for d in data["timeline"]) == 6
    assert days[today]["votes"] == 6


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/London",  # clocks go back on 25 October
        "Asia/Kolkata",  # midnight at half past the UTC hour
        "Asia/Kathmandu",  # and at a quarter past
        "Australia/Lord_Howe",  # clocks go forward half an hour on 4 October
    ],
)
def test_timeline_days_are_the_organisations_days_around_every_midnight(
    zone, settings, make_campaign, make_idea, make_comment, make_staff
):
    settings.TIME_ZONE = zone
    local = ZoneInfo(zone)
    first, last = datetime(2026, 9, 30).date(), datetime(2026, 10, 27).date()
    campaign = make_campaign("closed", now=datetime(2026, 11, 10, tzinfo=UTC))
    campaign.opens_at = datetime(2026, 9, 30, 9, tzinfo=local)
    campaign.closes_at = datetime(2026, 10, 27, 17, tzinfo=local)
    campaign.save()
    # A second either side of each local midnight, and in the middle of the days the
    # clocks change (1.30 happens twice in London on 25 October).
    instants = [datetime(2026, 10, 25, 0, 30, tzinfo=local).astimezone(UTC)]
    instants += [instants[0] + timedelta(hours=n) for n in (1, 2, 3)]
    instants.append(datetime(2026, 10, 4, 12, tzinfo=local).astimezone(UTC))
    for n in range((last - first).days + 2):
        midnight = datetime.combine(first + timedelta(days=n), datetime.min.time())
        at = midnight.replace(tzinfo=local).astimezone(UTC)
        instants += [at - timedelta(seconds=1), at, at + timedelta(seconds=1)]
    author, voter = make_staff(), make_staff()
    for at in instants:
        idea = make_idea(campaign, author=author, created_at=at)
        comment = make_comment(idea, author=author)
        cast_vote(voter, idea, 1)
        Comment.objects.filter(pk=comment.pk).update(created_at=at)
        Vote.objects.filter(voter=voter, target_id=idea.pk).update(created_at=at)

    data = figures.campaign_figures(campaign)

    days = Counter(at.astimezone(local).date().isoformat() for at in instants)
    expected = {
        (first + timedelta(days=n)).isoformat(): days[
            (first + timedelta(days=n)).isoformat()
        ]
        for n in range((last - first).days + 1)
    }
    for series in ("ideas", "comments", "votes"):
        assert {d["date"]: d[series] for d in data["timeline"]} == expected, series


def test_votes_on_visible_comments_count_in_the_total_and_the_timeline(
    world, make_comment, make_staff
):
    shown = make_comment(world["ideas"][2])
    hidden = make_comment(world["ideas"][2])
    Comment.objects.filter(pk=hidden.pk).update(visibility=Visibility.HIDDEN)
    voters = [make_staff() for _ in range(3)]
    for voter in voters:
        cast_vote(voter, shown, 1)
        cast_vote(voter, hidden, 1)
    cast_vote(voters[0], shown, -1)  # a changed vote still counts once
    cast_vote(voters[1], shown, 0)  # a withdrawn one not at all
    lone = make_comment(world["ideas"][2])
    cast_vote(voters[2], lone, 1)
    cast_vote(voters[2], lone, 0)  # its tally stays, at nought

    data = figures.campaign_figures(world["campaign"], world["now"])

    assert data["votes"] == 6 + 2
    today = timezone.localdate(world["now"]).isoformat()
    assert {d["date"]: d["votes"] for d in data["timeline"]}[today] == 6 + 2


def test_most_supported_most_discussed_and_themes_by_activity(world):
    data = figures.campaign_figures(world["campaign"], world["now"])

    assert [
        (i["title"], i["support"], i["dont_support"]) for i in data["most_supported"]
    ] == [
        ("Rest rooms", 4, 1),
        ("Parking", 1, 0),
        ("Hot food", 0, 0),
    ]
    assert data["most_discussed"][0]["title"] == "Hot food"
    assert data["most_discussed"][0]["comments"] == 3
    assert data["themes"] == [
        {"name": "Health and wellbeing", "ideas": 3, "comments": 3, "votes": 6},
        {"name": "Ways of working", "ideas": 0, "comments": 0, "votes": 0},
    ]


def test_a_campaign_with_nobody_taking_part_has_zero_figures(make_campaign):
    campaign = make_campaign("closed")
    data = figures.campaign_figures(campaign)

    # Nought people is a small number: "fewer than 5", like any other.
    assert (data["people"], data["ideas"], data["comments"], data["votes"]) == (
        None,
        0,
        0,
        0,
    )
    assert data["share"] is None
    assert data["least"] == []
    assert data["most_supported"] == []
    assert [p["people"] for p in data["newcomers"]] == [None]
    assert all(b["groups"] == [] and b["others"] is None for b in data["breakdowns"])
