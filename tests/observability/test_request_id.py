"""Every request has an id: in its response header and on each line it logs."""

import json
import logging
from logging.config import DictConfigurator

import pytest
from django.urls import reverse

from config.logging_config import logging_config
from observability.log_format import JsonFormatter
from observability.request_id import RequestIdFilter

pytestmark = pytest.mark.django_db


def test_a_well_formed_id_from_the_proxy_is_kept_and_returned(client, console):
    response = client.get(
        "/no-such-page/",
        HTTP_X_REQUEST_ID="3f2b9c0d8e7a41b6a5c4d3e2f1a0b9c8",
    )

    assert response.status_code == 404
    assert response["X-Request-ID"] == "3f2b9c0d8e7a41b6a5c4d3e2f1a0b9c8"
    # Django's "Not Found" line carries the same id.
    assert (
        "Not Found: /no-such-page/ request_id=3f2b9c0d8e7a41b6a5c4d3e2f1a0b9c8"
        in console.getvalue()
    )


@pytest.mark.parametrize(
    "sent", ["", "short", "x" * 65, "abc def ghi", "id\nINFO security forged"]
)
def test_a_missing_or_malformed_id_is_replaced(client, sent):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID=sent)

    made = response["X-Request-ID"]
    assert made != sent
    assert len(made) == 32 and int(made, 16) >= 0


def test_each_request_gets_its_own_id(client):
    first = client.get(reverse("home"))["X-Request-ID"]
    second = client.get(reverse("home"))["X-Request-ID"]
    assert first != second


def test_lines_outside_a_request_read_as_before(console):
    logging.getLogger("security").info("probe")
    assert console.getvalue().rstrip().endswith("INFO security probe")


def test_json_lines_carry_the_id_and_a_security_events_fields(client, staff):
    config = logging_config("json")
    assert config["handlers"]["console"]["formatter"] == "json"
    # Built as dictConfig builds it when LOG_FORMAT=json.
    formatter = DictConfigurator(config).configure_formatter(
        dict(config["formatters"]["json"])
    )
    assert isinstance(formatter, JsonFormatter)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            RequestIdFilter().filter(record)
            records.append(record)

    keep = Keep()
    logging.getLogger("security").addHandler(keep)
    try:
        response = client.post(
            reverse("account_login"),
            {"login": staff.email, "password": "wrong"},
            HTTP_X_REQUEST_ID="req-0001-abcdef",
        )
    finally:
        logging.getLogger("security").removeHandler(keep)

    assert response.status_code == 200
    (line,) = [json.loads(formatter.format(r)) for r in records]
    assert line["level"] == "WARNING"
    assert line["logger"] == "security"
    assert line["request_id"] == "req-0001-abcdef"
    assert line["time"].endswith("Z")
    assert line["security"]["event"] == "sign_in.failed"
    assert line["security"]["outcome"] == "failure"
    assert staff.email not in json.dumps(line)
