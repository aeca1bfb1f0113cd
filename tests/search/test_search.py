"""Search: what a person may see, ranked, filtered and highlighted, on whichever
database the suite runs on (SQLite FTS5 by default, PostgreSQL with DATABASE_URL)."""

import re

import pytest
from django.urls import reverse

from conversations.models import Idea, Visibility

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get(reverse("search:results"), params)
    assert response.status_code == 200
    return response


def found(response) -> list[str]:
    """The hits as shown, in order: "idea-<pk>" / "comment-<pk>"."""
    return re.findall(r'data-hit="([a-z]+-\d+)"', response.content.decode())


def idea_hit(idea) -> str:
    return f"idea-{idea.pk}"


@pytest.fixture
def reader(client, make_staff):
    person = make_staff(display_name="Rhian Reader")
    client.force_login(person)
    return person


def test_finds_ideas_by_words_in_title_or_body_with_stemming(
    client, reader, open_campaign, make_idea
):
    parking = make_idea(
        open_campaign,
        title="Free parking for night staff",
        body="<p>Nurses on nights cannot find a space.</p>",
    )
    make_idea(
        open_campaign, title="Better rota planning", body="<p>Plan rotas early.</p>"
    )

    assert found(search(client, q="park")) == [idea_hit(parking)]
    assert found(search(client, q="nurse")) == [idea_hit(parking)]
    assert found(search(client, q="parking nurses")) == [idea_hit(parking)]
    assert found(search(client, q="parking rotas")) == []


def test_a_title_match_ranks_above_a_body_match(
    client, reader, open_campaign, make_idea
):
    in_body = make_idea(
        open_campaign,
        title="Staff room improvements",
        body="<p>A kettle, chairs and maybe a quiet corner for wellbeing.</p>",
    )
    in_title = make_idea(
        open_campaign,
        title="Wellbeing hour every week",
        body="<p>Time set aside for ourselves.</p>",
    )

    assert found(search(client, q="wellbeing")) == [
        idea_hit(in_title),
        idea_hit(in_body),
    ]


def test_comments_are_found_and_lead_to_their_idea(
    client, reader, open_campaign, make_idea, make_comment
):
    idea = make_idea(open_campaign, title="Rota planning", body="<p>Earlier rotas.</p>")
    comment = make_comment(idea, body="<p>Self-rostering worked on our ward.</p>")

    response = search(client, q="rostering")

    assert found(response) == [f"comment-{comment.pk}"]
    assert comment.get_absolute_url() in response.content.decode()


def test_matches_are_marked_and_no_typed_html_gets_through(
    client, reader, open_campaign, make_idea
):
    make_idea(
        open_campaign,
        title="Canteen <b>hours</b> <script>alert(1)</script>",
        body="<p>Open the canteen late &amp; <img src=x onerror=alert(2)> at night.</p>",
    )

    html = search(client, q="canteen").content.decode()

    assert "<mark>Canteen</mark>" in html
    assert "<mark>canteen</mark> late &amp;amp; at night" in html or (
        "<mark>canteen</mark> late &amp; at night" in html
    )
    assert "<script>alert(1)" not in html
    assert "onerror" not in html
    assert "<b>hours</b>" not in html


def test_text_that_looks_like_a_mark_stays_text(
    client, reader, open_campaign, make_idea
):
    make_idea(
        open_campaign, title="Uniform <mark>swap</mark> \x01scheme\x02", body="<p>x</p>"
    )

    html = search(client, q="uniform").content.decode()

    assert "<mark>Uniform</mark>" in html
    assert "<mark>swap</mark>" not in html
    assert "<mark>scheme</mark>" not in html


def test_query_syntax_is_only_words(client, reader, open_campaign, make_idea):
    idea = make_idea(open_campaign, title="Parking permits", body="<p>x</p>")

    for q in [
        '"parking',
        "parking AND",
        "parking*",
        "-parking",
        "parking:",
        "(parking",
    ]:
        assert found(search(client, q=q)) == [idea_hit(idea)], q
    assert found(search(client, q="!!! ???")) == []


def test_named_authors_are_found_by_name_anonymous_ones_never(
    client, reader, make_campaign, make_staff, make_idea, make_comment
):
    campaign = make_campaign("open", allow_anonymous=True)
    bronwen = make_staff(display_name="Bronwen Pritchard")
    named = make_idea(
        campaign, author=bronwen, title="Walking meetings", body="<p>x</p>"
    )
    hidden_name = make_idea(
        campaign,
        author=bronwen,
        anonymous=True,
        title="Bullying on nights",
        body="<p>y</p>",
    )
    anonymous_comment = make_comment(
        named, author=bronwen, anonymous=True, body="<p>z</p>"
    )

    response = search(client, q="Pritchard")
    html = response.content.decode()

    assert found(response) == [idea_hit(named)]
    assert idea_hit(hidden_name) not in html
    assert f"comment-{anonymous_comment.pk}" not in html
    # Found by its text, the anonymous idea shows no name.
    response = search(client, q="bullying")
    assert found(response) == [idea_hit(hidden_name)]
    assert "Bronwen" not in response.content.decode()
    assert "A colleague" in response.content.decode()


def test_a_renamed_author_is_found_by_their_new_name_only(
    client, reader, open_campaign, make_staff, make_idea
):
    person = make_staff(display_name="Gwen Jones")
    idea = make_idea(
        open_campaign, author=person, title="Walking meetings", body="<p>x</p>"
    )

    person.display_name = "Gwen Evans"
    person.save()

    assert found(search(client, q="Evans")) == [idea_hit(idea)]
    assert found(search(client, q="Jones")) == []


def test_a_post_made_anonymous_afterwards_no_longer_matches_its_author(
    client, reader, make_campaign, make_staff, make_idea
):
    campaign = make_campaign("open", allow_anonymous=True)
    person = make_staff(display_name="Owain Price")
    idea = make_idea(campaign, author=person, title="Walking meetings", body="<p>x</p>")
    Idea.objects.filter(pk=idea.pk).update(is_anonymous=True)

    assert found(search(client, q="Owain")) == []


def test_hidden_held_and_merged_away_text_and_their_comments_are_never_found(
    client, reader, open_campaign, make_idea, make_comment
):
    hidden = make_idea(
        open_campaign, title="Secret hidden idea", visibility=Visibility.HIDDEN
    )
    make_comment(hidden, body="<p>secret reply</p>")
    make_idea(open_campaign, title="Secret held idea", visibility=Visibility.HELD)
    visible = make_idea(open_campaign, title="Plain idea", body="<p>p</p>")
    hidden_comment = make_comment(visible, body="<p>secret comment</p>")
    hidden_comment.visibility = Visibility.HIDDEN
    hidden_comment.save()

    assert found(search(client, q="secret")) == []


def test_a_person_never_finds_what_they_may_not_see(
    client, reader, make_team, make_board, make_campaign, make_idea
):
    other_board = make_board(make_team())
    make_idea(other_board, title="Secret board idea")
    team_campaign = make_campaign("open", audience_teams=[make_team()])
    make_idea(team_campaign, title="Secret team idea")
    draft = make_campaign("draft")
    make_idea(draft, title="Secret draft idea")

    assert found(search(client, q="secret")) == []


def test_a_board_member_finds_their_board(
    client, make_staff, make_team, make_board, make_idea
):
    team = make_team()
    member = make_staff(teams=[team])
    board = make_board(team)
    idea = make_idea(board, title="Board bench idea")
    client.force_login(member)

    assert found(search(client, q="bench")) == [idea_hit(idea)]


def test_filters_by_campaign_theme_status_and_mine(
    client, reader, make_campaign, make_idea
):
    first, second = make_campaign("open"), make_campaign("open")
    wellbeing, ways = first.themes.all()[:2]
    a = make_idea(first, theme=wellbeing, title="Rota idea one")
    b = make_idea(first, theme=ways, title="Rota idea two")
    c = make_idea(second, title="Rota idea three")
    mine = make_idea(second, author=reader, title="Rota idea four")
    Idea.objects.filter(pk=b.pk).update(status=Idea.Status.ADOPTED)

    def hits(**params):
        return set(found(search(client, q="rota", **params)))

    assert hits() == {idea_hit(i) for i in (a, b, c, mine)}
    assert hits(campaign=first.pk) == {idea_hit(a), idea_hit(b)}
    assert hits(campaign=first.pk, theme=ways.pk) == {idea_hit(b)}
    assert hits(status="adopted") == {idea_hit(b)}
    assert hits(mine="on") == {idea_hit(mine)}
    # Filters alone list the newest first.
    assert found(search(client, mine="on")) == [idea_hit(mine)]


def test_filters_refuse_campaigns_the_person_may_not_see(
    client, reader, make_team, make_board, make_idea
):
    board = make_board(make_team())
    make_idea(board, title="Board idea")

    response = client.get(
        reverse("search:results"), {"q": "board", "campaign": board.pk}
    )

    assert response.status_code == 400
    assert "data-hit" not in response.content.decode()


def test_search_needs_signing_in(client):
    response = client.get(reverse("search:results"), {"q": "x"})
    assert response.status_code == 302


def test_the_header_has_a_search_box_for_people_signed_in(client, reader):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search:results")}"' in html


def test_many_results_are_paged(client, reader, open_campaign, make_idea):
    for n in range(23):
        make_idea(open_campaign, title=f"Rota idea {n}")

    first = search(client, q="rota")
    second = search(client, q="rota", page=2)

    assert len(found(first)) == 20 and len(found(second)) == 3
    assert not set(found(first)) & set(found(second))
