"""A campaign socket admits exactly whom the pages admit: ``socket_access.authorise``
(prepared queries, a cached copy of the campaign's access facts) gives what
``rules.can_view`` and ``rules.can_moderate`` give for every person and campaign
kind, and an edit to a campaign is seen by the very next connect."""

import itertools

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import StaffMember, TeamMembership
from conversations import rules, services, socket_access
from conversations.models import Campaign

pytestmark = pytest.mark.django_db


def signed_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def by_the_rules(user, campaign) -> tuple[bool, bool]:
    person = StaffMember.objects.get(pk=user.pk)
    fresh = Campaign.objects.get(pk=campaign.pk)
    allowed = rules.can_view(person, fresh, timezone.now())
    return allowed, allowed and rules.can_moderate(person, fresh)


def by_the_socket(user, campaign) -> tuple[bool, bool]:
    access = socket_access.authorise(signed_in(user), campaign.pk)
    return access.allowed, access.moderates


def test_sockets_admit_exactly_whom_the_rules_admit(
    make_staff, make_team, make_campaign, make_board
):
    ward, other = make_team(), make_team()
    lead = make_staff()
    named = make_staff()
    people = {
        "plain": make_staff(),
        "member": make_staff(teams=[ward]),
        "other team": make_staff(teams=[other]),
        "lead": lead,
        "named moderator": named,
        "moderator": make_staff(roles=["moderator"]),
        "manager": make_staff(roles=["engagement_manager"]),
        "administrator": make_staff(roles=["administrator"]),
        "team-lead role only": make_staff(roles=["team_lead"], teams=[other]),
        "superuser": make_staff(),
    }
    StaffMember.objects.filter(pk=people["superuser"].pk).update(is_superuser=True)
    campaigns = {
        status: make_campaign(status)
        for status in ("open", "scheduled", "closed", "draft")
    }
    for status in ("open", "closed", "draft"):
        campaigns[f"{status}, for a ward"] = make_campaign(
            status, audience_teams=[ward]
        )
    campaigns["board"] = make_board(ward, lead=lead)
    campaigns["other board"] = make_board(other)
    for campaign in campaigns.values():
        campaign.moderators.add(named)
        campaign.save()  # as the services do: the row changes with its moderators

    for (who, user), (what, campaign) in itertools.product(
        people.items(), campaigns.items()
    ):
        expected = by_the_rules(user, campaign)
        assert by_the_socket(user, campaign) == expected, (who, what, expected)


def test_an_unknown_campaign_or_a_signed_out_visitor_is_refused(make_staff):
    user = make_staff()

    assert not socket_access.authorise(signed_in(user), 987654321).allowed
    assert not socket_access.authorise(None, 987654321).allowed


def test_narrowing_an_audience_refuses_the_next_connect_of_someone_now_outside(
    make_staff, make_team, make_campaign, manager
):
    ward, other = make_team(), make_team()
    campaign = make_campaign("open")
    outsider = make_staff(teams=[other])
    member = make_staff(teams=[ward])
    key = signed_in(outsider)
    assert socket_access.authorise(key, campaign.pk).allowed  # now cached

    services.update_campaign(
        campaign, manager, themes=["Health and wellbeing"], audience_teams=[ward]
    )

    assert not socket_access.authorise(key, campaign.pk).allowed
    access = socket_access.authorise(signed_in(member), campaign.pk)
    assert access.allowed and access.restricted


def test_widening_an_audience_admits_the_next_connect(
    make_staff, make_team, make_campaign, manager
):
    ward, other = make_team(), make_team()
    campaign = make_campaign("open", audience_teams=[ward])
    outsider = make_staff(teams=[other])
    key = signed_in(outsider)
    assert not socket_access.authorise(key, campaign.pk).allowed

    services.update_campaign(
        campaign, manager, themes=["Health and wellbeing"], audience_teams=[]
    )

    assert socket_access.authorise(key, campaign.pk).allowed


def test_a_named_moderator_removed_no_longer_moderates_on_the_next_connect(
    make_staff, make_team, make_campaign, manager
):
    ward = make_team()
    campaign = make_campaign("open", audience_teams=[ward])
    named = make_staff()
    services.update_campaign(
        campaign, manager, themes=["Health and wellbeing"], moderators=[named]
    )
    key = signed_in(named)
    access = socket_access.authorise(key, campaign.pk)
    assert access.allowed and access.moderates

    services.update_campaign(
        campaign, manager, themes=["Health and wellbeing"], moderators=[]
    )

    assert not socket_access.authorise(key, campaign.pk).allowed


def test_unpublishing_refuses_the_next_connect(make_staff, make_campaign, manager):
    campaign = make_campaign("open")
    viewer = make_staff()
    key = signed_in(viewer)
    assert socket_access.authorise(key, campaign.pk).allowed

    services.update_campaign(
        campaign, manager, themes=["Health and wellbeing"], is_published=False
    )

    assert not socket_access.authorise(key, campaign.pk).allowed
    assert socket_access.authorise(signed_in(manager), campaign.pk).allowed


def test_roles_and_teams_are_read_fresh_on_every_connect(
    make_staff, make_team, make_board
):
    board = make_board()
    person = make_staff()
    key = signed_in(person)
    assert not socket_access.authorise(key, board.pk).allowed

    membership = TeamMembership.objects.create(team=board.team, staff_member=person)
    assert socket_access.authorise(key, board.pk).allowed
    assert not socket_access.authorise(key, board.pk).moderates

    membership.role = "lead"
    membership.save()
    assert socket_access.authorise(key, board.pk).moderates

    membership.delete()
    assert not socket_access.authorise(key, board.pk).allowed


def test_a_change_that_skips_save_is_seen_within_the_facts_lifetime(
    make_staff, make_team, make_campaign, monkeypatch
):
    ward = make_team()
    campaign = make_campaign("open")
    outsider = make_staff()
    key = signed_in(outsider)
    assert socket_access.authorise(key, campaign.pk).allowed
    campaign.audience_teams.set([ward])  # no save(): the row's stamp is unchanged

    monkeypatch.setattr(socket_access, "FACTS_SECONDS", 0.0)

    assert not socket_access.authorise(key, campaign.pk).allowed


def test_any_change_to_an_audience_is_seen_at_once_from_either_side(
    make_staff, make_team, make_campaign
):
    ward, clinic = make_team(), make_team()
    campaign = make_campaign("open")
    outsider = make_staff()
    key = signed_in(outsider)
    assert socket_access.authorise(key, campaign.pk).allowed  # facts now kept

    campaign.audience_teams.add(ward)  # no save(): the receiver stamps the row
    assert not socket_access.authorise(key, campaign.pk).allowed
    campaign.audience_teams.clear()
    assert socket_access.authorise(key, campaign.pk).allowed
    ward.campaigns.add(campaign)  # from the team's side
    assert not socket_access.authorise(key, campaign.pk).allowed
    ward.campaigns.remove(campaign)
    assert socket_access.authorise(key, campaign.pk).allowed
    ward.campaigns.add(campaign)
    clinic.campaigns.add(campaign)
    assert not socket_access.authorise(key, campaign.pk).allowed
    ward.campaigns.clear()
    clinic.campaigns.clear()
    assert socket_access.authorise(key, campaign.pk).allowed
