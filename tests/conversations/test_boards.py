"""Team "Your Shout" boards: visible to the team (and organisation moderators) only,
run by the team's leads, paused and archived, with a pinned note; ideas put forward
and carried into organisation-wide campaigns; a campaign's team view."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeamMembership
from conversations import rules, services
from conversations.exceptions import CampaignNotOpen, NotInAudience, Refused
from conversations.models import AuditEntry, Campaign, Idea
from conversations.services import boards
from notifications.models import Notification
from tests.conversations.page_html import card_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(make_team):
    return make_team("Ward 7")


@pytest.fixture
def lead(make_staff, ward):
    person = make_staff(display_name="Lee Lead")
    TeamMembership.objects.create(
        team=ward, staff_member=person, role=TeamMembership.Role.LEAD
    )
    return person


@pytest.fixture
def member(make_staff, ward):
    return make_staff(teams=[ward], display_name="Mia Member")


@pytest.fixture
def outsider(make_staff, make_team):
    return make_staff(teams=[make_team("Ward 9")], display_name="Otto Outsider")


@pytest.fixture
def board(make_board, ward, lead):
    return make_board(ward, lead=lead)


def idea_url(idea):
    return reverse("conversations:idea", args=[idea.campaign.slug, idea.pk])


def post(user, board, **kwargs):
    return services.post_idea(
        user,
        board,
        theme=board.themes.first(),
        title=kwargs.pop("title", "More chairs in the staff room"),
        body="There are never enough at lunch.",
        **kwargs,
    )


# -- privacy -------------------------------------------------------------------------


def test_outsider_gets_not_found_for_the_board_and_its_ideas(
    client, board, member, outsider
):
    idea = post(member, board)
    client.force_login(outsider)

    assert client.get(board.get_absolute_url()).status_code == 404
    assert client.get(idea_url(idea)).status_code == 404
    assert (
        client.get(reverse("conversations:idea_create", args=[board.slug])).status_code
        == 404
    )


def test_outsider_cannot_post_comment_or_vote_on_the_board(
    client, board, member, outsider
):
    idea = post(member, board)
    client.force_login(outsider)

    responses = [
        client.post(
            reverse("conversations:idea_create", args=[board.slug]),
            {"theme": board.themes.first().pk, "title": "Sneaky", "body": "Hi"},
        ),
        client.post(
            reverse("conversations:comment_create", args=[board.slug, idea.pk]),
            {"body": "Sneaky comment"},
        ),
        client.post(
            reverse("conversations:vote", args=[board.slug, "idea", idea.pk]),
            {"value": "support"},
        ),
        client.get(reverse("conversations:flag", args=[board.slug, "idea", idea.pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Idea.objects.filter(campaign=board).count() == 1
    assert idea.comments.count() == 0
    with pytest.raises(NotInAudience):
        post(outsider, board)


def test_outsider_does_not_find_the_board_in_any_list(client, board, outsider):
    client.force_login(outsider)

    home = client.get(reverse("home")).content.decode()
    teams = client.get(reverse("teams:mine")).content.decode()
    team_page = client.get(reverse("teams:detail", args=[board.team.slug]))

    assert board.title not in home
    assert board.title not in teams
    assert board.title not in team_page.content.decode()
    assert "Ask to join this team" in team_page.content.decode()
    assert not rules.visible_campaigns(outsider).filter(pk=board.pk).exists()


def test_member_sees_the_board_on_home_and_my_teams_and_takes_part(
    client, board, member
):
    client.force_login(member)

    assert board.title in client.get(reverse("home")).content.decode()
    assert (
        board.title
        in client.get(reverse("teams:detail", args=[board.team.slug])).content.decode()
    )
    response = client.post(
        reverse("conversations:idea_create", args=[board.slug]),
        {"theme": board.themes.first().pk, "title": "Rota swaps", "body": "An app"},
    )
    assert response.status_code == 302
    assert board.ideas.get().title == "Rota swaps"


def test_organisation_moderator_sees_the_board_but_does_not_post_on_it(
    client, board, member, moderator
):
    idea = post(member, board)
    client.force_login(moderator)

    assert client.get(board.get_absolute_url()).status_code == 200
    assert client.get(idea_url(idea)).status_code == 200
    assert not rules.can_take_part(moderator, board, timezone.now())
    with pytest.raises(NotInAudience):
        post(moderator, board)


def test_board_never_closes(board):
    far = timezone.now() + timezone.timedelta(days=3650)

    assert board.closes_at is None
    assert board.is_open(far)


# -- the lead runs it ------------------------------------------------------------------


def test_lead_moderates_their_board_and_not_another_teams(
    board, lead, member, make_board
):
    other_board = make_board()

    assert rules.can_moderate(lead, board)
    assert not rules.can_moderate(lead, other_board)
    assert not rules.can_moderate(member, board)


def test_lead_sets_an_idea_status_on_their_board(client, board, lead, member):
    idea = post(member, board)
    client.force_login(lead)

    response = client.post(
        reverse("conversations:idea_moderate", args=[board.slug, idea.pk]),
        {"action": "status", "status-status": "in_progress", "status-note": "On it"},
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == "in_progress"
    assert AuditEntry.objects.filter(idea=idea, actor=lead, action="status").exists()


def test_lead_sees_only_their_boards_items_in_the_moderation_queue(
    client, board, lead, member, make_board, make_staff, make_campaign
):
    from conversations.services import moderation

    mine = post(member, board, title="Mine to look at")
    other_board = make_board()
    other_member = make_staff(teams=[other_board.team])
    theirs = post(other_member, other_board, title="Not for this lead")
    campaign = make_campaign("open")
    org_idea = services.post_idea(
        other_member,
        campaign,
        theme=campaign.themes.first(),
        title="Organisation wide",
        body="Body",
    )
    reporter = make_staff(teams=[board.team])
    moderation.flag_post(reporter, mine, reason="spam")
    moderation.flag_post(make_staff(teams=[other_board.team]), theirs, reason="spam")
    moderation.flag_post(make_staff(), org_idea, reason="spam")
    client.force_login(lead)

    page = client.get(reverse("conversations:moderation")).content.decode()

    assert "Mine to look at" in page
    assert "Not for this lead" not in page
    assert "Organisation wide" not in page
    assert (
        client.get(
            reverse("conversations:campaign_moderation", args=[other_board.slug])
        ).status_code
        == 404
    )


def test_lead_pins_a_dated_note_that_members_see(client, board, lead, member):
    client.force_login(lead)

    response = client.post(
        reverse("conversations:board_settings", args=[board.slug]),
        {"action": "note", "note": "<p>New rota from May.</p><script>x()</script>"},
    )

    assert response.status_code == 302
    board.refresh_from_db()
    assert board.pinned_note_at is not None
    client.force_login(member)
    page = client.get(board.get_absolute_url()).content.decode()
    assert "What we changed this month" in page
    assert "New rota from May." in page
    assert "<script>x()" not in page
    assert AuditEntry.objects.filter(campaign=board, action="pinned_note").exists()


def test_member_cannot_pin_a_note_or_pause_the_board(client, board, member):
    client.force_login(member)

    assert (
        client.get(
            reverse("conversations:board_settings", args=[board.slug])
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        boards.pin_note(member, board, "Mine")
    with pytest.raises(PermissionDenied):
        boards.set_board_state(member, board, "paused")


def test_paused_board_is_read_only_with_a_clear_message(client, board, lead, member):
    idea = post(member, board)
    boards.set_board_state(lead, board, Campaign.BoardState.PAUSED)
    board.refresh_from_db()
    client.force_login(member)

    page = client.get(board.get_absolute_url()).content.decode()
    assert "This board is paused" in page
    assert "Share an idea" not in page
    with pytest.raises(CampaignNotOpen, match="paused"):
        post(member, board)
    with pytest.raises(CampaignNotOpen):
        services.vote(member, idea, 1)
    with pytest.raises(CampaignNotOpen):
        services.post_comment(member, idea, body="Still here?")
    refused = client.post(
        reverse("conversations:vote", args=[board.slug, "idea", idea.pk]),
        {"value": "support"},
    )
    assert refused.status_code == 403
    assert "paused" in refused.content.decode()


def test_archived_board_is_read_only_and_leaves_every_list(client, board, lead, member):
    boards.set_board_state(lead, board, Campaign.BoardState.ARCHIVED)
    board.refresh_from_db()
    client.force_login(member)

    assert board.title not in client.get(reverse("home")).content.decode()
    assert (
        board.title
        not in client.get(
            reverse("teams:detail", args=[board.team.slug])
        ).content.decode()
    )
    page = client.get(board.get_absolute_url())
    assert page.status_code == 200
    assert "This board is archived" in page.content.decode()
    with pytest.raises(CampaignNotOpen, match="archived"):
        post(member, board)


def test_lead_starts_a_board_for_their_team_once(client, ward, lead, member):
    client.force_login(lead)

    response = client.post(
        reverse("conversations:board_start", args=[ward.slug]),
        {"title": "Ward 7 says", "allow_anonymous": "on"},
    )

    board = Campaign.objects.get(kind=Campaign.Kind.BOARD, team=ward)
    assert response.status_code == 302
    assert board.closes_at is None and board.is_open(timezone.now())
    assert board.themes.exists()
    again = client.post(
        reverse("conversations:board_start", args=[ward.slug]), {"title": "Another"}
    )
    assert again.status_code == 400
    client.force_login(member)
    assert (
        client.get(reverse("conversations:board_start", args=[ward.slug])).status_code
        == 403
    )


# -- put forward and carried into a campaign -------------------------------------------


def test_lead_puts_an_idea_forward_and_managers_are_told(
    client, board, lead, member, manager
):
    idea = post(member, board)
    client.force_login(lead)

    response = client.post(
        reverse("conversations:idea_put_forward", args=[board.slug, idea.pk])
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.put_forward_at is not None
    assert Notification.objects.filter(
        recipient=manager, kind="board_idea_put_forward"
    ).exists()


def test_member_cannot_put_an_idea_forward(client, board, member):
    idea = post(member, board)
    client.force_login(member)

    response = client.post(
        reverse("conversations:idea_put_forward", args=[board.slug, idea.pk])
    )

    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.put_forward_at is None


def test_manager_carries_an_idea_into_an_upcoming_campaign_linked_both_ways(
    client, board, lead, member, manager, make_campaign
):
    idea = post(member, board)
    boards.put_forward(lead, idea)
    upcoming = make_campaign("scheduled")
    client.force_login(manager)
    listed = client.get(reverse("conversations:put_forward_list")).content.decode()
    assert idea.title in listed

    response = client.post(
        reverse("conversations:carry", args=[idea.pk]),
        {f"idea-{idea.pk}-campaign": upcoming.pk},
    )

    carried = Idea.objects.get(campaign=upcoming)
    assert response.status_code == 302
    assert carried.carried_from == idea
    assert carried.author == member
    assert idea.carried_into_or_none == carried
    assert Notification.objects.filter(
        recipient=member, kind="board_idea_carried"
    ).exists()
    client.force_login(member)
    board_page = client.get(idea_url(idea)).content.decode()
    assert "Carried into the organisation-wide campaign" in board_page
    assert carried.get_absolute_url() in board_page


def test_carried_anonymous_idea_stays_anonymous(
    client, board, lead, make_staff, manager, make_campaign
):
    author = make_staff(teams=[board.team], display_name="Hidden Harriet")
    idea = post(author, board, anonymous=True)
    boards.put_forward(lead, idea)
    campaign = make_campaign("open")

    carried = boards.carry_into(manager, idea, campaign)

    assert carried.is_anonymous
    client.force_login(manager)
    for url in (carried.get_absolute_url(), campaign.get_absolute_url()):
        assert "Hidden Harriet" not in client.get(url).content.decode()
    assert Notification.objects.filter(recipient=author).exists()


def test_only_put_forward_ideas_go_into_open_or_upcoming_organisation_campaigns(
    board, lead, member, manager, make_campaign, make_team
):
    idea = post(member, board)
    closed = make_campaign("closed")
    team_only = make_campaign("open", audience_teams=[make_team()])

    with pytest.raises(Refused):
        boards.carry_into(manager, idea, make_campaign("open"))
    boards.put_forward(lead, idea)
    for campaign in (closed, team_only):
        with pytest.raises(Refused):
            boards.carry_into(manager, idea, campaign)
    with pytest.raises(PermissionDenied):
        boards.carry_into(lead, idea, make_campaign("open"))


# -- a campaign's team view ---------------------------------------------------------


def test_team_view_shows_named_ideas_of_a_large_enough_team_only(
    client, settings, make_team, make_staff, make_campaign, make_idea
):
    settings.SMALL_GROUP_THRESHOLD = 3
    big, small = make_team("Big ward"), make_team("Tiny ward")
    big_people = [make_staff(teams=[big]) for _ in range(3)]
    tiny_person = make_staff(teams=[small])
    campaign = make_campaign("open", allow_anonymous=True)
    named = make_idea(campaign, author=big_people[0], title="Named from big")
    make_idea(
        campaign, author=big_people[1], title="Anonymous from big", anonymous=True
    )
    make_idea(campaign, author=tiny_person, title="From tiny")
    make_idea(campaign, title="From nobody's team")
    client.force_login(make_staff())

    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Big ward" in page and "Tiny ward" not in page

    team_view = client.get(campaign.get_absolute_url() + f"?team={big.pk}")
    text = team_view.content.decode()
    assert card_ids(team_view) == [named.pk]
    assert "Anonymous from big" not in text
    assert "From tiny" not in text
    ignored = client.get(campaign.get_absolute_url() + f"?team={small.pk}")
    assert "sv-team-view" not in ignored.content.decode()  # no "from <team>"
    assert len(card_ids(ignored)) == 4


# -- per-campaign moderators ------------------------------------------------------------


def test_campaign_moderator_moderates_that_campaign_only(
    client, manager, make_staff, make_campaign, make_idea
):
    helper = make_staff(email="helper@nhs.net")
    campaign, other = make_campaign("open"), make_campaign("open")
    client.force_login(manager)
    client.post(
        reverse("conversations:campaign_edit", args=[campaign.slug]),
        {
            "title": campaign.title,
            "introduction": "Intro",
            "opens_at": campaign.opens_at.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": campaign.closes_at.strftime("%Y-%m-%dT%H:%M"),
            "themes": "Health and wellbeing\nWays of working",
            "moderators": "helper@nhs.net",
            "is_published": "on",
        },
    )
    assert list(campaign.moderators.all()) == [helper]
    idea, other_idea = make_idea(campaign), make_idea(other)
    client.force_login(helper)

    status = {"action": "status", "status-status": "adopted", "status-note": "Yes"}
    ok = client.post(
        reverse("conversations:idea_moderate", args=[campaign.slug, idea.pk]), status
    )
    refused = client.post(
        reverse("conversations:idea_moderate", args=[other.slug, other_idea.pk]),
        status,
    )

    assert ok.status_code == 302 and refused.status_code == 403
    assert (
        client.get(reverse("conversations:campaign_moderation", args=[campaign.slug]))
    ).status_code == 200
    assert (
        client.get(reverse("conversations:campaign_moderation", args=[other.slug]))
    ).status_code == 403


def test_campaign_form_refuses_an_unknown_moderator_email(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("conversations:campaign_create"),
        {
            "title": "Q3",
            "introduction": "Intro",
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-01-21T09:00",
            "themes": "One",
            "moderators": "nobody@nhs.net",
            "is_published": "on",
        },
    )

    assert response.status_code == 400
    assert "nobody@nhs.net" in response.content.decode()
    assert not Campaign.objects.filter(title="Q3").exists()
