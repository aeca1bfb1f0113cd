"""Access ends the moment it is taken away (issue 15 item 7): signing out, a password
change, an account switched off or removed by the directory import, being taken out of
a team, a role, a board's lead or a second step taken away and an audience narrowed close the affected sockets (campaign
pages and the bell) within 2 seconds, with a code the page treats as final, and the
next connect is refused. Driven through the real ASGI application (Channels'
AuthMiddlewareStack, the consumers), on the embedded path and on Redis."""

import asyncio
import contextlib

import pytest
import pytest_asyncio
from allauth.mfa.models import Authenticator
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts import directory, teams
from accounts.models import StaffMember, TeamMembership
from conversations import services
from conversations.live import access, events
from tests.accounts.test_directory_import import FILE, MAPPING
from tests.live.test_consumer import ORIGIN, Socket, _stop_hub, db

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]

WITHIN = 2.0  # seconds: the promise


class Browser:
    """One signed-in browser session (a Django test client) and its sockets."""

    def __init__(self, user, opened: list):
        self.client = Client()
        self.client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        self.cookie = f"{name}={self.client.cookies[name].value}".encode()
        self.opened = opened

    async def socket(self, path: str) -> Socket:
        socket = Socket(path, [(b"origin", ORIGIN), (b"cookie", self.cookie)])
        self.opened.append(socket)
        return await socket.open()

    async def campaign(self, campaign) -> Socket:
        socket = await self.socket(f"/ws/campaigns/{campaign.pk}/")
        assert socket.admitted
        await socket.frame_of("hello")
        return socket

    async def bell(self) -> Socket:
        socket = await self.socket("/ws/me/")
        assert socket.admitted
        await socket.frame_of("unread")
        return socket

    def sign_out(self) -> None:
        response = self.client.post(reverse("account_logout"))
        assert response.status_code in (200, 302), response.status_code


@pytest_asyncio.fixture
async def browser():
    channel_layers.backends.clear()
    opened: list[Socket] = []

    async def browser(user) -> Browser:
        return await db(Browser)(user, opened)

    yield browser
    for socket in opened:
        await socket.hang_up()
    await _stop_hub()
    layer = channel_layers.backends.get(DEFAULT_CHANNEL_LAYER)
    if hasattr(layer, "close_pools"):
        async with asyncio.timeout(5):
            await layer.close_pools()
    channel_layers.backends.clear()
    await db(connections.close_all)()


async def closes(socket: Socket) -> int:
    """The close code, which must come within the promised 2 seconds."""
    code, _frames = await socket.closed_with(timeout=WITHIN)
    return code


async def stays_open(socket: Socket) -> bool:
    with contextlib.suppress(TimeoutError):
        await socket.closed_with(timeout=0.5)
        return False
    return True


async def hears_moderators_news(page: Socket, campaign) -> bool:
    """Send the campaign's moderators some news, then everyone a status change: whether
    ``page`` got the moderators' news before the status change."""
    await db(events.broadcast)(
        campaign.pk,
        {"type": "queue.changed", "waiting": 1},
        group=events.moderators_group(campaign.pk),
    )
    await db(events.broadcast)(campaign.pk, {"type": "idea.status", "seq": 99})
    frames = []
    async with asyncio.timeout(3):
        while not frames or frames[-1]["type"] != "idea.status":
            frames.append(await page.frame())
    return "queue.changed" in [f["type"] for f in frames]


async def test_signing_out_closes_that_sessions_page_and_bell_not_another_session(
    browser, make_staff, make_campaign
):
    campaign = await db(make_campaign)("open")
    person = await db(make_staff)()
    on_ward_pc = await browser(person)
    on_phone = await browser(person)
    page, bell = await on_ward_pc.campaign(campaign), await on_ward_pc.bell()
    phone_page = await on_phone.campaign(campaign)

    await db(on_ward_pc.sign_out)()

    assert await closes(page) == access.CLOSE_SIGNED_OUT
    assert await closes(bell) == access.CLOSE_SIGNED_OUT
    assert await stays_open(phone_page)  # signing out here is not signing out there
    again = await on_ward_pc.socket(f"/ws/campaigns/{campaign.pk}/")
    assert not again.admitted and again.close_code == access.CLOSE_FORBIDDEN


async def test_a_password_change_closes_every_session_of_the_person(
    browser, make_staff, make_campaign
):
    campaign = await db(make_campaign)("open")
    person = await db(make_staff)()
    one, other = await browser(person), await browser(person)
    sockets = [await one.campaign(campaign), await one.bell(), await other.bell()]

    def change_password():
        person.set_password("a-new-and-long-passphrase")
        person.save()

    await db(change_password)()

    for socket in sockets:
        assert await closes(socket) == access.CLOSE_SIGNED_OUT
    assert not (await one.socket("/ws/me/")).admitted


async def test_an_account_switched_off_closes_its_page_and_bell(
    browser, make_staff, make_campaign
):
    campaign = await db(make_campaign)("open")
    person = await db(make_staff)()
    session = await browser(person)
    page, bell = await session.campaign(campaign), await session.bell()

    def switch_off():
        person.is_active = False
        person.save()

    await db(switch_off)()

    assert await closes(page) == access.CLOSE_SIGNED_OUT
    assert await closes(bell) == access.CLOSE_SIGNED_OUT


async def test_someone_removed_by_the_directory_import_is_closed_out(
    browser, manager, make_campaign
):
    campaign = await db(make_campaign)("open")
    await db(directory.apply_import)(manager, FILE, MAPPING)
    cara = await db(StaffMember.objects.get)(email="cara.li@nhs.net")
    ana = await db(StaffMember.objects.get)(email="ana.jones@nhs.net")
    leaving = await (await browser(cara)).campaign(campaign)
    staying = await (await browser(ana)).campaign(campaign)
    without_cara = "\n".join(line for line in FILE.splitlines() if "cara" not in line)

    await db(directory.apply_import)(manager, without_cara, MAPPING)

    assert await closes(leaving) == access.CLOSE_SIGNED_OUT
    assert await stays_open(staying)


async def test_taken_out_of_the_team_closes_the_team_campaign_but_not_the_bell(
    browser, make_staff, make_team, make_campaign
):
    ward = await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward])
    person = await db(make_staff)(teams=[ward])
    colleague = await db(make_staff)(teams=[ward])
    session = await browser(person)
    page, bell = await session.campaign(campaign), await session.bell()
    colleagues_page = await (await browser(colleague)).campaign(campaign)

    await db(
        lambda: TeamMembership.objects.get(staff_member=person, team=ward).delete()
    )()

    assert await closes(page) == access.CLOSE_FORBIDDEN
    assert await stays_open(bell)  # still signed in
    assert await stays_open(colleagues_page)
    assert not (await session.socket(f"/ws/campaigns/{campaign.pk}/")).admitted


async def test_a_narrowed_audience_closes_those_now_outside_and_only_them(
    browser, make_staff, make_team, make_campaign, manager
):
    ward, other = await db(make_team)(), await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward, other])
    outsider = await browser(await db(make_staff)(teams=[other]))
    member = await browser(await db(make_staff)(teams=[ward]))
    outside_page, member_page = (
        await outsider.campaign(campaign),
        await member.campaign(campaign),
    )

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], audience_teams=[ward]
    )

    assert await closes(outside_page) == access.CLOSE_FORBIDDEN
    assert await stays_open(member_page)


async def test_a_moderator_role_taken_away_closes_a_campaign_seen_only_by_that_role(
    browser, make_staff, make_team, make_campaign
):
    ward = await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward])
    moderator = await db(make_staff)(roles=["moderator"])
    page = await (await browser(moderator)).campaign(campaign)

    await db(moderator.groups.clear)()

    assert await closes(page) == access.CLOSE_FORBIDDEN


async def test_a_named_moderator_removed_keeps_watching_but_hears_no_moderators_news(
    browser, make_staff, make_campaign, manager
):
    campaign = await db(make_campaign)("open")
    named = await db(make_staff)()
    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], moderators=[named]
    )
    page = await (await browser(named)).campaign(campaign)

    await db(services.update_campaign)(
        campaign, manager, themes=["Health and wellbeing"], moderators=[]
    )
    await asyncio.sleep(WITHIN)
    assert not await hears_moderators_news(page, campaign)


async def test_a_board_lead_replaced_keeps_the_board_but_hears_no_moderators_news(
    browser, make_staff, make_team, make_board, manager
):
    ward = await db(make_team)()
    lead = await db(make_staff)(teams=[ward])
    board = await db(make_board)(ward, lead=lead)
    page = await (await browser(lead)).campaign(board)

    new_lead = await db(make_staff)(teams=[ward])
    await db(teams.set_leads)(manager, ward, [new_lead])  # one update, no post_save
    await asyncio.sleep(WITHIN)
    assert not await hears_moderators_news(page, board)


async def test_a_moderator_who_removes_their_second_step_is_closed_out_until_set_up(
    browser, make_staff, make_team, make_campaign
):
    ward = await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward])
    moderator = await db(make_staff)(roles=["moderator"])
    session = await browser(moderator)
    page = await session.campaign(campaign)

    # What allauth's "deactivate" does: the authenticator's row is deleted.
    await db(lambda: Authenticator.objects.filter(user=moderator).delete())()

    assert await closes(page) == access.CLOSE_FORBIDDEN
    assert not (await session.socket(f"/ws/campaigns/{campaign.pk}/")).admitted


async def test_a_role_emptied_from_the_groups_side_closes_its_holders_pages(
    browser, make_staff, make_team, make_campaign
):
    ward = await db(make_team)()
    campaign = await db(make_campaign)("open", audience_teams=[ward])
    moderator = await db(make_staff)(roles=["moderator"])
    page = await (await browser(moderator)).campaign(campaign)

    await db(lambda: moderator.groups.get().user_set.clear())()

    assert await closes(page) == access.CLOSE_FORBIDDEN


async def test_the_bell_ignores_what_a_client_sends_and_stays_open(
    browser, make_staff, caplog
):
    bell = await (await browser(await db(make_staff)())).bell()

    for _ in range(5):
        await bell.send_text('{"type": "mark_all_read"}')

    assert await bell.nothing_more(timeout=0.5)
    assert await stays_open(bell)
    assert caplog.text.count("Bell socket message refused") == 1
