"""The round page: a plain form of number inputs, the results, the manager's form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.prioritisation.models import Allocation, Round
from tests.prioritisation.conftest import item_ids

pytestmark = pytest.mark.django_db


def _url(round_):
    return reverse("prioritisation:round", args=[round_.campaign.slug])


def test_staff_spread_points_with_the_plain_form_and_see_results(
    client, make_round, make_staff
):
    round_ = make_round()
    a, b, c = item_ids(round_)
    client.force_login(make_staff())
    page = client.get(_url(round_)).content.decode()
    assert "You have 10 points to spread" in page
    assert page.count('type="number"') == 3
    response = client.post(
        _url(round_), {f"item-{a}": "7", f"item-{b}": "3", f"item-{c}": ""}
    )
    assert response.status_code == 302
    page = client.get(_url(round_)).content.decode()
    assert "Your points are saved." in page
    assert "Change my points" in page
    assert 'value="7"' in page and 'value="3"' in page
    # One person is a small number: not given exactly.
    assert "People who have spread their points:" in page
    assert ">fewer than 5</strong>" in page


def test_too_many_points_re_render_the_form_with_what_was_typed(
    client, make_round, make_staff
):
    round_ = make_round()
    a, b, _c = item_ids(round_)
    client.force_login(make_staff())
    response = client.post(_url(round_), {f"item-{a}": "8", f"item-{b}": "8"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "these add up to 16" in page
    assert page.count('value="8"') == 2
    assert not Allocation.objects.exists()


def test_a_word_instead_of_a_number_says_what_to_fix(client, make_round, make_staff):
    round_ = make_round()
    a, *_ = item_ids(round_)
    client.force_login(make_staff())
    response = client.post(_url(round_), {f"item-{a}": "lots"})
    assert response.status_code == 400
    assert "Enter a whole number of points." in response.content.decode()


def test_a_closed_round_shows_results_and_no_form(client, make_round, make_staff):
    round_ = make_round(status="closed")
    client.force_login(make_staff())
    page = client.get(_url(round_)).content.decode()
    assert "Spread your points" not in page
    assert "Results</h2>" in page
    response = client.post(_url(round_), {f"item-{item_ids(round_)[0]}": "1"})
    assert response.status_code == 403


def test_a_campaign_without_a_round_has_no_round_page(
    client, make_campaign, make_staff
):
    campaign = make_campaign("closed")
    client.force_login(make_staff())
    url = reverse("prioritisation:round", args=[campaign.slug])
    assert client.get(url).status_code == 404


def test_an_engagement_manager_adds_a_round(
    client, make_campaign, make_idea, make_staff
):
    campaign = make_campaign("closed")
    ideas = [make_idea(campaign, title=f"Choice {n}") for n in range(3)]
    client.force_login(make_staff(roles=["engagement_manager"]))
    url = reverse("prioritisation:round_edit", args=[campaign.slug])
    assert "Points per person" in client.get(url).content.decode()
    now = timezone.localtime()
    response = client.post(
        url,
        {
            "question": "What first?",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "points": "10",
            "ideas": [ideas[0].pk, ideas[2].pk],
        },
    )
    assert response.status_code == 302
    round_ = Round.objects.get(campaign=campaign)
    assert [i.idea for i in round_.items.all()] == [ideas[0], ideas[2]]
    assert round_.points == 10


def test_a_shortlist_of_one_is_refused_with_the_form_kept(
    client, make_campaign, make_idea, make_staff
):
    campaign = make_campaign("closed")
    idea = make_idea(campaign, title="Only choice")
    client.force_login(make_staff(roles=["engagement_manager"]))
    url = reverse("prioritisation:round_edit", args=[campaign.slug])
    now = timezone.localtime()
    response = client.post(
        url,
        {
            "question": "What first?",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "points": "10",
            "ideas": [idea.pk],
        },
    )
    assert response.status_code == 400
    assert "Choose between 2 and 20" in response.content.decode()
    assert not Round.objects.exists()


def test_staff_cannot_add_a_round(client, make_campaign, make_staff):
    campaign = make_campaign("closed")
    client.force_login(make_staff())
    url = reverse("prioritisation:round_edit", args=[campaign.slug])
    assert client.get(url).status_code == 403


def test_once_people_took_part_only_the_question_and_dates_change(
    client, make_round, make_staff
):
    from reports.prioritisation import services

    round_ = make_round()
    services.allocate(make_staff(), round_, {item_ids(round_)[0]: 10})
    manager = make_staff(roles=["engagement_manager"])
    client.force_login(manager)
    url = reverse("prioritisation:round_edit", args=[round_.campaign.slug])
    later = timezone.localtime(round_.closes_at) + timedelta(days=2)
    data = {
        "question": "What first, then?",
        "opens_at": timezone.localtime(round_.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": later.strftime("%Y-%m-%dT%H:%M"),
        "points": "10",
        "ideas": [i.idea_id for i in round_.items.all()],
    }
    assert client.post(url, data).status_code == 302
    round_.refresh_from_db()
    assert round_.question == "What first, then?"
    response = client.post(url, {**data, "points": "5"})
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()


def test_people_who_took_part_hear_that_the_round_is_open(
    make_campaign, make_idea, make_staff
):
    from conversations.models import Participation
    from notifications.models import Notification
    from reports.prioritisation import services

    campaign = make_campaign("closed", title="Living our values")
    ideas = [make_idea(campaign) for _n in range(2)]
    took_part = make_staff()
    Participation.objects.create(campaign=campaign, staff_member=took_part)
    bystander = make_staff()
    now = timezone.now()
    round_ = services.save_round(
        make_staff(roles=["engagement_manager"]),
        campaign,
        question="What first?",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        points=10,
        idea_ids=[i.pk for i in ideas],
        theme_ids=[],
    )
    [note] = Notification.objects.filter(recipient=took_part)
    assert note.message.startswith("Spread your points: what should “Living our")
    assert note.url == reverse("prioritisation:round", args=[campaign.slug])
    assert not Notification.objects.filter(recipient=bystander).exists()
    # Saving it again tells nobody twice.
    services.save_round(
        round_.created_by,
        campaign,
        question="What first, then?",
        opens_at=round_.opens_at,
        closes_at=round_.closes_at,
        points=10,
        idea_ids=[i.pk for i in ideas],
        theme_ids=[],
    )
    assert Notification.objects.filter(recipient=took_part).count() == 1
