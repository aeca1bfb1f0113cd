"""Staff take a copy of everything they wrote, and can delete their account: personal
data blanked, every session ended, posts kept as "a former colleague" or removed."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.forms import CONFIRM_PHRASE
from accounts.models import Band, Directorate, StaffMember
from conversations import services
from conversations.models import CampaignEvent, Comment, Flag, Idea
from notifications.models import Notification
from notifications.services import notify
from tests.conftest import PASSWORD
from voting.models import Tally, Vote

pytestmark = pytest.mark.django_db

NAME = "Dana Departing"
EMAIL = "dana.departing@nhs.net"


@pytest.fixture
def person(make_staff, make_team):
    person = make_staff(email=EMAIL, display_name=NAME, teams=[make_team("Ward 9")])
    person.first_name, person.last_name = "Dana", "Departing"
    person.directorate = Directorate.objects.create(name="Community")
    person.band = Band.objects.create(name="Band 5")
    person.language = "cy"
    person.save()
    return person


@pytest.fixture
def campaign(make_campaign):
    return make_campaign("open", allow_anonymous=True)


@pytest.fixture
def activity(person, campaign, make_staff, make_idea):
    theme = campaign.themes.first()
    named = services.post_idea(
        person, campaign, theme=theme, title="Named idea", body="Said openly"
    )
    anonymous = services.post_idea(
        person,
        campaign,
        theme=theme,
        title="Quiet idea",
        body="Said quietly",
        anonymous=True,
    )
    comment = services.post_comment(person, named, body="My own comment")
    anon_comment = services.post_comment(
        person, anonymous, body="Quiet comment", anonymous=True
    )
    others = make_idea(campaign, title="Another person's idea")
    their_comment = services.post_comment(make_staff(), others, body="Not mine")
    services.vote(person, others, 1)
    services.vote(make_staff(), named, 1)
    Flag.objects.create(
        reporter=person, idea=others, reason="spam", note="Looks like an advert"
    )
    notify(person, "test", "Someone replied to you", "/x/")
    return {
        "named": named,
        "anonymous": anonymous,
        "comment": comment,
        "anon_comment": anon_comment,
        "others": others,
        "their_comment": their_comment,
    }


# -- export -----------------------------------------------------------------------------


def test_export_holds_everything_the_person_wrote(client, person, activity):
    client.force_login(person)

    response = client.get(reverse("me:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == EMAIL
    assert data["profile"]["name_shown_to_colleagues"] == NAME
    assert data["profile"]["directorate"] == "Community"
    assert data["profile"]["interface_language"] == "cy"
    assert data["profile"]["teams"] == [{"team": "Ward 9", "role": "member"}]
    ideas = {i["title"]: i for i in data["ideas"]}
    assert set(ideas) == {"Named idea", "Quiet idea"}
    assert ideas["Quiet idea"]["anonymous"] is True
    assert ideas["Named idea"]["anonymous"] is False
    comments = {c["body_html"]: c for c in data["comments"]}
    assert set(comments) == {"My own comment", "Quiet comment"}
    assert comments["Quiet comment"]["anonymous"] is True
    assert data["votes"] == [
        {
            "on": "idea",
            "target_id": activity["others"].pk,
            "vote": "support",
            "at": data["votes"][0]["at"],
        }
    ]
    assert data["reports_made"][0]["note"] == "Looks like an advert"
    assert [n["message"] for n in data["notifications"]] == ["Someone replied to you"]
    assert data["exported_at"].endswith("+00:00")


def test_export_holds_nothing_of_anyone_else(client, person, activity):
    client.force_login(person)

    text = client.get(reverse("me:export")).content.decode()

    assert "Another person" not in text
    assert "Not mine" not in text


def test_export_needs_sign_in(client):
    assert client.get(reverse("me:export")).status_code == 302


# -- deleting the account ------------------------------------------------------------


def delete(client, person, **data):
    client.force_login(person)
    return client.post(reverse("me:delete_account"), {"password": PASSWORD, **data})


def test_deleting_blanks_personal_data_and_closes_the_account(client, person, activity):
    SocialAccount.objects.create(user=person, provider="microsoft", uid="abc")
    pk = person.pk

    response = delete(client, person)

    assert response.status_code == 302
    gone = StaffMember.objects.get(pk=pk)
    assert gone.email.startswith("deleted-") and gone.email.endswith("@deleted.invalid")
    assert (gone.display_name, gone.first_name, gone.last_name) == ("", "", "")
    assert (gone.directorate, gone.staff_group, gone.band) == (None, None, None)
    assert not gone.is_active
    assert not gone.has_usable_password()
    assert not gone.memberships.exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not SocialAccount.objects.filter(user_id=pk).exists()
    assert not Notification.objects.filter(recipient_id=pk).exists()
    assert "_auth_user_id" not in client.session


def test_placeholders_are_unique(client, make_staff):
    first, second = make_staff(), make_staff()

    delete(client, first)
    delete(Client(), second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.email != second.email


def test_every_session_of_the_person_ends(person, make_staff):
    phone, laptop, colleague = Client(), Client(), Client()
    phone.force_login(person)
    laptop.force_login(person)
    someone_else = make_staff()
    colleague.force_login(someone_else)

    delete(phone, person)

    assert laptop.get(reverse("me:posts")).status_code == 302  # signed out
    assert colleague.get(reverse("me:posts")).status_code == 200
    # Only the colleague's session names anyone (the phone may keep a signed-out
    # session, holding the "account deleted" message).
    signed_in = [s.get_decoded().get(SESSION_KEY) for s in Session.objects.all()]
    assert [who for who in signed_in if who] == [str(someone_else.pk)]


def test_the_person_cannot_sign_in_again(client, person):
    delete(client, person)

    client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_posts_stay_as_a_former_colleague_by_default(
    client, person, activity, make_staff
):
    delete(client, person)

    named, anonymous = activity["named"], activity["anonymous"]
    named.refresh_from_db()
    anonymous.refresh_from_db()
    assert named.author_id is None and anonymous.author_id is None
    assert Comment.objects.filter(pk=activity["comment"].pk, author=None).exists()
    client.force_login(make_staff())
    page = client.get(
        reverse("conversations:idea", args=[named.campaign.slug, named.pk])
    ).content.decode()
    assert "A former colleague" in page
    assert NAME not in page
    anon_page = client.get(anonymous.get_absolute_url()).content.decode()
    assert "A colleague" in anon_page


def test_stored_live_events_no_longer_carry_the_name(client, person, activity):
    assert NAME in str(list(CampaignEvent.objects.values_list("payload", flat=True)))

    delete(client, person)

    payloads = str(list(CampaignEvent.objects.values_list("payload", flat=True)))
    assert NAME not in payloads
    assert "A former colleague" in payloads


def test_votes_and_tallies_stay_true(client, person, activity):
    others = activity["others"]

    delete(client, person)

    assert Vote.objects.filter(voter_id=person.pk).count() == 1
    tally = Tally.objects.get(target_id=others.pk, target_type__model="idea")
    assert tally.support == 1


def test_choosing_to_remove_posts_removes_them(client, person, activity):
    response = delete(client, person, remove_posts="on")

    assert response.status_code == 302
    assert not Idea.objects.filter(
        pk__in=[activity["named"].pk, activity["anonymous"].pk]
    )
    assert not Comment.objects.filter(
        pk__in=[activity["comment"].pk, activity["anon_comment"].pk]
    ).exists()
    # Other people's posts elsewhere are untouched.
    assert Idea.objects.filter(pk=activity["others"].pk).exists()
    assert Comment.objects.filter(pk=activity["their_comment"].pk).exists()
    payloads = str(list(CampaignEvent.objects.values_list("payload", flat=True)))
    assert "Said openly" not in payloads and "Quiet comment" not in payloads


def test_a_wrong_password_deletes_nothing(client, person, activity):
    client.force_login(person)

    response = client.post(
        reverse("me:delete_account"),
        {"password": "not-my-password", "remove_posts": "on"},
    )

    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    person.refresh_from_db()
    assert person.is_active and person.email == EMAIL
    assert Idea.objects.filter(author=person).count() == 2


def test_single_sign_on_people_confirm_by_typing(client, make_staff):
    person = make_staff()
    person.set_unusable_password()
    person.save()
    client.force_login(person)
    url = reverse("me:delete_account")

    form = client.get(url).content.decode()
    wrong = client.post(url, {"confirm": "yes"})
    right = client.post(url, {"confirm": CONFIRM_PHRASE.upper()})

    assert 'name="password"' not in form
    assert 'name="confirm"' in form
    assert wrong.status_code == 400
    assert right.status_code == 302
    person.refresh_from_db()
    assert not person.is_active


def test_deleting_is_all_or_nothing(client, person, activity, monkeypatch):
    from accounts import services as account_services

    def fail(staff_member):
        raise RuntimeError("database went away")

    monkeypatch.setattr(account_services, "erase_personal_data", fail)
    client.raise_request_exception = False

    response = delete(client, person, remove_posts="on")

    assert response.status_code == 500
    person.refresh_from_db()
    assert person.is_active
    assert Idea.objects.filter(author=person).count() == 2
    assert Notification.objects.filter(recipient=person).exists()


def test_the_data_page_offers_the_download_and_the_deletion(client, person):
    client.force_login(person)

    html = client.get(reverse("me:data")).content.decode()

    assert reverse("me:export") in html
    assert reverse("me:delete_account") in html
    assert reverse("me:posts") in html


def test_the_header_links_to_your_posts(client, person):
    client.force_login(person)

    html = client.get(reverse("home")).content.decode()

    assert reverse("me:posts") in html
    assert reverse("reveal:index") not in html  # switched off, and not a holder
