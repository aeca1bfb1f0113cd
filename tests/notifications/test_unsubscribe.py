"""Every email's one-click unsubscribe: a signed link that works without signing in."""

import json

import pytest
from django.core import signing
from django.urls import reverse

from notifications import services as notifications
from notifications.topics import DIGEST

pytestmark = pytest.mark.django_db


def link(person, topic: str) -> str:
    return reverse(
        "notifications:unsubscribe",
        args=[notifications.unsubscribe_token(person, topic)],
    )


def test_opening_the_link_asks_first_and_changes_nothing(client, staff, choose):
    choose(staff, reply="immediate")
    response = client.get(link(staff, "reply"))
    assert response.status_code == 200
    assert "Stop these emails" in response.content.decode()
    assert notifications.preferences_for(staff)["reply"] == "immediate"


def test_confirming_stops_that_kind_of_email_but_keeps_it_in_the_platform(
    client, staff, choose
):
    choose(staff, reply="immediate", idea_update="immediate")
    response = client.post(link(staff, "reply"))  # signed out, no CSRF token
    assert response.status_code == 200
    prefs = notifications.preferences_for(staff)
    assert prefs["reply"] == "platform"
    assert prefs["idea_update"] == "immediate"  # only the kind in the link


def test_a_mail_providers_one_click_post_unsubscribes(client, staff, choose):
    choose(staff, reply="immediate")
    response = client.post(
        link(staff, "reply"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert notifications.preferences_for(staff)["reply"] == "platform"


def test_the_digest_link_stops_every_digest_topic(client, staff, choose):
    choose(staff, new_idea="immediate")
    client.post(link(staff, DIGEST))
    prefs = notifications.preferences_for(staff)
    assert prefs["reply"] == prefs["campaign_opened"] == "platform"
    assert prefs["new_idea"] == "immediate"


def test_a_tampered_link_does_nothing(client, staff, make_staff, choose):
    choose(staff, reply="immediate")
    other = make_staff()
    token = notifications.unsubscribe_token(other, "reply")
    # Someone else's link, with the person swapped for this one, signature kept.
    payload = signing.b64_encode(
        json.dumps({"p": staff.pk, "t": "reply"}, separators=(",", ":")).encode()
    ).decode()
    forged = payload + token[token.index(":") :]
    assert forged != token
    for url in (
        reverse("notifications:unsubscribe", args=[forged]),
        reverse("notifications:unsubscribe", args=["not-a-token"]),
    ):
        assert client.post(url).status_code == 404
    assert notifications.preferences_for(staff)["reply"] == "immediate"


def test_the_link_in_an_email_works(
    client, staff, choose, mailoutbox, django_capture_on_commit_callbacks
):
    choose(staff, reply="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(staff, "reply", "Someone replied to your idea.", "/x/")
    header = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = header.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200
    assert notifications.preferences_for(staff)["reply"] == "platform"
