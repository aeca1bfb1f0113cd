"""The layout and campaign-page fragments cached by ``{% sharedcache %}``: shared only
between people who would see the same thing, never carrying anyone's CSRF token, and
every change shows on the next page load."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.models import Campaign
from conversations.services import boards

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _page(person, campaign) -> str:
    client = Client()
    client.force_login(person)
    response = client.get(reverse("conversations:campaign", args=[campaign.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _unmask(token: str) -> str:
    from django.middleware.csrf import _unmask_cipher_token

    return _unmask_cipher_token(token)


def test_every_form_carries_the_viewers_own_token_never_a_cached_one(
    make_staff, open_campaign, make_idea
):
    make_idea(open_campaign)
    first, second = make_staff(), make_staff()
    for person in (first, second, first):
        html = _page(person, open_campaign)
        tokens = {_unmask(t) for t in TOKEN.findall(html)}
        # Logout (header), language, follow and vote forms: one secret, this page's.
        assert len(TOKEN.findall(html)) >= 4
        assert tokens == {_unmask(META.search(html).group(1))}
        assert "<!--slot:" not in html


def test_the_header_shows_each_person_their_own_name_links_and_count(
    make_staff, manager, open_campaign
):
    staff = make_staff(display_name="Sam Staffname")
    new_campaign = reverse("conversations:campaign_create")
    as_manager = _page(manager, open_campaign)
    as_staff = _page(staff, open_campaign)
    assert new_campaign in as_manager and new_campaign not in as_staff
    assert "Sam Staffname" in as_staff and "Sam Staffname" not in as_manager
    edit = reverse("conversations:campaign_edit", args=[open_campaign.slug])
    assert edit in as_manager and edit not in as_staff
    assert edit in _page(manager, open_campaign)  # and again, from the cache


def test_a_renamed_person_sees_their_new_name_at_once(
    make_staff, open_campaign, django_capture_on_commit_callbacks
):
    person = make_staff(display_name="Old Name")
    assert "Old Name" in _page(person, open_campaign)
    with django_capture_on_commit_callbacks(execute=True):  # the rename commits
        person.display_name = "New Name"
        person.save()
    html = _page(person, open_campaign)
    assert "New Name" in html and "Old Name" not in html


def test_an_edited_campaign_shows_its_new_words_on_the_next_load(
    manager, make_staff, open_campaign
):
    staff = make_staff()
    assert "Our future" in _page(staff, open_campaign)
    services.update_campaign(
        open_campaign,
        manager,
        themes=[t.name for t in open_campaign.themes.all()],
        title="A brand new title",
        introduction="<p>Fresh words.</p>",
        opens_at=open_campaign.opens_at,
        closes_at=open_campaign.closes_at,
        allow_anonymous=open_campaign.allow_anonymous,
    )
    html = _page(staff, open_campaign)
    assert "A brand new title" in html and "Fresh words." in html


def test_the_time_left_moves_on(make_staff, open_campaign):
    staff = make_staff()
    assert "14 days left" in _page(staff, open_campaign)
    # Time passing, as the page sees it: the same row (no save, no new updated_at,
    # no version moved), closing sooner.
    Campaign.objects.filter(pk=open_campaign.pk).update(
        closes_at=timezone.now() + timedelta(hours=5, minutes=30)
    )
    assert "5 hours left" in _page(staff, open_campaign)


def test_a_pinned_note_and_a_paused_board_show_at_once(make_staff, make_board):
    lead = make_staff()
    board = make_board(lead=lead)
    assert "This board is paused" not in _page(lead, board)
    boards.pin_note(lead, board, "<p>We fixed the rota.</p>")
    assert "We fixed the rota." in _page(lead, board)
    boards.set_board_state(lead, board, Campaign.BoardState.PAUSED)
    assert "This board is paused" in _page(lead, board)


def test_following_is_each_persons_own(make_staff, open_campaign):
    follower, other = make_staff(), make_staff()
    services.follow_campaign(follower, open_campaign)
    assert 'aria-pressed="true">Following' in _page(follower, open_campaign)
    assert 'aria-pressed="true">Following' not in _page(other, open_campaign)
    services.unfollow(follower, open_campaign)
    assert 'aria-pressed="true">Following' not in _page(follower, open_campaign)
    services.follow_campaign(other, open_campaign)
    assert 'aria-pressed="true">Following' in _page(other, open_campaign)


def test_the_campaigns_figures_follow_each_vote(make_staff, open_campaign, make_idea):
    viewer = make_staff()
    idea = make_idea(open_campaign)
    assert '<dd data-stat="votes">0</dd>' in _page(viewer, open_campaign)
    services.vote(make_staff(), idea, 1)
    html = _page(viewer, open_campaign)
    assert '<dd data-stat="votes">1</dd>' in html
    assert '<dd data-stat="people">' in html
    services.vote(make_staff(), idea, -1)
    assert '<dd data-stat="votes">2</dd>' in _page(viewer, open_campaign)


def test_a_message_is_shown_to_the_one_person_it_was_for(
    make_staff, open_campaign, make_idea
):
    make_idea(open_campaign)
    follower, other = Client(), Client()
    follower.force_login(make_staff())
    other.force_login(make_staff())
    page = reverse("conversations:campaign", args=[open_campaign.slug])
    other.get(page)  # the page is cached before anyone has a message
    follow = reverse("conversations:follow_campaign", args=[open_campaign.slug])

    shown = follower.post(follow, {"follow": "1"}, follow=True)

    assert shown.redirect_chain[-1][0] == page
    assert "You are following this." in shown.content.decode()
    for client in (follower, other):  # shown once, and never to anyone else
        assert "sv-message" not in client.get(page).content.decode()


def test_every_form_returns_to_the_address_this_viewer_asked_for(
    make_staff, open_campaign, make_idea
):
    make_idea(open_campaign)
    page = reverse("conversations:campaign", args=[open_campaign.slug])
    first, second = Client(), Client()
    first.force_login(make_staff())
    second.force_login(make_staff())
    first.get(page + "?sort=newest&from=email")

    html = second.get(page + "?sort=newest&from=bell").content.decode()

    nexts = re.findall(r'name="next" value="([^"]*)"', html)
    assert nexts and set(nexts) == {f"{page}?sort=newest&amp;from=bell"}
