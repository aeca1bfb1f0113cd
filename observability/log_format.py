"""The two ways a log line can be written: text for people, JSON for log stores.

Both stamp the time in UTC. The JSON form carries a security event's fields as an
object of their own (``security``: event, outcome, ids), so a log store can search on
them without parsing the message.
"""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from accounts.security_log import UTCFormatter


class TextFormatter(UTCFormatter):
    """Fills ``%(request_tag)s``: `` request_id=<id>`` inside a request, nothing
    outside one, so lines written outside requests read as before."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        request_id = getattr(record, "request_id", "-")
        record.request_tag = "" if request_id == "-" else f" request_id={request_id}"
        return super().formatMessage(record)


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message,
    request_id, and whatever structured fields the record carries."""

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data["time"] = (
            datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
        log_data.setdefault("request_id", getattr(record, "request_id", "-"))
