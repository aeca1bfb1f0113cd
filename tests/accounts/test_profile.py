"""The once-only profile questions: every answer optional, skippable, editable later."""

import pytest
from django.urls import reverse

from accounts.models import Band, Directorate, StaffGroup, TeamMembership

pytestmark = pytest.mark.django_db


def profile_url() -> str:
    return reverse("accounts:profile")


@pytest.fixture
def newcomer(client, make_staff):
    user = make_staff("newcomer@nhs.net", profile_completed=False, display_name="")
    client.force_login(user)
    return user


@pytest.fixture
def choices(make_team):
    return {
        "directorate": Directorate.objects.create(name="Community services"),
        "staff_group": StaffGroup.objects.create(name="Nursing and midwifery"),
        "band": Band.objects.create(name="Band 5", position=5),
        "team": make_team("District nursing east"),
    }


def test_profile_page_asks_the_questions_with_prefer_not_to_say(
    client, newcomer, choices
):
    response = client.get(profile_url() + "?next=/campaigns/x/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Community services" in html
    assert "Prefer not to say" in html
    assert 'value="/campaigns/x/"' in html


def test_profile_page_says_what_each_answer_is_for_and_who_sees_it(
    client, newcomer, choices
):
    html = client.get(profile_url()).content.decode()

    assert "no one sees individual answers" in html
    assert "Groups smaller than 5 people are never shown." in html
    # The one answer colleagues do see is said to be seen, and where.
    assert "Shown next to everything you post, except anonymous posts." in html
    assert "show you campaigns for your team" in html


def test_profile_answers_are_saved_and_the_person_carries_on(client, newcomer, choices):
    response = client.post(
        profile_url(),
        {
            "display_name": "Nia Nurse",
            "directorate": choices["directorate"].pk,
            "staff_group": choices["staff_group"].pk,
            "band": choices["band"].pk,
            "team": choices["team"].pk,
            "next": "/campaigns/our-future/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/our-future/"
    newcomer.refresh_from_db()
    assert newcomer.display_name == "Nia Nurse"
    assert newcomer.directorate == choices["directorate"]
    assert newcomer.staff_group == choices["staff_group"]
    assert newcomer.band == choices["band"]
    assert newcomer.profile_completed_at is not None
    assert TeamMembership.objects.filter(
        staff_member=newcomer, team=choices["team"]
    ).exists()


def test_prefer_not_to_say_leaves_every_answer_blank_and_counts_as_answered(
    client, newcomer, choices
):
    response = client.post(
        profile_url(),
        {
            "display_name": "",
            "directorate": "",
            "staff_group": "",
            "band": "",
            "team": "",
            "next": "/",
        },
    )

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.directorate, newcomer.staff_group, newcomer.band) == (
        None,
        None,
        None,
    )
    assert newcomer.display_name == ""
    assert newcomer.profile_completed_at is not None
    assert not TeamMembership.objects.filter(staff_member=newcomer).exists()


def test_some_answers_and_prefer_not_to_say_for_others(client, newcomer, choices):
    client.post(
        profile_url(), {"directorate": "", "band": choices["band"].pk, "next": "/"}
    )

    newcomer.refresh_from_db()
    assert newcomer.directorate is None
    assert newcomer.band == choices["band"]


def test_skipping_the_questions_carries_on_and_does_not_ask_again(client, newcomer):
    response = client.post(
        profile_url(), {"skip": "1", "next": "/campaigns/our-future/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/our-future/"
    newcomer.refresh_from_db()
    assert newcomer.profile_completed_at is not None
    assert newcomer.directorate is None


def test_skip_button_is_offered_only_the_first_time(client, newcomer, make_staff):
    assert 'name="skip"' in client.get(profile_url()).content.decode()

    client.force_login(make_staff(profile_completed=True))
    assert 'name="skip"' not in client.get(profile_url()).content.decode()


def test_an_answer_that_is_not_one_of_the_choices_is_shown_again_with_an_error(
    client, newcomer, choices
):
    response = client.post(profile_url(), {"directorate": 999999, "next": "/"})

    assert response.status_code == 200
    assert response.context["form"].errors["directorate"]
    newcomer.refresh_from_db()
    assert newcomer.profile_completed_at is None


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/"]
)
def test_profile_never_redirects_to_another_site(client, newcomer, next_url):
    response = client.post(profile_url(), {"skip": "1", "next": next_url})

    assert response["Location"] == "/"


def test_profile_needs_sign_in(client):
    response = client.get(profile_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_can_be_changed_later(client, make_staff, choices):
    user = make_staff(profile_completed=True)
    client.force_login(user)

    client.post(
        profile_url(),
        {"display_name": "New name", "band": choices["band"].pk, "next": "/"},
    )

    user.refresh_from_db()
    assert (user.display_name, user.band) == ("New name", choices["band"])


def test_name_shown_to_colleagues_is_stored_without_markup(client, newcomer):
    client.post(
        profile_url(), {"display_name": "Nia <script>alert(1)</script>", "next": "/"}
    )

    newcomer.refresh_from_db()
    assert "<" not in newcomer.display_name
