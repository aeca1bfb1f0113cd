"""A channel layer that is down never stops a notification; the failure is logged
once, not once per notification."""

import logging

import pytest
from channels.layers import channel_layers

from notifications import live
from notifications import services as notifications
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(30)]


def test_notify_succeeds_while_the_channel_layer_is_down_and_logs_once(
    settings, monkeypatch, make_staff, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(live, "failures", live._FailureLog())
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    channel_layers.backends.clear()
    person = make_staff()
    with caplog.at_level(logging.INFO, logger="notifications.live"):
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(3):
                assert notifications.notify(person, "reply", f"Reply {n}", "")
    assert Notification.objects.filter(recipient=person).count() == 3
    errors = [
        r
        for r in caplog.records
        if r.name == "notifications.live" and r.levelno >= logging.ERROR
    ]
    assert len(errors) == 1
    channel_layers.backends.clear()
