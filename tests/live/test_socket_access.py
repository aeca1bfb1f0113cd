"""Who may watch a campaign's live socket: through the real ASGI application (Channels'
AuthMiddlewareStack finding the person of the session cookie, then the consumer), the
socket admits exactly whom the campaign's page admits, moderators' news reaches only
those who moderate it, and a change to who may see it holds from the next connect
(and closes an open socket of someone no longer allowed)."""

import asyncio

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import StaffMember, TeamMembership
from conversations import services
from conversations.live import consumers, events
from tests.live.test_consumer import connect, db  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]

ORG_MODERATORS = {"moderator", "manager", "administrator", "superuser"}
MANAGERS = {"manager", "administrator", "superuser"}
WARD = {"member", "lead"}
OTHER_TEAM = {"other team", "team-lead role only"}
NAMED = {"named moderator"}
EVERYONE = (
    {"plain", "team-lead role only", "other team"} | WARD | NAMED | ORG_MODERATORS
)

# campaign: who may watch it. Everyone who may watch and is an organisation
# moderator or named on it moderates it; and a board's lead moderates their board.
MAY_WATCH = {
    "open": EVERYONE,
    "scheduled": EVERYONE,
    "closed": EVERYONE,
    "draft": MANAGERS,
    "open, for a ward": WARD | NAMED | ORG_MODERATORS,
    "closed, for a ward": WARD | NAMED | ORG_MODERATORS,
    "draft, for a ward": MANAGERS,
    "board": WARD | NAMED | ORG_MODERATORS,
    "other board": OTHER_TEAM | NAMED | ORG_MODERATORS,
}


def moderates(who: str, what: str) -> bool:
    return who in MAY_WATCH[what] and (
        who in ORG_MODERATORS | NAMED or (who == "lead" and what == "board")
    )


@pytest.fixture
def world(make_staff, make_team, make_campaign, make_board):
    def build():
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
            "superuser": make_staff(mfa=True),  # superusers must sign in with MFA
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
        return people, campaigns

    return build


def page_admits(user, campaign) -> bool:
    client = Client()
    client.force_login(user)
    status = client.get(campaign.get_absolute_url()).status_code
    assert status in (200, 403, 404), status
    return status == 200


async def test_the_socket_admits_exactly_whom_the_page_admits_and_the_rules_say(
    connect,  # noqa: F811
    world,
):
    people, campaigns = await db(world)()
    for what, campaign in campaigns.items():
        sockets = {
            who: await connect(user, campaign.pk) for who, user in people.items()
        }
        for who, user in people.items():
            expected = who in MAY_WATCH[what]
            assert sockets[who].admitted is expected, (who, what)
            if not expected:
                assert sockets[who].close_code == consumers.CLOSE_FORBIDDEN
            assert await db(page_admits)(user, campaign) is expected, (who, what)

        await db(events.broadcast)(
            campaign.pk,
            {"type": "queue.changed", "waiting": 1},
            group=events.moderators_group(campaign.pk),
        )

        async def heard(socket) -> bool:
            frames = await socket.frames_until_quiet(quiet=0.4)
            return "queue.changed" in [frame["type"] for frame in frames]

        watching = [who for who in people if sockets[who].admitted]
        results = await asyncio.gather(*(heard(sockets[who]) for who in watching))
        for who, got in zip(watching, results, strict=True):
            assert got is moderates(who, what), (who, what)
        for socket in sockets.values():
            await socket.hang_up()


async def test_an_unknown_campaign_or_a_signed_out_visitor_is_refused(
    connect,  # noqa: F811
    make_staff,
    make_campaign,
):
    person = await db(make_staff)()
    campaign = await db(make_campaign)("open")

    unknown = await connect(person, 987654321)
    signed_out = await connect(None, campaign.pk)

    assert unknown.close_code == consumers.CLOSE_FORBIDDEN
    assert signed_out.close_code == consumers.CLOSE_FORBIDDEN


async def test_a_person_removed_from_a_boards_team_is_refused_by_the_socket(
    connect,  # noqa: F811
    make_board,
    make_staff,
    monkeypatch,
):
    board = await db(make_board)()
    person = await db(make_staff)(teams=[board.team])
    open_socket = await connect(person, board.pk)
    assert open_socket.admitted

    await db(TeamMembership.objects.filter(staff_member=person).delete)()

    code, _frames = await open_socket.closed_with(timeout=5)
    assert code == consumers.CLOSE_FORBIDDEN
    assert not (await connect(person, board.pk)).admitted


async def test_narrowing_an_audience_refuses_someone_now_outside(
    connect,  # noqa: F811
    make_staff,
    make_team,
    make_campaign,
    manager,
    monkeypatch,
):
    ward, other = await db(make_team)(), await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward, other])
    outsider = await db(make_staff)(teams=[other])
    member = await db(make_staff)(teams=[ward])
    open_socket = await connect(outsider, campaign.pk)
    assert open_socket.admitted

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], audience_teams=[ward]
    )

    code, _frames = await open_socket.closed_with(timeout=5)
    assert code == consumers.CLOSE_FORBIDDEN
    assert not (await connect(outsider, campaign.pk)).admitted
    assert (await connect(member, campaign.pk)).admitted


async def test_widening_an_audience_admits_the_next_connect(
    connect,  # noqa: F811
    make_staff,
    make_team,
    make_campaign,
    manager,
):
    ward, other = await db(make_team)(), await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward])
    outsider = await db(make_staff)(teams=[other])
    assert not (await connect(outsider, campaign.pk)).admitted

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], audience_teams=[]
    )

    assert (await connect(outsider, campaign.pk)).admitted


async def test_a_named_moderator_removed_no_longer_watches_a_team_campaign(
    connect,  # noqa: F811
    make_staff,
    make_team,
    make_campaign,
    manager,
):
    ward = await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward])
    named = await db(make_staff)()
    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], moderators=[named]
    )
    assert (await connect(named, campaign.pk)).admitted

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], moderators=[]
    )

    assert not (await connect(named, campaign.pk)).admitted


async def test_unpublishing_refuses_all_but_engagement_managers(
    connect,  # noqa: F811
    make_staff,
    make_campaign,
    manager,
):
    campaign = await db(make_campaign)("open")
    viewer = await db(make_staff)()
    assert (await connect(viewer, campaign.pk)).admitted

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], is_published=False
    )

    assert not (await connect(viewer, campaign.pk)).admitted
    assert (await connect(manager, campaign.pk)).admitted


async def test_an_account_switched_off_is_refused_and_its_open_socket_closed(
    connect,  # noqa: F811
    make_board,
    make_staff,
    monkeypatch,
):
    board = await db(make_board)()
    person = await db(make_staff)(teams=[board.team])
    open_socket = await connect(person, board.pk)
    assert open_socket.admitted

    def switch_off():
        person.is_active = False
        person.save()  # as the admin and account erasure do

    await db(switch_off)()

    code, _frames = await open_socket.closed_with(timeout=5)
    assert code == consumers.CLOSE_SIGNED_OUT  # the session signs nobody in now
    assert not (await connect(person, board.pk)).admitted


async def test_someone_who_must_set_up_multi_factor_sign_in_is_refused_like_the_page(
    connect,  # noqa: F811
    make_staff,
    make_campaign,
):
    campaign = await db(make_campaign)("open")
    moderator = await db(make_staff)(roles=["moderator"], mfa=False)

    refused = await connect(moderator, campaign.pk)

    def page_sends_to_set_up() -> bool:
        client = Client()
        client.force_login(moderator)
        response = client.get(campaign.get_absolute_url())
        return response.status_code == 302 and response["Location"] == reverse(
            "mfa_activate_totp"
        )

    assert refused.close_code == consumers.CLOSE_FORBIDDEN
    assert await db(page_sends_to_set_up)()
