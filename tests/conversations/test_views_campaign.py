"""The campaign page: who may see it, and how its ideas are listed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import queries
from tests.conversations.page_html import card_ids, card_titles, chosen_sort
from voting.services import cast_vote

pytestmark = pytest.mark.django_db


def page_url(campaign, **params) -> str:
    url = reverse("conversations:campaign", args=[campaign.slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def listed(response) -> list[str]:
    return card_titles(response)


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


# Who may see it ------------------------------------------------------------------------


def test_campaign_page_lists_its_ideas(
    signed_in, open_campaign, make_idea, make_campaign
):
    make_idea(open_campaign, title="Protected lunch breaks")
    make_idea(open_campaign, title="Quiet room on every ward")
    make_idea(make_campaign("open"), title="An idea somewhere else")

    response = signed_in.get(page_url(open_campaign))

    assert response.status_code == 200
    html = response.content.decode()
    assert open_campaign.title in html
    assert "Protected lunch breaks" in html
    assert "Quiet room on every ward" in html
    assert "An idea somewhere else" not in html


def test_campaign_page_never_contains_script_people_typed(
    signed_in, open_campaign, make_idea, make_comment
):
    make_comment(make_idea(open_campaign))

    html = signed_in.get(page_url(open_campaign)).content.decode()

    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_campaign_page_needs_sign_in(client, open_campaign):
    response = client.get(page_url(open_campaign))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_campaign_is_not_found(signed_in):
    response = signed_in.get(
        reverse("conversations:campaign", args=["no-such-campaign"])
    )

    assert response.status_code == 404


def test_draft_campaign_is_not_found_for_staff(signed_in, make_campaign):
    assert signed_in.get(page_url(make_campaign("draft"))).status_code == 404


def test_draft_campaign_is_visible_to_an_engagement_manager(
    client, manager, make_campaign
):
    draft = make_campaign("draft", title="Next quarter draft")
    client.force_login(manager)

    response = client.get(page_url(draft))

    assert response.status_code == 200
    assert "Next quarter draft" in response.content.decode()


def test_team_campaign_is_forbidden_to_people_outside_its_teams(
    client, make_staff, make_team, make_campaign
):
    campaign = make_campaign("open", audience_teams=[make_team()])
    client.force_login(make_staff())

    response = client.get(page_url(campaign))

    assert response.status_code == 403
    assert "particular teams" in response.content.decode()


def test_team_campaign_is_open_to_its_team_members(
    client, make_staff, make_team, make_campaign
):
    ward = make_team()
    campaign = make_campaign("open", audience_teams=[ward])
    client.force_login(make_staff(teams=[ward]))

    assert client.get(page_url(campaign)).status_code == 200


@pytest.mark.parametrize("status", ["scheduled", "closed"])
def test_campaign_that_is_not_open_can_still_be_read(
    signed_in, make_campaign, make_idea, status
):
    campaign = make_campaign(status)
    make_idea(campaign, title="Readable idea")

    response = signed_in.get(page_url(campaign))

    assert response.status_code == 200
    assert "Readable idea" in response.content.decode()
    assert 'class="sv-vote-form"' not in response.content.decode()
    assert reverse("conversations:idea_create", args=[campaign.slug]) not in (
        response.content.decode()
    )


def test_closed_campaign_page_says_it_is_closed(signed_in, make_campaign):
    html = signed_in.get(page_url(make_campaign("closed"))).content.decode()

    assert "closed" in html.lower()


# Filtering, sorting, paging ------------------------------------------------------------


def test_theme_filter_shows_only_that_themes_ideas(signed_in, open_campaign, make_idea):
    wellbeing, working = open_campaign.themes.all()
    make_idea(open_campaign, theme=wellbeing, title="Wellbeing idea")
    make_idea(open_campaign, theme=working, title="Working idea")

    response = signed_in.get(page_url(open_campaign, theme=working.pk))

    assert listed(response) == ["Working idea"]
    assert "Wellbeing idea" not in response.content.decode()


def test_unknown_theme_filter_shows_every_idea(
    signed_in, open_campaign, make_idea, make_campaign
):
    other_theme = make_campaign("open").themes.first()
    make_idea(open_campaign, title="One")
    make_idea(open_campaign, title="Two")

    for value in (other_theme.pk, "nonsense", ""):
        response = signed_in.get(page_url(open_campaign, theme=value))
        assert response.status_code == 200
        assert sorted(listed(response)) == ["One", "Two"]


def test_newest_ideas_come_first_by_default(signed_in, open_campaign, make_idea):
    now = timezone.now()
    for days, title in [(3, "Oldest"), (1, "Newest"), (2, "Middle")]:
        make_idea(open_campaign, title=title, created_at=now - timedelta(days=days))

    assert listed(signed_in.get(page_url(open_campaign))) == [
        "Newest",
        "Middle",
        "Oldest",
    ]


def test_most_supported_sort_puts_the_best_supported_idea_first(
    signed_in, open_campaign, make_idea, make_staff
):
    ideas = {
        title: make_idea(open_campaign, title=title)
        for title in ("Few", "Most", "None")
    }
    for _ in range(3):
        cast_vote(make_staff(), ideas["Most"], 1)
    cast_vote(make_staff(), ideas["Few"], 1)
    cast_vote(make_staff(), ideas["None"], -1)

    response = signed_in.get(page_url(open_campaign, sort="supported"))

    assert listed(response) == ["Most", "Few", "None"]
    first_card = response.content.decode().split('class="sv-idea"')[1]
    assert 'data-count="support">3</span>' in first_card


def test_most_discussed_sort_puts_the_idea_with_most_comments_first(
    signed_in, open_campaign, make_idea, make_comment
):
    quiet = make_idea(open_campaign, title="Quiet")
    busy = make_idea(open_campaign, title="Busy")
    some = make_idea(open_campaign, title="Some")
    for _ in range(3):
        make_comment(busy)
    make_comment(some)

    assert listed(signed_in.get(page_url(open_campaign, sort="discussed"))) == [
        "Busy",
        "Some",
        "Quiet",
    ]
    assert quiet.comment_count == 0


def test_unknown_sort_falls_back_to_newest(signed_in, open_campaign, make_idea):
    make_idea(open_campaign, title="Only")

    response = signed_in.get(page_url(open_campaign, sort="drop-table"))

    assert response.status_code == 200
    assert chosen_sort(response) == "newest"


def test_ideas_are_paged(signed_in, open_campaign, make_idea, settings):
    settings.IDEAS_PER_PAGE = 4
    for n in range(10):
        make_idea(open_campaign, title=f"Idea number {n}")

    pages = [listed(signed_in.get(page_url(open_campaign, page=p))) for p in (1, 2, 3)]

    assert [len(p) for p in pages] == [4, 4, 2]
    assert sorted(sum(pages, [])) == sorted(f"Idea number {n}" for n in range(10))
    beyond = signed_in.get(page_url(open_campaign, page=99))
    assert beyond.status_code == 200
    assert listed(beyond) == pages[2]


def test_random_order_is_stable_across_pages_for_one_session(
    signed_in, open_campaign, make_idea, settings
):
    settings.IDEAS_PER_PAGE = 5
    all_ids = {make_idea(open_campaign).pk for _ in range(12)}

    def ids(page):
        response = signed_in.get(page_url(open_campaign, sort="random", page=page))
        return card_ids(response)

    first, second, third = ids(1), ids(2), ids(3)

    assert set(first).isdisjoint(second)
    assert set(first + second).isdisjoint(third)
    assert set(first + second + third) == all_ids
    assert ids(1) == first  # the same session sees the same order again


def test_random_order_is_not_simply_oldest_or_newest_first(
    open_campaign, make_idea, staff
):
    ids = [make_idea(open_campaign).pk for _ in range(20)]

    def order(seed):
        return [
            i.pk
            for i in queries.campaign_ideas(
                open_campaign, staff, sort="random", seed=seed
            )
        ]

    rotations = {tuple(ids[k:] + ids[:k]) for k in range(len(ids))}
    rotations |= {tuple(reversed(r)) for r in rotations}
    shuffles = [order(seed) for seed in (1, 12345, 987654321, 2**30 + 7)]
    assert all(sorted(s) == sorted(ids) for s in shuffles)
    assert sum(tuple(s) in rotations for s in shuffles) <= 1
