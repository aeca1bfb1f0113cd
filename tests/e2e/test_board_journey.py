"""A team's Your Shout board in real browsers: a member posts on it, the lead pins a
"what we changed this month" note and sets the idea's status, and the member sees both;
a colleague from another team cannot open it."""

import pytest

from accounts.models import TeamMembership
from conversations.models import Idea
from tests.e2e.test_flag_journey import people  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_posts_the_lead_pins_a_note_and_sets_a_status(
    people,  # noqa: F811
    make_staff,
    make_team,
    make_board,
):
    team = make_team("North Locality District Nursing")
    lead = make_staff(display_name="Chris Taylor")
    TeamMembership.objects.create(
        team=team, staff_member=lead, role=TeamMembership.Role.LEAD
    )
    member_user = make_staff(display_name="Alex Morgan", teams=[team])
    outsider_user = make_staff(display_name="Otto Outsider", teams=[make_team()])
    board = make_board(team, themes=("Ideas to make things better",))

    member = people(member_user)
    member.goto("/teams/")
    member.page.get_by_role("link", name="North Locality District Nursing").click()
    member.page.get_by_role("link", name=board.title).click()
    member.page.get_by_role("link", name="Share an idea").click()
    member.page.get_by_label("Theme").select_option(label="Ideas to make things better")
    member.page.get_by_label("Title").fill("Share the car pool rota a week ahead")
    member.page.get_by_label("Your idea").fill("It would save many phone calls.")
    member.page.get_by_role("button", name="Post idea").click()
    member.page.get_by_role(
        "heading", name="Share the car pool rota a week ahead"
    ).wait_for()
    idea = Idea.objects.get(campaign=board)

    chief = people(lead)
    chief.goto(board.get_absolute_url())
    chief.page.get_by_role("link", name="Board settings").click()
    chief.page.get_by_label("What we changed this month").fill(
        "The car pool rota now goes out on Fridays."
    )
    chief.page.get_by_role("button", name="Pin the note").click()
    chief.page.get_by_text("The car pool rota now goes out on Fridays.").wait_for()
    chief.goto(idea.get_absolute_url())
    chief.page.get_by_text("Moderate this idea").click()
    chief.page.get_by_label("Status").select_option(label="In progress")
    chief.page.get_by_label("Public note").fill("Starting next month.")
    chief.page.get_by_role("button", name="Set status").click()
    chief.page.get_by_text("Status updated.").wait_for()

    member.goto(board.get_absolute_url())
    member.page.get_by_role("heading", name="What we changed this month").wait_for()
    assert member.page.get_by_text("The car pool rota now goes out on Fridays.").count()
    member.goto(idea.get_absolute_url())
    member.page.get_by_text("Starting next month.").wait_for()
    idea.refresh_from_db()
    assert idea.status == "in_progress"

    outsider = people(outsider_user)
    response = outsider.page.goto(outsider.base_url + board.get_absolute_url())
    assert response.status == 404
    outsider.goto("/")
    assert outsider.page.get_by_text(board.title).count() == 0


def test_board_and_team_pages_pass_the_accessibility_checks(
    browser, live_server, make_staff, make_team, make_board, make_campaign, make_idea
):
    from conversations.services import boards
    from tests.e2e.a11y import PHONE, assert_all_pass, check_page
    from tests.servers import session_cookie_for

    team = make_team("North Locality District Nursing")
    lead = make_staff(display_name="Chris Taylor")
    TeamMembership.objects.create(
        team=team, staff_member=lead, role=TeamMembership.Role.LEAD
    )
    manager = make_staff(roles=["engagement_manager"], display_name="Jo Evans")
    members = [make_staff(teams=[team]) for _ in range(5)]
    asking = make_staff(display_name="Sam Patel")
    from accounts import teams

    teams.request_to_join(asking, team)
    board = make_board(team)
    boards.pin_note(
        lead, board, "<p>Handover starts 15 minutes earlier on Mondays.</p>"
    )
    idea = make_idea(board, author=members[0], title="A quiet room for notes")
    boards.put_forward(lead, idea)
    make_campaign("scheduled", title="Our future")
    campaign = make_campaign("open", title="Our working lives")
    make_idea(campaign, author=members[1], title="Named idea")

    def visit(user, pages):
        context = browser.new_context(viewport=PHONE)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": session_cookie_for(user),
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        results = []
        try:
            for name, path in pages:
                response = page.goto(live_server.url + path)
                assert response.status < 500, f"{name}: {response.status}"
                results.append(check_page(page, name))
        finally:
            context.close()
        return results

    results = visit(
        lead,
        [
            ("my teams", "/teams/"),
            ("team page, as its lead", f"/teams/{team.slug}/"),
            ("board", board.get_absolute_url()),
            ("board idea, as its lead", idea.get_absolute_url()),
            ("board settings", f"/campaigns/{board.slug}/board/settings/"),
            ("moderation queue, as a lead", "/moderation/"),
        ],
    )
    results += visit(
        asking,
        [
            ("every team", "/teams/all/"),
            ("team page, as an outsider", f"/teams/{team.slug}/"),
        ],
    )
    from accounts import directory

    good = directory.save_upload(
        manager,
        "staff.csv",
        b"Email,Name,Team\nana.jones@nhs.net,Ana Jones,North Locality District Nursing\n",
    )
    bad = directory.save_upload(
        manager, "staff.csv", b"Email,Name,Team\nnope,Someone,Ward 3\n"
    )
    unmapped = directory.save_upload(manager, "hr.csv", b"Mail,Who\nx@nhs.net,X\n")
    directory.remember_mapping(
        manager, {"email": "Email", "name": "Name", "team": "Team"}
    )
    results += visit(
        manager,
        [
            ("directory: match the columns", f"/directory/{unmapped.pk}/columns/"),
            ("directory: preview", f"/directory/{good.pk}/preview/"),
            ("directory: preview with bad rows", f"/directory/{bad.pk}/preview/"),
            ("invitation link that no longer works", "/me/invitation/MQ/nope/"),
            ("teams, as a manager", "/teams/all/"),
            ("start a board", f"/teams/{make_team('Ward 3').slug}/board/new/"),
            ("ideas put forward", "/put-forward/"),
            ("staff directory import", "/directory/"),
            ("campaign, team view", campaign.get_absolute_url() + f"?team={team.pk}"),
        ],
    )
    assert_all_pass(results)
