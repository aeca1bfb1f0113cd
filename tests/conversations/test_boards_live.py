"""A board's websocket authorises through the same rules as its pages: its team's
members and organisation moderators are admitted, everyone else is refused and never
receives its events."""

import pytest

from conversations import services
from conversations.live import consumers
from tests.live.test_consumer import connect, db  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(30),
]


async def test_board_socket_admits_members_and_moderators_and_refuses_outsiders(
    connect,  # noqa: F811
    make_board,
    make_team,
    make_staff,
):
    board = await db(make_board)()
    member = await db(make_staff)(teams=[board.team])
    moderator = await db(make_staff)(roles=["moderator"])
    outsider = await db(make_staff)(teams=[await db(make_team)()])
    lead_elsewhere = await db(make_staff)()
    await db(make_board)(lead=lead_elsewhere)

    as_outsider = await connect(outsider, board.pk)
    as_other_lead = await connect(lead_elsewhere, board.pk)
    as_member = await connect(member, board.pk)
    as_moderator = await connect(moderator, board.pk)

    assert not as_outsider.admitted
    assert as_outsider.close_code == consumers.CLOSE_FORBIDDEN
    assert not as_other_lead.admitted
    assert as_member.admitted
    assert as_moderator.admitted


async def test_board_events_reach_members_and_not_a_former_member(
    connect,  # noqa: F811
    make_board,
    make_staff,
):
    board = await db(make_board)()
    member = await db(make_staff)(teams=[board.team])
    author = await db(make_staff)(teams=[board.team])
    socket = await connect(member, board.pk)
    assert socket.admitted
    await socket.frame_of("hello")

    await db(services.post_idea)(
        author,
        board,
        theme=await db(board.themes.first)(),
        title="Quiet room for breaks",
        body="Please.",
    )

    frame = await socket.frame_of("idea.posted", timeout=5)
    assert "Quiet room for breaks" in str(frame)
    await db(member.memberships.all().delete)()
    refused = await connect(member, board.pk)
    assert not refused.admitted


async def test_an_open_board_socket_is_closed_once_its_viewer_leaves_the_team(
    connect,  # noqa: F811
    make_board,
    make_staff,
    monkeypatch,
):
    board = await db(make_board)()
    member = await db(make_staff)(teams=[board.team])
    stays = await db(make_staff)(teams=[board.team])
    leaving = await connect(member, board.pk)
    staying = await connect(stays, board.pk)
    await leaving.frame_of("hello")
    await staying.frame_of("hello")

    await db(member.memberships.all().delete)()

    code, _frames = await leaving.closed_with(timeout=5)
    assert code == consumers.CLOSE_FORBIDDEN
    assert staying.close_code is None  # still a member: still live
