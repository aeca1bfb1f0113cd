import io
import logging

import pytest

from observability.log_format import TextFormatter


@pytest.fixture
def console():
    """Everything the configured console handler writes during the test, with the
    whole tree at DEBUG, through the handler's own formatter and filters."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if isinstance(h.formatter, TextFormatter)]
    stream = io.StringIO()
    previous_stream = handler.setStream(stream)
    levels = {name: logging.getLogger(name).level for name in ("", "security")}
    # Every logger at DEBUG but SQL's, which config/logging_config.py keeps at WARNING
    # (a query's parameters would link an author's id to their post).
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        handler.setStream(previous_stream)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
