"""The pages a person sees when the database cannot be reached, in both run modes
(the PostgreSQL restart itself is in test_database_restart.py, PostgreSQL only)."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from accounts.backends import StaffBackend

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]


@pytest.fixture
def signed_in(make_staff) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_staff())  # names accounts.backends.StaffBackend
    return client


def _failing(monkeypatch, error: Exception) -> None:
    """Finding the signed-in person fails, as it does while PostgreSQL restarts."""

    def fail(self, user_id):
        raise error

    monkeypatch.setattr(StaffBackend, "get_user", fail)


@pytest.fixture
def database_gone(monkeypatch):
    _failing(monkeypatch, OperationalError("the database system is shutting down"))


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_that_cannot_reach_the_database_says_please_try_again(
    monkeypatch, error, signed_in
):
    _failing(monkeypatch, error("connection already closed"))
    response = signed_in.get("/?page=2")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "Please try again" in html
    assert 'href="/?page=2"' in html  # "Try again" goes back to the same page
    assert "Traceback" not in html and "shutting down" not in html


def test_the_try_again_page_speaks_welsh(database_gone, signed_in):
    signed_in.cookies["django_language"] = "cy"
    response = signed_in.get("/")

    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="cy">' in html
    assert "Rhowch gynnig arall arni" in html


def test_a_form_sent_while_the_database_is_gone_is_not_offered_again(
    database_gone, signed_in
):
    response = signed_in.post("/", {"x": "1"})

    assert response.status_code == 503
    assert "check whether it was saved" in response.content.decode()
    assert "nhsuk-button" not in response.content.decode()


def test_other_errors_stay_500(monkeypatch, signed_in):
    _failing(monkeypatch, RuntimeError("a bug"))
    response = signed_in.get("/")

    assert response.status_code == 500
    assert "Please try again" not in response.content.decode()
