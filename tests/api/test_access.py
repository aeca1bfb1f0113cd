"""Tokens: no token, a wrong or revoked one are refused (401); a valid one reads;
nothing but reading is allowed (405); every request is recorded; a token is limited."""

import hashlib

import pytest
from django.test import Client

from api.models import ApiRequest, ApiToken
from tests.servers import session_cookie_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/"


def test_no_token_is_refused_with_401(open_campaign):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(open_campaign, token):
    response = Client(headers={"Authorization": "Bearer sv_not-a-real-token"}).get(URL)
    assert response.status_code == 401


def test_a_revoked_token_is_refused_at_once(open_campaign, api, token):
    assert api.get(URL).status_code == 200
    ApiToken.objects.filter(pk=token[0].pk).update(revoked=True)
    assert api.get(URL).status_code == 401


def test_a_valid_token_reads_and_is_marked_used(open_campaign, api, token):
    response = api.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert [c["id"] for c in response.json()["results"]] == [open_campaign.pk]
    assert ApiToken.objects.get(pk=token[0].pk).last_used_at is not None


def test_only_the_tokens_hash_is_stored(token):
    row, key = token
    assert key not in {row.key_hash, row.prefix, row.name}
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_a_signed_in_session_is_not_enough(open_campaign, staff):
    client = Client()
    client.cookies["sessionid"] = session_cookie_for(staff)
    assert client.get("/").status_code == 200  # the session itself works
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_but_reading_is_allowed(open_campaign, api, method):
    response = getattr(api, method)(
        f"{URL}{open_campaign.pk}/", data="{}", content_type="application/json"
    )
    assert response.status_code == 405
    assert (
        getattr(api, method)(
            URL, data="{}", content_type="application/json"
        ).status_code
        == 405
    )


def test_every_request_is_recorded_without_its_body(open_campaign, api, token):
    api.get(f"{URL}?page=1")
    api.post(URL, data='{"secret": "s3cret"}', content_type="application/json")
    Client().get(URL)
    rows = list(
        ApiRequest.objects.order_by("id").values("token", "method", "path", "status")
    )
    assert rows == [
        {"token": token[0].pk, "method": "GET", "path": URL, "status": 200},
        {"token": token[0].pk, "method": "POST", "path": URL, "status": 405},
        {"token": None, "method": "GET", "path": URL, "status": 401},
    ]
    assert not ApiRequest.objects.filter(path__contains="s3cret").exists()


def test_a_token_over_its_limit_gets_429(
    settings, open_campaign, api, token, make_staff
):
    settings.API_RATE_LIMIT = "3/minute"
    assert [api.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert ApiRequest.objects.filter(status=429, token=token[0]).count() == 1
    # The limit is the token's own: another token still reads.
    from api.tokens import create_token

    _row, other = create_token("Another", make_staff())
    other_client = Client(headers={"Authorization": f"Bearer {other}"})
    assert other_client.get(URL).status_code == 200


def test_head_and_options_are_allowed(open_campaign, api):
    assert api.head(URL).status_code == 200
    response = api.options(URL)
    assert response.status_code == 200
    assert set(response["Allow"].replace(" ", "").split(",")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
