"""The accessibility statement, privacy notice and cookie list: open to all, in
English and Welsh, linked from every page's footer, true to the site's settings,
and replaceable by the organisation's own text."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = {
    "statements:accessibility": ("Accessibility statement", "Datganiad hygyrchedd"),
    "statements:privacy": ("Privacy notice", "Hysbysiad preifatrwydd"),
    "statements:cookies": ("Cookies", "Cwcis"),
}


def heading(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.mark.parametrize("name", PAGES)
def test_each_statement_is_open_to_everyone_in_english_and_welsh(client, name):
    english, welsh = PAGES[name]

    page = client.get(reverse(name))
    assert page.status_code == 200
    assert heading(page.content.decode()) == english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    page = client.get(reverse(name))
    assert page.status_code == 200
    html = page.content.decode()
    assert heading(html) == welsh
    assert 'lang="cy"' in html


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "signed in"])
def test_every_statement_is_linked_from_the_footer(client, staff, signed_in):
    if signed_in:
        client.force_login(staff)
    html = client.get(reverse("home")).content.decode()

    footer = html[html.index("<footer") : html.index("</footer>")]
    for name, (english, _welsh) in PAGES.items():
        assert f'href="{reverse(name)}">{english}</a>' in footer


def test_the_footer_links_are_in_welsh_for_a_welsh_reader(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    html = client.get(reverse("statements:privacy")).content.decode()

    footer = html[html.index("<footer") : html.index("</footer>")]
    for name, (_english, welsh) in PAGES.items():
        assert f'href="{reverse(name)}">{welsh}</a>' in footer


def _listed_cookies(client) -> dict[str, set[str]]:
    """Each listed cookie's lifetimes, in seconds ("session": until the browser
    closes)."""
    html = client.get(reverse("statements:cookies")).content.decode()
    found = re.findall(r'data-cookie="([^"]+)" data-max-age="([^"]*)"', html)
    return {name: set(ages.split()) for name, ages in found}


def test_the_cookie_list_is_every_cookie_the_site_sets(client, staff):
    """Walk what everyone does - open a form, sign in, choose a language - and keep
    every cookie the site set: the list names exactly those, with their lifetimes."""
    set_cookies: dict[str, set[str]] = {}

    def keep(response):
        for name, morsel in response.cookies.items():
            if morsel.value:  # a deleted cookie is set empty
                age = str(morsel["max-age"]) if morsel["max-age"] else "session"
                set_cookies.setdefault(name, set()).add(age)

    for remember in ({}, {"remember": "on"}):
        client.logout()
        keep(client.get(reverse("account_login")))
        keep(
            client.post(
                reverse("account_login"),
                {"login": staff.email, "password": PASSWORD, **remember},
            )
        )
        keep(client.get(reverse("home")))
    keep(client.post(reverse("set_language"), {"language": "cy", "next": "/"}))
    keep(client.post(reverse("set_language"), {"language": "en-gb", "next": "/"}))

    listed = _listed_cookies(client)
    assert set(listed) == set(set_cookies)
    for name, ages in set_cookies.items():
        assert ages <= listed[name], name


def test_the_cookie_list_follows_the_settings(client, settings):
    settings.SESSION_COOKIE_NAME = "staffvoice_session"
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.LANGUAGE_COOKIE_AGE = 30 * 86400

    listed = _listed_cookies(client)
    assert str(8 * 3600) in listed["staffvoice_session"]
    assert listed[settings.LANGUAGE_COOKIE_NAME] == {str(30 * 86400)}
    assert "30 days" in client.get(reverse("statements:cookies")).content.decode()


def test_the_privacy_notice_states_the_retention_schedule(client, settings):
    settings.RETENTION_CLOSED_CAMPAIGN_YEARS = 4
    settings.RETENTION_MESSAGES_DAYS = 180

    html = client.get(reverse("statements:privacy")).content.decode()
    assert "4 years" in html
    assert "180 days" in html
    assert "90 days" in html  # live events, the default


def test_the_privacy_notice_says_whether_an_author_can_be_revealed(client, settings):
    settings.REVEAL_ENABLED = False
    off = client.get(reverse("statements:privacy")).content.decode()
    settings.REVEAL_ENABLED = True
    on = client.get(reverse("statements:privacy")).content.decode()

    assert "switched off the process for revealing an author" in off
    assert "This always takes two people" in on


def test_the_statement_says_what_only_people_can_test_and_when(client, settings):
    html = client.get(reverse("statements:accessibility")).content.decode()
    assert "screen readers" in html and "400%" in html
    assert "have not yet been tested by people" in html

    settings.ACCESSIBILITY_PEOPLE_TESTED_ON = "12 January 2027"
    html = client.get(reverse("statements:accessibility")).content.decode()
    assert "last tested by people on 12 January 2027" in html


@pytest.mark.parametrize("statement", ["accessibility", "privacy", "cookies"])
def test_the_organisations_own_text_replaces_the_built_in_one(
    client, settings, tmp_path, statement
):
    (tmp_path / "own.en-gb.html").write_text(
        "<p>Our own words, approved by the board.</p>", encoding="utf-8"
    )
    (tmp_path / "own.cy.html").write_text(
        "<p>Ein geiriau ein hunain.</p>", encoding="utf-8"
    )
    settings.STATEMENT_FILES = {statement: str(tmp_path / "own.{language}.html")}
    url = reverse(f"statements:{statement}")

    html = client.get(url).content.decode()
    assert "<p>Our own words, approved by the board.</p>" in html
    assert "Enforcement procedure" not in html
    assert "What we collect" not in html
    assert "data-cookie=" not in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    assert "<p>Ein geiriau ein hunain.</p>" in client.get(url).content.decode()


def test_a_missing_own_file_falls_back_to_the_built_in_text(client, settings, tmp_path):
    settings.STATEMENT_FILES = {"privacy": str(tmp_path / "absent.html")}
    assert (
        "What we collect" in client.get(reverse("statements:privacy")).content.decode()
    )
