"""Teams: managers create them and name leads; leads add and remove members or approve
colleagues who ask to join; everyone sees "My teams"."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import teams
from accounts.models import JoinRequest, Team, TeamMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_team):
    return make_team("Community nursing north")


@pytest.fixture
def lead(make_staff, team):
    person = make_staff(display_name="Lee Lead")
    TeamMembership.objects.create(
        team=team, staff_member=person, role=TeamMembership.Role.LEAD
    )
    return person


def test_manager_creates_a_team_with_its_leads(client, manager, make_staff):
    chosen = make_staff(email="chosen.lead@nhs.net")
    client.force_login(manager)

    response = client.post(
        reverse("teams:list"), {"name": "Ward 12", "leads": "Chosen.Lead@nhs.net"}
    )

    team = Team.objects.get(name="Ward 12")
    assert response.status_code == 302
    assert TeamMembership.objects.get(team=team, staff_member=chosen).role == "lead"


def test_team_creation_names_unknown_lead_emails_and_creates_nothing(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("teams:list"), {"name": "Ward 12", "leads": "ghost@nhs.net"}
    )

    assert response.status_code == 400
    assert "ghost@nhs.net" in response.content.decode()
    assert not Team.objects.filter(name="Ward 12").exists()


def test_staff_cannot_create_teams_or_name_leads(client, staff, team):
    client.force_login(staff)

    assert client.post(reverse("teams:list"), {"name": "Mine"}).status_code == 403
    assert (
        client.post(
            reverse("teams:set_leads", args=[team.slug]), {"leads": staff.email}
        ).status_code
        == 403
    )
    assert not TeamMembership.objects.filter(staff_member=staff).exists()


def test_lead_adds_a_member_by_email_and_removes_them(client, team, lead, make_staff):
    colleague = make_staff(email="new.starter@nhs.net")
    client.force_login(lead)

    client.post(
        reverse("teams:add_member", args=[team.slug]), {"email": "new.starter@nhs.net"}
    )
    assert teams.is_member(colleague, team)
    client.post(reverse("teams:remove_member", args=[team.slug, colleague.pk]))
    assert not teams.is_member(colleague, team)


def test_lead_cannot_run_another_team_or_remove_a_lead(
    client, team, lead, make_team, make_staff
):
    other = make_team()
    other_member = make_staff(teams=[other])
    co_lead = make_staff()
    teams.set_leads(make_staff(roles=["engagement_manager"]), team, [lead, co_lead])
    client.force_login(lead)

    assert (
        client.post(
            reverse("teams:add_member", args=[other.slug]), {"email": lead.email}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("teams:remove_member", args=[other.slug, other_member.pk])
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        teams.remove_member(lead, team, co_lead)
    assert teams.is_member(other_member, other) and teams.is_lead(co_lead, team)


def test_colleague_asks_to_join_and_the_lead_approves(client, team, lead, staff):
    client.force_login(staff)
    client.post(reverse("teams:join", args=[team.slug]))
    client.post(reverse("teams:join", args=[team.slug]))  # twice: still one request
    join_request = JoinRequest.objects.get(team=team, staff_member=staff)
    assert not teams.is_member(staff, team)

    client.force_login(lead)
    page = client.get(reverse("teams:detail", args=[team.slug])).content.decode()
    assert staff.email in page
    client.post(
        reverse("teams:decide", args=[team.slug, join_request.pk]),
        {"decision": "approve"},
    )

    assert teams.is_member(staff, team)
    join_request.refresh_from_db()
    assert join_request.state == "approved" and join_request.decided_by == lead


def test_declined_request_adds_nobody_and_only_leads_decide(
    client, team, lead, staff, make_staff
):
    join_request = teams.request_to_join(staff, team)
    client.force_login(make_staff(teams=[team]))
    assert (
        client.post(
            reverse("teams:decide", args=[team.slug, join_request.pk]),
            {"decision": "approve"},
        ).status_code
        == 403
    )
    teams.decide_join_request(lead, join_request, approve=False)

    assert not teams.is_member(staff, team)
    assert JoinRequest.objects.get(pk=join_request.pk).state == "declined"


def test_member_cannot_ask_to_join_their_own_team(team, lead):
    with pytest.raises(ValidationError):
        teams.request_to_join(lead, team)


def test_my_teams_lists_the_persons_teams_and_the_header_links_it(
    client, team, make_staff, make_team
):
    person = make_staff(teams=[team])
    make_team("Somewhere else")
    client.force_login(person)

    page = client.get(reverse("teams:mine")).content.decode()

    assert "Community nursing north" in page
    assert "Somewhere else" not in page
    assert reverse("teams:mine") in client.get(reverse("home")).content.decode()


def test_outsider_sees_a_teams_name_but_not_its_members(client, team, lead, staff):
    client.force_login(staff)

    page = client.get(reverse("teams:detail", args=[team.slug])).content.decode()

    assert "Community nursing north" in page
    assert "Lee Lead" not in page
