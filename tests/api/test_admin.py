"""An administrator creates a token in the Django admin: shown once, stored hashed,
and it reads the API at once; revoking it in the admin refuses it."""

import hashlib
import re

import pytest
from django.test import Client

from api.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_staff):
    root = make_staff(display_name="Rita Root", mfa=True)
    root.is_staff = root.is_superuser = True
    root.save()
    client = Client()
    client.force_login(root)
    return client, root


def test_a_token_is_shown_once_and_kept_only_as_its_hash(admin_client, open_campaign):
    client, root = admin_client
    response = client.post("/admin/api/apitoken/add/", {"name": "Power BI"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'value="(sv_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.name == "Power BI" and token.created_by == root
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    # Never shown again: not in the list nor on the token's own page.
    for url in ["/admin/api/apitoken/", f"/admin/api/apitoken/{token.pk}/change/"]:
        page = client.get(url)
        assert page.status_code == 200
        assert key not in page.content.decode()
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/campaigns/").status_code == 200
    client.post(
        f"/admin/api/apitoken/{token.pk}/change/",
        {"name": "Power BI", "revoked": "on"},
    )
    assert ApiToken.objects.get().revoked
    assert api.get("/api/v1/campaigns/").status_code == 401
    assert client.get("/admin/api/apirequest/").status_code == 200


def test_the_token_page_is_in_welsh_too(admin_client):
    client, _root = admin_client
    client.cookies["django_language"] = "cy"
    response = client.post("/admin/api/apitoken/add/", {"name": "Power BI"})
    assert "Copïwch ef nawr" in response.content.decode()
