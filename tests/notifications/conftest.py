"""Helpers for the notification tests: a mail server that refuses, and a Welsh reader."""

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from notifications import services as notifications


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises."""

    attempts = 0

    def send_messages(self, email_messages):
        RefusingBackend.attempts += 1
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture
def mail_server_down(settings):
    RefusingBackend.attempts = 0
    settings.EMAIL_BACKEND = "tests.notifications.conftest.RefusingBackend"
    return RefusingBackend


@pytest.fixture
def choose():
    """Set one person's delivery for some topics: choose(person, reply="immediate")."""

    def choose(person, **topics):
        notifications.set_preferences(person, topics)

    return choose
