"""The inbox, the preferences page and the list of what a person follows."""

import json

import pytest
from django.urls import reverse

from conversations import services
from conversations.services.own_posts import delete_account
from notifications import services as notifications
from notifications.models import Follow, Preference, Recipient

pytestmark = pytest.mark.django_db


def test_the_inbox_links_to_the_preferences_page(client, staff):
    client.force_login(staff)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert reverse("notifications:preferences") in page


def test_defaults_send_at_most_one_email_a_day(client, staff):
    """All but the break-glass reveal's (rare, serious, and only ever to holders of
    the permission or the person revealed): those are emailed at once."""
    client.force_login(staff)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert page.count('value="immediate" checked') == 1  # the break-glass topic
    defaults = notifications.preferences_for(staff)
    assert defaults.pop("break_glass") == "immediate"
    assert set(defaults.values()) <= {"digest", "platform"}


def test_choices_are_saved_per_topic(client, staff):
    client.force_login(staff)
    prefs = notifications.preferences_for(staff)
    response = client.post(
        reverse("notifications:preferences"),
        {**prefs, "reply": "immediate", "campaign_opened": "off"},
    )
    assert response.status_code == 302
    saved = notifications.preferences_for(staff)
    assert saved["reply"] == "immediate" and saved["campaign_opened"] == "off"
    assert saved["idea_update"] == prefs["idea_update"]


def test_a_choice_that_is_not_offered_is_refused(client, staff):
    client.force_login(staff)
    prefs = notifications.preferences_for(staff)
    response = client.post(
        reverse("notifications:preferences"), {**prefs, "reply": "hourly"}
    )
    assert response.status_code == 400
    assert notifications.preferences_for(staff)["reply"] == prefs["reply"]


def test_saving_preferences_remembers_the_language_for_emails(client, staff):
    client.force_login(staff)
    client.cookies["django_language"] = "cy"
    client.post(
        reverse("notifications:preferences"), notifications.preferences_for(staff)
    )
    assert Recipient.objects.get(person=staff).language == "cy"


def test_what_you_follow_is_listed_and_can_be_unfollowed(
    client, staff, open_campaign, make_idea, make_staff
):
    idea = make_idea(open_campaign, title="Quiet rooms", author=make_staff())
    services.follow_idea(staff, idea)
    services.follow_campaign(staff, open_campaign)
    client.force_login(staff)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Quiet rooms" in page and open_campaign.title in page
    follow = staff.follows.get(target_type__model="idea", target_id=idea.pk)
    client.post(reverse("notifications:unfollow", args=[follow.pk]))
    assert not notifications.is_following(staff, idea)
    assert notifications.is_following(staff, open_campaign)


def test_nobody_can_unfollow_for_someone_else(client, staff, make_staff, open_campaign):
    other = make_staff()
    services.follow_campaign(other, open_campaign)
    client.force_login(staff)
    client.post(reverse("notifications:unfollow", args=[other.follows.get().pk]))
    assert notifications.is_following(other, open_campaign)


def test_the_pages_need_signing_in(client):
    for name in ("notifications:preferences", "notifications:inbox"):
        response = client.get(reverse(name))
        assert (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )


def test_my_data_includes_what_i_follow_and_my_choices(
    client, staff, open_campaign, choose
):
    services.follow_campaign(staff, open_campaign)
    choose(staff, reply="immediate")
    client.force_login(staff)
    data = json.loads(client.get(reverse("me:export")).content)
    assert data["following"][0]["type"] == "campaign"
    assert data["following"][0]["id"] == open_campaign.pk
    assert data["notification_preferences"]["reply"] == "immediate"


def test_closing_an_account_forgets_its_follows_choices_and_emails(
    staff, open_campaign, choose
):
    services.follow_campaign(staff, open_campaign)
    choose(staff, reply="immediate")
    notifications.remember_language(staff, "cy")
    notifications.notify(staff, "reply", "Hello", "")
    delete_account(staff)
    assert not Follow.objects.filter(follower=staff).exists()
    assert not Preference.objects.filter(person=staff).exists()
    assert not Recipient.objects.filter(person=staff).exists()
    assert not staff.notifications.exists()


def test_the_bell_count_follows_every_change(client, staff):
    client.force_login(staff)
    home = reverse("home")
    assert "data-unread-count>0<" in client.get(home).content.decode()

    notifications.notify(staff, "announcement", "One", "/")
    notifications.notify(staff, "announcement", "Two", "/")
    assert "data-unread-count>2<" in client.get(home).content.decode()
    client.post(reverse("notifications:mark_read"))
    assert "data-unread-count>0<" in client.get(home).content.decode()
