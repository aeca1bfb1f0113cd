"""The campaign page's cached idea cards: every change shows on the next page load, and
nothing one viewer sees leaks into another's page."""

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from conversations import queries, services
from conversations.models import Idea
from conversations.services import moderation
from conversations.services.own_posts import delete_account
from voting.services import votes_by_voter

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def idea_list(response) -> str:
    """The page's list of idea cards, with the per-request CSRF mask taken out."""
    html = response.content.decode()
    start = html.index('<ol class="nhsuk-list sv-idea-list"')
    return TOKEN.sub("TOKEN", html[start : html.index("</ol>", start)])


def cards_rendered_for(viewer, campaign, response) -> str:
    """The cards as the page rendered them before caching: one by one, for the viewer."""
    ideas = list(queries.campaign_ideas(campaign, viewer)[: settings.IDEAS_PER_PAGE])
    my_votes = votes_by_voter(viewer, Idea, [i.pk for i in ideas])
    parts = []
    for idea in ideas:
        idea.my_vote = my_votes.get(idea.pk, 0)
        parts.append(
            render_to_string(
                "conversations/includes/idea_card.html",
                {"idea": idea, "campaign": campaign, "can_take_part": True},
                request=response.wsgi_request,
            )
        )
    return TOKEN.sub("TOKEN", "".join(parts))


def page(client, campaign, query: str = ""):
    response = client.get(
        reverse("conversations:campaign", args=[campaign.slug]) + query
    )
    assert response.status_code == 200
    return response


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("open", allow_anonymous=True)


@pytest.fixture
def viewer(make_staff):
    return make_staff(display_name="Vic Viewer")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def test_cached_cards_are_exactly_what_the_viewer_would_have_been_shown(
    client, campaign, make_idea, make_staff
):
    viewer = make_staff(display_name="Vic Viewer")
    other = make_staff(display_name="Rowan Openname")
    mine = make_idea(campaign, author=viewer, title="My named idea")
    make_idea(campaign, author=viewer, title="My quiet idea", anonymous=True)
    theirs = make_idea(campaign, author=other, title="Their named idea")
    make_idea(campaign, author=other, title="Their quiet idea", anonymous=True)
    opposed = make_idea(campaign, author=other, title="Opposed")
    # Text that looks like the fields cached cards are filled through.
    make_idea(campaign, author=other, title="100% sure: %(next)s, %s and %%")
    make_idea(campaign, author=viewer, title="Mine, 50%(csrf)s")
    services.vote(viewer, theirs, 1)
    services.vote(viewer, opposed, -1)
    services.vote(other, mine, 1)
    client.force_login(viewer)

    first = page(client, campaign)  # fills the cache
    second = page(client, campaign)  # served from it

    expected = cards_rendered_for(viewer, campaign, second)
    assert expected in idea_list(first)
    assert expected in idea_list(second)
    cards = idea_list(second)
    assert "You (posted anonymously)" in cards and "Rowan Openname" in cards
    assert cards.count('aria-pressed="true"') == 2
    assert "100% sure: %(next)s, %s and %%" in cards and "Mine, 50%(csrf)s" in cards


def test_another_viewer_never_gets_the_first_viewers_name_votes_or_token(
    client, campaign, make_idea, make_staff
):
    author = make_staff(display_name="Rowan Openname")
    make_idea(campaign, author=author, title="Quiet one", anonymous=True)
    named = make_idea(campaign, author=author, title="Named one")
    services.vote(author, named, 1)
    client.force_login(author)
    page(client, campaign)
    author_token = client.cookies["csrftoken"].value

    reader = make_staff()
    client.force_login(reader)
    cards = page(client, campaign).content.decode()

    assert "You (posted anonymously)" not in cards and ">You<" not in cards
    assert "A colleague" in cards
    assert 'aria-pressed="true"' not in cards
    assert author_token not in cards
    assert "<!--sv:" not in cards  # no marker left unfilled


def test_a_vote_by_someone_else_shows_on_the_next_load(
    viewer_client, campaign, make_idea, make_staff
):
    idea = make_idea(campaign, title="Count me")
    page(viewer_client, campaign)

    services.vote(make_staff(), idea, 1)

    assert 'data-count="support">1<' in idea_list(page(viewer_client, campaign))


def test_my_own_vote_shows_pressed_on_the_next_load_and_goes_when_taken_back(
    viewer_client, viewer, campaign, make_idea
):
    idea = make_idea(campaign, title="Press me")
    assert 'aria-pressed="true"' not in idea_list(page(viewer_client, campaign))

    services.vote(viewer, idea, 1)
    cards = idea_list(page(viewer_client, campaign))
    assert cards.count('aria-pressed="true"') == 1
    assert 'value="clear" aria-pressed="true"' in cards

    services.vote(viewer, idea, -1)  # changed: the other button is pressed
    cards = idea_list(page(viewer_client, campaign))
    assert cards.count('aria-pressed="true"') == 1
    assert 'value="support" aria-pressed="false"' in cards

    services.vote(viewer, idea, 0)
    assert 'aria-pressed="true"' not in idea_list(page(viewer_client, campaign))


def test_a_new_idea_and_a_comment_show_on_the_next_load(
    viewer_client, campaign, make_idea, make_staff
):
    idea = make_idea(campaign, title="Older")
    page(viewer_client, campaign)

    services.post_idea(
        make_staff(),
        campaign,
        theme=campaign.themes.first(),
        title="Brand new",
        body="<p>Fresh.</p>",
    )
    services.post_comment(make_staff(), idea, body="Agreed.")

    cards = idea_list(page(viewer_client, campaign))
    assert "Brand new" in cards
    assert "1 comment" in cards


def test_each_moderation_change_shows_on_the_next_load(
    viewer_client, campaign, make_idea, moderator
):
    hidden = make_idea(campaign, title="Soon hidden")
    edited = make_idea(campaign, title="Typo in titel")
    adopted = make_idea(campaign, title="Good plan")
    duplicate = make_idea(campaign, title="Same plan again")
    assert "Soon hidden" in idea_list(page(viewer_client, campaign))

    moderation.hide_idea(moderator, hidden, "identifies")
    assert "Soon hidden" not in idea_list(page(viewer_client, campaign))

    moderation.restore_idea(moderator, hidden)
    assert "Soon hidden" in idea_list(page(viewer_client, campaign))

    moderation.edit_post(moderator, edited, title="Typo in title", body="Fixed.")
    cards = idea_list(page(viewer_client, campaign))
    assert "Typo in title" in cards and "Edited by a moderator" in cards

    moderation.set_idea_status(moderator, adopted, "adopted")
    assert "Adopted" in idea_list(page(viewer_client, campaign))

    moderation.merge_ideas(moderator, duplicate, adopted)
    assert "Same plan again" not in idea_list(page(viewer_client, campaign))


def test_an_authors_deleted_account_shows_as_a_former_colleague_on_the_next_load(
    viewer_client, campaign, make_idea, make_staff
):
    author = make_staff(display_name="Leaving Soon")
    make_idea(campaign, author=author, title="Kept idea")
    assert "Leaving Soon" in idea_list(page(viewer_client, campaign))

    delete_account(author)

    cards = idea_list(page(viewer_client, campaign))
    assert "Leaving Soon" not in cards and "A former colleague" in cards


def test_moderators_and_staff_get_their_own_lists(
    client, campaign, make_idea, moderator, viewer
):
    make_idea(campaign, title="Out in the open")
    make_idea(campaign, title="Held back", visibility="held")
    client.force_login(moderator)
    assert "Held back" in idea_list(page(client, campaign))

    client.force_login(viewer)
    cards = idea_list(page(client, campaign))
    assert "Out in the open" in cards and "Held back" not in cards


def test_each_language_gets_its_own_cards(
    viewer_client, campaign, make_idea, moderator
):
    idea = make_idea(campaign, title="Good plan")
    moderation.set_idea_status(moderator, idea, "adopted")
    assert "Adopted" in idea_list(page(viewer_client, campaign))

    viewer_client.cookies["django_language"] = "cy"
    cards = idea_list(page(viewer_client, campaign))

    assert "Adopted" not in cards


def test_my_own_card_says_you_and_is_mine_alone(
    client, campaign, make_idea, make_staff
):
    author, colleague = make_staff(display_name="Ada Author"), make_staff()
    mine = make_idea(campaign, author=author, title="My own idea", anonymous=True)
    make_idea(campaign, title="Someone else's")

    def card_of(person) -> str:
        client.force_login(person)
        html = idea_list(page(client, campaign))
        start = html.index(f'id="idea-{mine.pk}"')
        return html[start : html.index("</li>", start)]

    first, again = card_of(author), card_of(author)
    theirs = card_of(colleague)

    assert "You (posted anonymously)" in first and first == again
    assert "Report" not in first  # nobody reports their own idea
    assert "You" not in theirs and "Ada Author" not in theirs and "Report" in theirs
    assert card_of(author) == first  # and again after the colleague's load


def test_my_idea_held_for_a_moderator_is_listed_for_me_on_the_next_load(
    client, campaign, make_idea, make_staff
):
    author = make_staff()
    make_idea(campaign, title="Already here")
    client.force_login(author)
    assert "waiting for a moderator" not in page(client, campaign).content.decode()

    held = services.post_idea(
        author,
        campaign,
        theme=campaign.themes.first(),
        title="Call me on this",
        body="<p>Email me at sam.jones@example.com</p>",
    )

    assert held.visibility == "held"
    html = page(client, campaign).content.decode()
    assert "Your ideas waiting for a moderator" in html and "Call me on this" in html
    client.force_login(make_staff())
    assert "Call me on this" not in page(client, campaign).content.decode()


def test_a_renamed_theme_shows_on_the_next_load(
    viewer_client, campaign, make_idea, manager
):
    make_idea(campaign, theme=campaign.themes.first(), title="Filed under a theme")
    assert "Health and wellbeing" in page(viewer_client, campaign).content.decode()

    services.update_campaign(
        campaign, manager, themes=["Wellbeing at work", "Ways of working"]
    )

    html = page(viewer_client, campaign).content.decode()
    assert "Health and wellbeing" not in html
    assert html.count("Wellbeing at work") >= 2  # in the filter and on the card


def test_a_vote_shows_its_tally_and_reorders_most_supported_on_the_next_load(
    viewer_client, campaign, make_idea, make_staff
):
    older = make_idea(campaign, title="Older idea")
    make_idea(campaign, title="Newer idea")
    page(viewer_client, campaign)
    page(viewer_client, campaign, "?sort=supported")

    services.vote(make_staff(), older, 1)

    newest = idea_list(page(viewer_client, campaign))
    supported = idea_list(page(viewer_client, campaign, "?sort=supported"))
    older_card = newest.split(f'id="idea-{older.pk}"')[1]
    assert 'data-count="support">1</span>' in older_card
    assert supported.index("Older idea") < supported.index("Newer idea")
    assert "<!--slot:" not in newest + supported
