"""Every role against every action (IDOR included): other teams' campaigns and boards,
drafts, other people's posts, moderation (organisation-wide, per campaign, a lead's
board), the break-glass reveal, teams, the directory import, personal data and the
admin.

Each cell is what the site must answer: "login" (302 to sign-in), "done" (302
elsewhere: the action happened), or a status code.
"""

from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import roles as role_groups
from accounts.models import TeamMembership
from tests.conftest import (
    new_board,
    new_campaign,
    new_comment,
    new_idea,
    new_staff,
    new_team,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "visitor",
    "staff",
    "other_team",
    "team_lead",
    "moderator",
    "engagement_manager",
    "administrator",
    "campaign_moderator",  # named moderator of the organisation-wide campaign only
]
EVERYONE_SIGNED_IN = ROLES[1:]
MANAGERS = {"engagement_manager", "administrator"}
MODERATORS = {"moderator", "engagement_manager", "administrator"}


@dataclass
class World:
    org_campaign: object
    org_idea: object
    team_campaign: object
    team_idea: object
    draft_campaign: object
    draft_idea: object
    someone: object  # another person, the author of every post here
    reveal_request: object


@pytest.fixture(scope="module")
def module_world(module_db, django_db_blocker):
    """The world, made once for the module's hundreds of cases: each case only reads
    it, and whatever a case changes is rolled back after it (tests/conftest.py)."""
    from django.test import override_settings

    from conversations.services import reveal
    from tests.security.conftest import grant_reveal

    with django_db_blocker.unblock(), override_settings(REVEAL_ENABLED=True):
        team, other = new_team("Ward A"), new_team("Ward B")
        someone = new_staff(teams=[team])
        org = new_campaign("open", allow_anonymous=True)
        org_idea = new_idea(org, author=someone, anonymous=True)
        new_comment(org_idea, author=someone)
        team_campaign = new_campaign("open", audience_teams=[team])
        team_idea = new_idea(team_campaign, author=someone)
        draft = new_campaign("draft")
        draft_idea = new_idea(draft, author=someone)

        holders = [new_staff(mfa=True), new_staff(mfa=True)]
        for holder in holders:
            grant_reveal(holder)
        pending = reveal.request_reveal(
            holders[0], org_idea, "A credible threat to a colleague's safety tonight."
        )
        world = World(
            org, org_idea, team_campaign, team_idea, draft, draft_idea, someone, pending
        )
        world.teams = {"team": team, "other": other}
        # Ward A's board (staff are members, the team lead leads it) and Ward B's.
        world.board = new_board(team)
        world.board_idea = new_idea(world.board, author=someone)
        # Put forward already, so a manager can carry it into a campaign.
        world.board_idea.put_forward_at = world.board_idea.created_at
        world.board_idea.save()
        world.other_board = new_board(other)
        world.other_board_idea = new_idea(
            world.other_board, author=new_staff(teams=[other])
        )
    return world


@pytest.fixture
def world(module_world, settings):
    settings.REVEAL_ENABLED = True
    return module_world


def sign_in_as(client, role: str, world: World, make_staff):
    if role == "visitor":
        return None
    teams = {
        "staff": [world.teams["team"]],
        "other_team": [world.teams["other"]],
    }.get(role, [])
    person = make_staff(
        roles=[role]
        if role not in ("staff", "other_team", "campaign_moderator")
        else [],
        teams=teams,
    )
    if role == "campaign_moderator":
        world.org_campaign.moderators.add(person)
    if role == "team_lead":
        TeamMembership.objects.create(
            team=world.teams["team"],
            staff_member=person,
            role=TeamMembership.Role.LEAD,
        )
    if role == "administrator":
        person.is_staff = True
        person.save()
    client.force_login(person)
    return person


def idea_url(idea) -> str:
    return reverse("conversations:idea", args=[idea.campaign.slug, idea.pk])


def vote(idea):
    return (
        "post",
        reverse("conversations:vote", args=[idea.campaign.slug, "idea", idea.pk]),
        {"value": "support"},
    )


def comment(idea):
    return (
        "post",
        reverse("conversations:comment_create", args=[idea.campaign.slug, idea.pk]),
        {"body": "A comment"},
    )


def post_idea(campaign):
    return (
        "post",
        reverse("conversations:idea_create", args=[campaign.slug]),
        {"theme": campaign.themes.first().pk, "title": "New idea", "body": "Details"},
    )


def moderate(idea):
    return (
        "post",
        reverse("conversations:idea_moderate", args=[idea.campaign.slug, idea.pk]),
        {"action": "status", "status-status": "adopted", "status-note": "Yes"},
    )


def _all(value, **exceptions) -> dict:
    table = dict.fromkeys(EVERYONE_SIGNED_IN, value)
    table["visitor"] = "login"
    table.update(exceptions)
    return table


def _only(allowed: set[str], yes, no, **exceptions) -> dict:
    return _all(no, **{**dict.fromkeys(allowed, yes), **exceptions})


def _board(members, *, lead=None, moderators=None, outsiders=404) -> dict:
    """Ward A's board: ``members`` for staff (a member), ``lead`` for its team lead,
    ``moderators`` for organisation moderators and managers; everyone else is an
    outsider, who is not even told that the board exists."""
    table = _all(outsiders)
    table["staff"] = members
    table["team_lead"] = members if lead is None else lead
    for role in MODERATORS:
        table[role] = members if moderators is None else moderators
    return table


def board_url(name: str, *args):
    return lambda w: ("get", reverse(name, args=[a(w) for a in args]), None)


BOARD_ACTIONS = {
    "view board": (lambda w: ("get", w.board.get_absolute_url(), None), _board(200)),
    "view board idea": (lambda w: ("get", idea_url(w.board_idea), None), _board(200)),
    "post idea on board": (
        lambda w: post_idea(w.board),
        _board("done", moderators=403),  # moderators read boards, they do not post
    ),
    "comment on board": (
        lambda w: comment(w.board_idea),
        _board("done", moderators=403),
    ),
    "vote on board": (lambda w: vote(w.board_idea), _board("done", moderators=403)),
    "report board idea": (
        lambda w: (
            "get",
            reverse("conversations:flag", args=[w.board.slug, "idea", w.board_idea.pk]),
            None,
        ),
        _board(200),
    ),
    "moderate board idea": (
        lambda w: moderate(w.board_idea),
        _board(403, lead="done", moderators="done"),
    ),
    "board moderation queue": (
        board_url("conversations:campaign_moderation", lambda w: w.board.slug),
        _board(403, lead=200, moderators=200),
    ),
    "board settings": (
        board_url("conversations:board_settings", lambda w: w.board.slug),
        _board(403, lead=200, moderators=200),
    ),
    "pin note on board": (
        lambda w: (
            "post",
            reverse("conversations:board_settings", args=[w.board.slug]),
            {"action": "note", "note": "We changed the rota."},
        ),
        _board(403, lead="done", moderators="done"),
    ),
    "pause board": (
        lambda w: (
            "post",
            reverse("conversations:board_settings", args=[w.board.slug]),
            {"action": "state", "state": "paused"},
        ),
        # The lead and managers run a board; moderators only moderate it.
        {**_board(403, lead="done", moderators="done"), "moderator": 403},
    ),
    "put board idea forward": (
        lambda w: (
            "post",
            reverse(
                "conversations:idea_put_forward", args=[w.board.slug, w.board_idea.pk]
            ),
            None,
        ),
        _board(403, lead="done", moderators="done"),
    ),
    # IDOR: Ward A's people (its lead included) against Ward B's board.
    "view other team's board": (
        lambda w: ("get", w.other_board.get_absolute_url(), None),
        _only(MODERATORS | {"other_team"}, 200, 404),
    ),
    "view idea on other team's board": (
        lambda w: ("get", idea_url(w.other_board_idea), None),
        _only(MODERATORS | {"other_team"}, 200, 404),
    ),
    "vote on other team's board": (
        lambda w: vote(w.other_board_idea),
        _only(MODERATORS, 403, 404, other_team="done"),
    ),
    "moderate idea on other team's board": (
        lambda w: moderate(w.other_board_idea),
        _only(MODERATORS, "done", 404, other_team=403),
    ),
    "other team's board settings": (
        board_url("conversations:board_settings", lambda w: w.other_board.slug),
        _only(MODERATORS, 200, 404, other_team=403),
    ),
    "other team's board moderation queue": (
        board_url("conversations:campaign_moderation", lambda w: w.other_board.slug),
        _only(MODERATORS, 200, 404, other_team=403),
    ),
    "moderation queue": (
        lambda w: ("get", reverse("conversations:moderation"), None),
        _only(MODERATORS | {"team_lead", "campaign_moderator"}, 200, 403),
    ),
    "start a board for a team": (
        board_url("conversations:board_start", lambda w: w.teams["other"].slug),
        _only(MANAGERS, 200, 403),
    ),
    # Teams and the staff directory.
    "create team": (
        lambda w: ("post", reverse("teams:list"), {"name": "Ward Z"}),
        _only(MANAGERS, "done", 403),
    ),
    "add member to own team": (
        lambda w: (
            "post",
            reverse("teams:add_member", args=[w.teams["team"].slug]),
            {"email": w.someone.email},
        ),
        _only(MANAGERS | {"team_lead"}, "done", 403),
    ),
    "add member to another team": (
        lambda w: (
            "post",
            reverse("teams:add_member", args=[w.teams["other"].slug]),
            {"email": w.someone.email},
        ),
        _only(MANAGERS, "done", 403),
    ),
    "ideas put forward": (
        lambda w: ("get", reverse("conversations:put_forward_list"), None),
        _only(MANAGERS, 200, 403),
    ),
    "carry board idea into a campaign": (
        lambda w: (
            "post",
            reverse("conversations:carry", args=[w.board_idea.pk]),
            {f"idea-{w.board_idea.pk}-campaign": w.org_campaign.pk},
        ),
        _only(MANAGERS, "done", 403),
    ),
    "staff directory import": (
        lambda w: ("get", reverse("directory:upload"), None),
        _only(MANAGERS, 200, 403),
    ),
}


# action name -> (how to build the request from the world, expected per role)
ACTIONS = {
    "view open campaign": (
        lambda w: ("get", w.org_campaign.get_absolute_url(), None),
        _all(200),
    ),
    "view idea": (lambda w: ("get", idea_url(w.org_idea), None), _all(200)),
    "create campaign": (
        lambda w: ("get", reverse("conversations:campaign_create"), None),
        _only(MANAGERS, 200, 403),
    ),
    "edit campaign": (
        lambda w: (
            "get",
            reverse("conversations:campaign_edit", args=[w.org_campaign.slug]),
            None,
        ),
        _only(MANAGERS, 200, 403),
    ),
    "view draft campaign": (
        lambda w: ("get", w.draft_campaign.get_absolute_url(), None),
        _only(MANAGERS, 200, 404),
    ),
    "view idea in draft campaign": (
        lambda w: ("get", idea_url(w.draft_idea), None),
        _only(MANAGERS, 200, 404),
    ),
    "vote in draft campaign": (
        lambda w: vote(w.draft_idea),
        _only(MANAGERS, 403, 404),  # managers see it, but it is not open
    ),
    "view team campaign": (
        lambda w: ("get", w.team_campaign.get_absolute_url(), None),
        _all(200, other_team=403, campaign_moderator=403),
    ),
    "view idea in team campaign": (
        lambda w: ("get", idea_url(w.team_idea), None),
        _all(200, other_team=403, campaign_moderator=403),
    ),
    "post idea form": (
        lambda w: (
            "get",
            reverse("conversations:idea_create", args=[w.org_campaign.slug]),
            None,
        ),
        _all(200),
    ),
    "post idea": (lambda w: post_idea(w.org_campaign), _all("done")),
    "post idea in team campaign": (
        lambda w: post_idea(w.team_campaign),
        _all("done", other_team=403, campaign_moderator=403),
    ),
    "comment": (lambda w: comment(w.org_idea), _all("done")),
    "comment in team campaign": (
        lambda w: comment(w.team_idea),
        _all("done", other_team=403, campaign_moderator=403),
    ),
    "vote": (lambda w: vote(w.org_idea), _all("done")),
    "vote in team campaign": (
        lambda w: vote(w.team_idea),
        _all("done", other_team=403, campaign_moderator=403),
    ),
    "moderate idea": (
        lambda w: moderate(w.org_idea),
        _only(MODERATORS | {"campaign_moderator"}, "done", 403),
    ),
    "campaign moderation queue": (
        lambda w: (
            "get",
            reverse("conversations:campaign_moderation", args=[w.org_campaign.slug]),
            None,
        ),
        _only(MODERATORS | {"campaign_moderator"}, 200, 403),
    ),
    "moderate idea in team campaign": (
        lambda w: moderate(w.team_idea),
        _only(MODERATORS, "done", 403, campaign_moderator=403),
    ),
    **BOARD_ACTIONS,
    # Nobody holds the break-glass permission by role: administrators included.
    "reveal list": (lambda w: ("get", reverse("reveal:index"), None), _all(403)),
    "reveal request": (
        lambda w: (
            "post",
            reverse("reveal:request", args=["idea", w.org_idea.pk]),
            {"reason": "I would like to know who wrote this, please."},
        ),
        _all(403),
    ),
    "reveal approve": (
        lambda w: (
            "post",
            reverse("reveal:decide", args=[w.reveal_request.pk]),
            {"decision": "approve", "reason": "Approving this request for a test."},
        ),
        _all(403),
    ),
    "reveal view": (
        lambda w: ("get", reverse("reveal:detail", args=[w.reveal_request.pk]), None),
        _all(403),
    ),
    "export own data": (lambda w: ("get", reverse("me:export"), None), _all(200)),
    "delete account page": (
        lambda w: ("get", reverse("me:delete_account"), None),
        _all(200),
    ),
    "delete someone else's idea": (
        lambda w: ("post", reverse("me:delete_idea", args=[w.org_idea.pk]), None),
        _all(404),
    ),
    "delete someone else's comment": (
        lambda w: (
            "post",
            reverse("me:delete_comment", args=[w.org_idea.comments.first().pk]),
            None,
        ),
        _all(404),
    ),
    "edit someone else's idea": (
        lambda w: (
            "post",
            reverse("me:edit_idea", args=[w.org_idea.pk]),
            {"title": "Taken over", "body": "Rewritten by someone else"},
        ),
        _all(404),
    ),
    "edit someone else's comment": (
        lambda w: (
            "post",
            reverse("me:edit_comment", args=[w.org_idea.comments.first().pk]),
            {"body": "Rewritten by someone else"},
        ),
        _all(404),
    ),
    "notifications": (
        lambda w: ("get", reverse("notifications:inbox"), None),
        _all(200),
    ),
    "admin": (
        lambda w: ("get", reverse("admin:index"), None),
        # Everyone but an administrator is sent to the admin's sign-in, which sends
        # visitors on to allauth's and refuses signed-in non-staff.
        _all("admin_login", visitor="admin_login", administrator=200),
    ),
}

CASES = [
    pytest.param(action, role, id=f"{action} | {role}")
    for action in ACTIONS
    for role in ROLES
]


@pytest.mark.parametrize("action,role", CASES)
def test_role_against_action(client, world, make_staff, action, role):
    build, expected_by_role = ACTIONS[action]
    method, url, data = build(world)
    sign_in_as(client, role, world, make_staff)
    expected = expected_by_role[role]

    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data or {})

    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("account_login"))
    elif expected == "admin_login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif expected == "done":
        assert response.status_code == 302, response.status_code
        assert not response["Location"].startswith(reverse("account_login"))
        # Refused actions that redirect back say so with an error message.
        stored = list(get_messages(response.wsgi_request))
        assert not any(m.level_tag == "error" for m in stored), [str(m) for m in stored]
    else:
        assert response.status_code == expected


def test_every_role_has_an_expectation_for_every_action():
    for action, (_build, expected) in ACTIONS.items():
        assert set(expected) == set(ROLES), action


def test_roles_carry_only_their_own_permissions():
    """The break-glass permission is never part of a role."""
    for codenames in role_groups.ROLE_PERMISSIONS.values():
        assert "reveal_identity" not in codenames
