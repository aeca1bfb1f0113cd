"""A service account's token and a client that sends it, as a reporting tool would."""

import pytest
from django.test import Client

from api.tokens import create_token


@pytest.fixture
def token(db, make_staff):
    admin = make_staff(roles=["administrator"])
    return create_token("Power BI", admin)


@pytest.fixture
def api(token):
    """A client that sends ``Authorization: Bearer <token>`` with each request."""
    return Client(headers={"Authorization": f"Bearer {token[1]}"})
